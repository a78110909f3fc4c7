package io.wsink.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The one Markdown table of bench/soak.sh: a row per check, with what was seen, the target and whether it was met. */
final class SoakTable {

  private record Row(String area, String check, String result, String target, String met) {
  }

  private final List<Row> rows = new ArrayList<>();
  private boolean allMet = true;

  void row(String area, String check, String result, String target, boolean met) {
    rows.add(new Row(area, check, result, target, met ? "yes" : "**NO**"));
    allMet &= met;
  }

  /** A row without a target: a figure shown for the reader. */
  void info(String area, String check, String result) {
    rows.add(new Row(area, check, result, "—", "—"));
  }

  /** A section that could not run or broke off: that is a failure, with the reason. */
  void failed(String area, String reason) {
    row(area, "did not complete", reason.replace('|', '/').replace('\n', ' '), "runs", false);
  }

  boolean allMet() {
    return allMet;
  }

  String render() {
    StringBuilder md = new StringBuilder("| area | check | result | target | met? |\n|---|---|---|---|---|\n");
    for (Row r : rows) {
      md.append("| ").append(r.area()).append(" | ").append(r.check()).append(" | ").append(r.result()).append(" | ")
        .append(r.target()).append(" | ").append(r.met()).append(" |\n");
    }
    return md.toString();
  }

  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n).replace(',', ' ');
  }
}
