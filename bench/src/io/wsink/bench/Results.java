package io.wsink.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Every measured run, kept as reported, and the cells that could not be measured (with why). */
final class Results {

  record Sample(String cell, String impl, int run, JsonObject data) {
  }

  private final List<Sample> samples = new ArrayList<>();
  private final Map<String, String> failures = new LinkedHashMap<>();

  synchronized void add(String cell, String impl, int run, JsonObject data) {
    samples.add(new Sample(cell, impl, run, data));
  }

  synchronized void failed(String cell, String why) {
    failures.merge(cell, why, (a, b) -> a + "; " + b);
  }

  Map<String, String> failures() {
    return failures;
  }

  /** One metric of one implementation in one cell, by run index (NaN where the run has no value). */
  List<Double> values(String cell, String impl, int runs, Function<JsonObject, Double> metric) {
    List<Double> out = new ArrayList<>();
    for (int k = 0; k < runs; k++) {
      out.add(Double.NaN);
    }
    for (Sample s : samples) {
      if (s.cell().equals(cell) && s.impl().equals(impl) && s.run() < runs) {
        Double v = metric.apply(s.data());
        out.set(s.run(), v == null ? Double.NaN : v);
      }
    }
    return out;
  }

  List<JsonObject> data(String cell, String impl) {
    return samples.stream().filter(s -> s.cell().equals(cell) && s.impl().equals(impl)).map(Sample::data).toList();
  }

  /** All runs as JSON, and as a long CSV (cell, impl, run, key, value) with nested keys flattened by dots. */
  void write(Path dir, JsonObject meta) throws IOException {
    Files.createDirectories(dir);
    JsonArray all = new JsonArray();
    StringBuilder csv = new StringBuilder("cell,impl,run,key,value\n");
    for (Sample s : samples) {
      all.add(new JsonObject().put("cell", s.cell()).put("impl", s.impl()).put("run", s.run()).put("data", s.data()));
      flatten("", s.data(), (key, value) -> csv.append(s.cell()).append(',').append(s.impl()).append(',')
        .append(s.run()).append(',').append(key).append(',').append(csvValue(value)).append('\n'));
    }
    JsonObject failed = new JsonObject();
    failures.forEach(failed::put);
    Files.writeString(dir.resolve("runs.json"),
      new JsonObject().put("meta", meta).put("runs", all).put("failures", failed).encodePrettily());
    Files.writeString(dir.resolve("runs.csv"), csv);
  }

  private static void flatten(String prefix, JsonObject json, java.util.function.BiConsumer<String, Object> out) {
    for (Map.Entry<String, Object> e : json) {
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (e.getValue() instanceof JsonObject nested) {
        flatten(key, nested, out);
      } else {
        out.accept(key, e.getValue());
      }
    }
  }

  private static String csvValue(Object value) {
    String text = String.valueOf(value);
    return text.contains(",") || text.contains("\"") || text.contains("\n")
      ? '"' + text.replace("\"", "\"\"").replace('\n', ' ') + '"' : text;
  }
}
