package io.wsink.bench;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A Markdown table: one row per (cell, metric) with the baseline (raw Vert.x) and the subject (wsink) as median
 * (min–max) over the runs, the median of the run-by-run ratios subject/baseline, the loss both sides saw, the target
 * and whether the subject meets it.
 */
final class Table {

  static final String RAW = "raw";
  static final String WSINK = "wsink";
  /** The diagnostic baseline: raw Vert.x fed through the event bus by wsink's generator. */
  static final String RAW_VIA_EVENT_BUS = "raw-eb";

  /** How a metric is read from a run's data and printed. */
  record Metric(String name, Function<JsonObject, Double> read, Function<Double, String> format) {
  }

  /**
   * A target on wsink's figures. {@code lossless} also requires that wsink lost, reordered and duplicated nothing;
   * {@code atFullRate} that a fixed-rate phase kept its rate (else the latency is that of an overloaded system).
   */
  record Target(String text, Kind kind, double bound, boolean lossless, boolean atFullRate) {
    enum Kind { NONE, RATIO_AT_LEAST, RATIO_AT_MOST, WSINK_AT_MOST, WSINK_ALL_TRUE }

    /** Below this share of the requested rate, a fixed-rate phase counts as overloaded. */
    static final double FULL_RATE = 0.95;

    Target(String text, Kind kind, double bound, boolean lossless) {
      this(text, kind, bound, lossless, false);
    }

    static Target none() {
      return new Target("—", Kind.NONE, 0, false);
    }
  }

  private record Row(String cellId, String label, Metric metric, Target target, boolean showLoss) {
  }

  private final Results results;
  private final int runs;
  private final String baseline;
  private final String baselineTitle;
  private final String subject;
  private final String subjectTitle;
  private final List<Row> rows = new ArrayList<>();

  /** The main table: wsink against raw Vert.x. */
  Table(Results results, int runs) {
    this(results, runs, RAW, "raw Vert.x", WSINK, "wsink");
  }

  Table(Results results, int runs, String baseline, String baselineTitle, String subject, String subjectTitle) {
    this.results = results;
    this.runs = runs;
    this.baseline = baseline;
    this.baselineTitle = baselineTitle;
    this.subject = subject;
    this.subjectTitle = subjectTitle;
  }

  void row(String cellId, String label, Metric metric, Target target, boolean showLoss) {
    rows.add(new Row(cellId, label, metric, target, showLoss));
  }

  String render() {
    StringBuilder md = new StringBuilder();
    String b = baseline.equals(RAW) ? "raw" : baselineTitle;
    md.append("| cell | metric | ").append(baselineTitle).append(": median (min–max) | ").append(subjectTitle)
      .append(": median (min–max) | ").append(subjectTitle).append('/').append(b).append(" | lost/reordered/dup ")
      .append(b).append(" · ").append(subjectTitle).append(" | target | met? |\n");
    md.append("|---|---|---|---|---|---|---|---|\n");
    for (Row row : rows) {
      List<Double> raw = results.values(row.cellId(), baseline, runs, row.metric().read());
      List<Double> wsink = results.values(row.cellId(), subject, runs, row.metric().read());
      double ratio = Stats.pairedRatio(raw, wsink);
      Loss rawLoss = Loss.of(results.data(row.cellId(), baseline));
      Loss wsinkLoss = Loss.of(results.data(row.cellId(), subject));
      md.append("| ").append(row.label()).append(" | ").append(row.metric().name())
        .append(" | ").append(spread(raw, row.metric().format()))
        .append(" | ").append(spread(wsink, row.metric().format()))
        .append(" | ").append(Double.isNaN(ratio) ? "—" : String.format(Locale.ROOT, "%.2f", ratio))
        .append(" | ").append(row.showLoss() ? rawLoss + " · " + wsinkLoss : "")
        .append(" | ").append(row.target().text())
        .append(" | ").append(met(row, ratio, wsink, wsinkLoss, rateReached(row.cellId())))
        .append(" |\n");
    }
    return md.toString();
  }

  /** What could not be measured, one line per cell. */
  String failures() {
    StringBuilder md = new StringBuilder();
    results.failures().forEach((cell, why) -> md.append("\nNot measured: ").append(cell).append(": ").append(why));
    return md.toString();
  }

