package io.wsink.bench;

import java.util.ArrayList;
import java.util.List;

/** Median, min and max of a few runs, and the median of run-by-run ratios. NaN marks a run without a value. */
final class Stats {

  private Stats() {
  }

  static double median(List<Double> values) {
    List<Double> v = valid(values);
    if (v.isEmpty()) {
      return Double.NaN;
    }
    v.sort(null);
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }

  static double min(List<Double> values) {
    return valid(values).stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  static double max(List<Double> values) {
    return valid(values).stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  /**
   * Pairs run k of wsink with run k of raw (they ran back to back, under the same noise), and returns the median of
   * wsink/raw over the pairs that both have a value.
   */
  static double pairedRatio(List<Double> raw, List<Double> wsink) {
    List<Double> ratios = new ArrayList<>();
    for (int k = 0; k < Math.min(raw.size(), wsink.size()); k++) {
      double r = raw.get(k);
      double w = wsink.get(k);
      if (!Double.isNaN(r) && !Double.isNaN(w) && r != 0) {
        ratios.add(w / r);
      }
    }
    return median(ratios);
  }

  private static List<Double> valid(List<Double> values) {
    List<Double> v = new ArrayList<>();
    for (Double d : values) {
      if (d != null && !Double.isNaN(d)) {
        v.add(d);
      }
    }
    return v;
  }
}
