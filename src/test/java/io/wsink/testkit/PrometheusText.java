package io.wsink.testkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests of {@code GET /metrics}: every line must be
 * a comment, a {@code # HELP} / {@code # TYPE} line or a sample {@code name{label="value",...} value [timestamp]}, and
 * every sample must belong to a family declared by a {@code # TYPE} line before it. Anything else fails the parse
 * naming the line.
 */
public final class PrometheusText {

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
  private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") .*");

  /** One sample line. */
  public record Sample(String name, Map<String, String> labels, double value) {
    /** Whether every label in {@code wanted} has the value given there (other labels may be present). */
    public boolean has(Map<String, String> wanted) {
      return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }
  }

  private final List<Sample> samples;
  private final Map<String, String> types;

  private PrometheusText(List<Sample> samples, Map<String, String> types) {
    this.samples = Collections.unmodifiableList(samples);
    this.types = Collections.unmodifiableMap(types);
  }

  public static PrometheusText parse(String text) {
    List<Sample> samples = new ArrayList<>();
    Map<String, String> types = new LinkedHashMap<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty()) {
        continue;
      }
      try {
        if (line.startsWith("#")) {
          Matcher type = TYPE.matcher(line);
          if (type.matches()) {
            if (types.put(type.group(1), type.group(2)) != null) {
              throw new IllegalArgumentException("a second TYPE for " + type.group(1));
            }
          } else if (line.startsWith("# TYPE") || line.startsWith("# HELP") && !HELP.matcher(line).matches()) {
            throw new IllegalArgumentException("malformed TYPE or HELP line");
          }
          continue; // HELP, or a plain comment
        }
        Sample sample = sample(line);
        if (family(sample.name(), types) == null) {
          throw new IllegalArgumentException("sample of a family without a TYPE line before it");
        }
        samples.add(sample);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("line " + (i + 1) + " is not valid exposition text (" + e.getMessage()
          + "): " + line, e);
      }
    }
    return new PrometheusText(samples, types);
  }

  /** The family a sample belongs to: its own name, or a histogram's or summary's name without the suffix. */
  private static String family(String sample, Map<String, String> types) {
    if (types.containsKey(sample)) {
      return sample;
    }
    for (String suffix : List.of("_bucket", "_count", "_sum", "_created")) {
      if (sample.endsWith(suffix)) {
        String base = sample.substring(0, sample.length() - suffix.length());
        String type = types.get(base);
        if ("histogram".equals(type) || "summary".equals(type) || "_created".equals(suffix) && type != null) {
          return base;
        }
      }
    }
    return null;
  }

  private static Sample sample(String line) {
    Matcher name = NAME.matcher(line);
    if (!name.lookingAt()) {
      throw new IllegalArgumentException("no metric name");
    }
    int at = name.end();
    Map<String, String> labels = new LinkedHashMap<>();
    if (at < line.length() && line.charAt(at) == '{') {
      at = labels(line, at + 1, labels);
    }
    if (at >= line.length() || line.charAt(at) != ' ') {
      throw new IllegalArgumentException("no space before the value");
    }
    String[] rest = line.substring(at + 1).split(" ", -1);
    if (rest.length < 1 || rest.length > 2) {
      throw new IllegalArgumentException("expected a value and an optional timestamp");
    }
    if (rest.length == 2) {
      Long.parseLong(rest[1]);
    }
    return new Sample(name.group(), Collections.unmodifiableMap(labels), value(rest[0]));
  }

  /** Reads {@code name="value",...}} from {@code at}; returns the index after the closing brace. */
  private static int labels(String line, int at, Map<String, String> into) {
    while (true) {
      if (at < line.length() && line.charAt(at) == '}') {
        return at + 1;
      }
      Matcher name = LABEL_NAME.matcher(line).region(at, line.length());
      if (!name.lookingAt()) {
        throw new IllegalArgumentException("bad label name at column " + (at + 1));
      }
      at = name.end();
      if (!line.startsWith("=\"", at)) {
        throw new IllegalArgumentException("expected =\" after label " + name.group());
      }
      at += 2;
      StringBuilder value = new StringBuilder();
      while (true) {
        if (at >= line.length()) {
          throw new IllegalArgumentException("unterminated value of label " + name.group());
        }
        char c = line.charAt(at++);
        if (c == '"') {
          break;
        }
        if (c == '\\') {
          char escaped = at < line.length() ? line.charAt(at++) : ' ';
          switch (escaped) {
            case '\\' -> value.append('\\');
            case '"' -> value.append('"');
            case 'n' -> value.append('\n');
            default -> throw new IllegalArgumentException("bad escape \\" + escaped);
          }
        } else {
          value.append(c);
        }
      }
      if (into.put(name.group(), value.toString()) != null) {
        throw new IllegalArgumentException("label " + name.group() + " twice");
      }
      if (at < line.length() && line.charAt(at) == ',') {
        at++;
      } else if (at >= line.length() || line.charAt(at) != '}') {
        throw new IllegalArgumentException("expected , or } after the value of label " + name.group());
      }
    }
  }

  private static double value(String text) {
    return switch (text) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(text);
    };
  }

  public List<Sample> samples() {
    return samples;
  }

  /** The declared type of family {@code name} (counter, gauge, histogram, …), or null. */
  public String type(String name) {
    return types.get(name);
  }

  /** The samples named {@code name} whose labels include {@code labels}. */
  public List<Sample> find(String name, Map<String, String> labels) {
    return samples.stream().filter(s -> s.name().equals(name) && s.has(labels)).toList();
  }

  /** The one sample named {@code name} whose labels include {@code labels}; fails unless there is exactly one. */
  public double value(String name, Map<String, String> labels) {
    List<Sample> found = find(name, labels);
    if (found.size() != 1) {
      throw new AssertionError("expected one sample " + name + labels + ", found " + found);
    }
    return found.get(0).value();
  }

  /** Every sample with label {@code label} = {@code value}, whatever its name. */
  public List<Sample> withLabel(String label, String value) {
    return samples.stream().filter(s -> value.equals(s.labels().get(label))).toList();
  }
}
