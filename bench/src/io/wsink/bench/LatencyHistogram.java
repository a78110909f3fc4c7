package io.wsink.bench;

import io.vertx.core.json.JsonObject;

/**
 * Latencies in nanoseconds in fixed log-linear buckets (HdrHistogram is not in the jar): 32 linear sub-buckets per
 * power of two, so a percentile is off by at most 1/32 (3 %), and memory is fixed (~7 KiB) whatever the sample count.
 * Not thread-safe: one per connection, merged after the measurement.
 */
final class LatencyHistogram {

  private static final int SUB_BITS = 5;
  private static final int SUB = 1 << SUB_BITS;
  /** Below 2^10 ns (1 µs) buckets are 32 ns wide; above, 32 buckets per power of two up to 2^36 ns (68 s). */
  private static final int MIN_EXP = 10;
  private static final int MAX_EXP = 36;

  private final long[] counts = new long[SUB + (MAX_EXP - MIN_EXP + 1) * SUB];
  private long total;
  private long max;
  private long negative;

  void record(long nanos) {
    if (nanos < 0) { // a clock that went backwards across processes would show here
      negative++;
      nanos = 0;
    }
    counts[index(nanos)]++;
    total++;
    if (nanos > max) {
      max = nanos;
    }
  }

  private static int index(long v) {
    if (v < (1L << MIN_EXP)) {
      return (int) (v >> (MIN_EXP - SUB_BITS));
    }
    int exp = Math.min(63 - Long.numberOfLeadingZeros(v), MAX_EXP);
    int sub = (int) ((Math.min(v, (1L << (MAX_EXP + 1)) - 1) >> (exp - SUB_BITS)) & (SUB - 1));
    return SUB + (exp - MIN_EXP) * SUB + sub;
  }

  /** The middle of bucket {@code i}. */
  private static double value(int i) {
    if (i < SUB) {
      return (i + 0.5) * (1 << (MIN_EXP - SUB_BITS));
    }
    int exp = (i - SUB) / SUB + MIN_EXP;
    int sub = (i - SUB) % SUB;
    double width = Math.pow(2, exp - SUB_BITS);
    return (SUB + sub + 0.5) * width;
  }

  void merge(LatencyHistogram other) {
    for (int i = 0; i < counts.length; i++) {
      counts[i] += other.counts[i];
    }
    total += other.total;
    max = Math.max(max, other.max);
    negative += other.negative;
  }

  /** @return the latency in ns below which {@code fraction} of the samples lie, or NaN without samples */
  double percentile(double fraction) {
    if (total == 0) {
      return Double.NaN;
    }
    long rank = Math.max(1, (long) Math.ceil(fraction * total));
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return Math.min(value(i), max);
      }
    }
    return max;
  }

  /** Percentiles in microseconds. */
  JsonObject toJson() {
    return new JsonObject().put("count", total)
      .put("p50", micros(percentile(0.50))).put("p99", micros(percentile(0.99)))
      .put("p999", micros(percentile(0.999))).put("max", micros(max)).put("negative", negative);
  }

  private static double micros(double nanos) {
    return Double.isNaN(nanos) ? -1 : Math.round(nanos / 100.0) / 10.0;
  }
}