  /** The lowest share of the requested rate wsink's runs of a fixed-rate cell reached (NaN for other cells). */
  private double rateReached(String cellId) {
    return Stats.min(results.values(cellId, subject, runs, d -> d.getDouble("rateReached")));
  }

  private String met(Row row, double ratio, List<Double> wsink, Loss wsinkLoss, double rateReached) {
    Target t = row.target();
    if (t.kind() == Target.Kind.NONE) {
      return "";
    }
    double median = Stats.median(wsink);
    boolean ok = switch (t.kind()) {
      case RATIO_AT_LEAST -> ratio >= t.bound();
      case RATIO_AT_MOST -> ratio <= t.bound();
      case WSINK_AT_MOST -> median <= t.bound();
      case WSINK_ALL_TRUE -> wsink.stream().filter(v -> !Double.isNaN(v)).allMatch(v -> v == 1.0);
      case NONE -> true;
    };
    if (Double.isNaN(median)) {
      return "not measured";
    }
    if (t.lossless() && !wsinkLoss.none()) {
      return ok ? "**no** (loss)" : "**no** (and loss)";
    }
    if (t.atFullRate() && !(rateReached >= Target.FULL_RATE)) {
      return "**no** (rate not kept: " + Math.round(rateReached * 100) + " %)";
    }
    return ok ? "yes" : "**no**";
  }

  private static String spread(List<Double> values, Function<Double, String> format) {
    double median = Stats.median(values);
    if (Double.isNaN(median)) {
      return "—";
    }
    long valid = values.stream().filter(v -> !Double.isNaN(v)).count();
    if (valid == 1) {
      return format.apply(median);
    }
    return format.apply(median) + " (" + format.apply(Stats.min(values)) + "–" + format.apply(Stats.max(values)) + ")";
  }

  /** Loss over all runs of a cell, as the receivers and (for wsink) the sink itself counted it. */
  private record Loss(long lost, long reordered, long duplicated, long failedAcks, long closed, boolean any) {

    static Loss of(List<JsonObject> runs) {
      long lost = 0, reordered = 0, duplicated = 0, failed = 0, closed = 0;
      for (JsonObject r : runs) {
        JsonObject generator = r.getJsonObject("generator", new JsonObject());
        lost += Math.max(r.getLong("gaps", 0L), generator.getLong("sinkDropped", 0L));
        reordered += r.getLong("reorders", 0L);
        duplicated += r.getLong("duplicates", 0L);
        failed += generator.getLong("failed", 0L);
        closed += r.getLong("closedConnections", 0L);
      }
      return new Loss(lost, reordered, duplicated, failed, closed, !runs.isEmpty());
    }

    boolean none() {
      return lost == 0 && reordered == 0 && duplicated == 0 && failedAcks == 0 && closed == 0;
    }

    @Override
    public String toString() {
      if (!any) {
        return "—";
      }
      String text = lost + "/" + reordered + "/" + duplicated;
      if (failedAcks > 0) {
        text += " (" + failedAcks + " failed acks)";
      }
      if (closed > 0) {
        text += " (" + closed + " clients closed)";
      }
      return text;
    }
  }

  // ---- formats

  static String rate(double v) {
    if (v >= 1e6) {
      return String.format(Locale.ROOT, "%.2fM", v / 1e6);
    }
    if (v >= 1e3) {
      return String.format(Locale.ROOT, "%.0fk", v / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", v);
  }

  static String micros(double us) {
    return us >= 1000 ? String.format(Locale.ROOT, "%.2f ms", us / 1000) : String.format(Locale.ROOT, "%.0f µs", us);
  }

  static String decimal(double v) {
    return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.1f", v);
  }

  static String millis(double v) {
    return String.format(Locale.ROOT, "%.0f ms", v);
  }

  static String decimalMs(double v) {
    return String.format(Locale.ROOT, "%.1f ms", v);
  }

  static String kib(double v) {
    return String.format(Locale.ROOT, "%.1f KiB", v);
  }

  static String mib(double v) {
    return String.format(Locale.ROOT, "%.0f MiB", v);
  }

  static String percent(double v) {
    return String.format(Locale.ROOT, "%.0f %%", v * 100);
  }

  static String yesNo(double v) {
    return v == 1.0 ? "yes" : "no";
  }
}
