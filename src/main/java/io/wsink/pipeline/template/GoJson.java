package io.wsink.pipeline.template;

import java.util.List;
import java.util.Map;

/**
 * encoding/json's Marshal and MarshalIndent for template values: keys sorted, floats as Go writes them (1e6 →
 * 1000000, 1e21 → 1e+21), {@code <>&} escaped as \u003c etc. unless asked not to.
 */
final class GoJson {

  private GoJson() {
  }

  /** json's UnsupportedValueError (NaN, ±Inf): sprig's toJson then yields the empty string. */
  static final class Unsupported extends Exception {
    Unsupported(String message) {
      super(message, null, false, false);
    }
  }

  static String marshal(Object v, boolean escapeHtml) throws Unsupported {
    StringBuilder sb = new StringBuilder(64);
    write(sb, v, escapeHtml, -1);
    return sb.toString();
  }

  /** MarshalIndent(v, "", "  "). */
  static String marshalIndent(Object v) throws Unsupported {
    StringBuilder sb = new StringBuilder(64);
    write(sb, v, true, 0);
    return sb.toString();
  }

  /** {@code depth < 0}: compact; otherwise the current indent level. */
  private static void write(StringBuilder sb, Object v, boolean html, int depth) throws Unsupported {
    if (v == null || v == Values.MISSING) {
      sb.append("null");
    } else if (v instanceof String s) {
      string(sb, s, html);
    } else if (v instanceof Boolean || v instanceof Long || v instanceof Integer) {
      sb.append(v);
    } else if (v instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        throw new Unsupported("json: unsupported value: " + GoFloat.v(d));
      }
      sb.append(GoFloat.json(d));
    } else if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        sb.append("{}");
        return;
      }
      sb.append('{');
      boolean first = true;
      for (String k : Values.sortedKeys(m)) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        newline(sb, depth + 1, depth >= 0);
        string(sb, k, html);
        sb.append(depth < 0 ? ":" : ": ");
        write(sb, Values.entry(m, k), html, depth < 0 ? -1 : depth + 1);
      }
      newline(sb, depth, depth >= 0);
      sb.append('}');
    } else if (v instanceof List<?> l) {
      if (l.isEmpty()) {
        sb.append("[]");
        return;
      }
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        newline(sb, depth + 1, depth >= 0);
        write(sb, Values.element(l, i), html, depth < 0 ? -1 : depth + 1);
      }
      newline(sb, depth, depth >= 0);
      sb.append(']');
    } else if (v instanceof GoTime t) {
      string(sb, t.rfc3339Nano(), html);
    } else {
      write(sb, Values.fromData(v), html, depth);
    }
  }

  /** Starts a new line at {@code depth} when indenting; {@code depth} is -1 (or 0 for its children) when compact. */
  private static void newline(StringBuilder sb, int depth, boolean indent) {
    if (!indent) {
      return;
    }
    sb.append('\n');
    for (int i = 0; i < depth; i++) {
      sb.append("  ");
    }
  }

  /** encoding/json's string escaping (Go 1.22+: \b and \f are short escapes). */
  static void string(StringBuilder sb, String s, boolean html) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\u2028' -> sb.append("\\u2028");
        case '\u2029' -> sb.append("\\u2029");
        default -> {
          if (c < 0x20 || (html && (c == '<' || c == '>' || c == '&'))) {
            sb.append("\\u00").append(GoStrings.LOWER_HEX.charAt(c >> 4)).append(GoStrings.LOWER_HEX.charAt(c & 0xF));
          } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            sb.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            sb.append("\\ufffd"); // Go replaces invalid UTF-8 the same way
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
