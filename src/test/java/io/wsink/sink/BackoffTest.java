package io.wsink.sink;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The redial delay of client mode (§4 {@code maxConnRetry}): 100 ms doubling to 30 s, ±20 % jitter.
 */
class BackoffTest {

  private static final int SAMPLES = 2_000;

  /** min(30 s, 100 ms × 2^attempt), computed without overflow. */
  private static double nominal(int attempt) {
    double base = 100;
    for (int i = 0; i < attempt && base < 30_000; i++) {
      base *= 2;
    }
    return Math.min(30_000, base);
  }

  @Test
  void everyDelayIsWithinTwentyPercentOfTheNominalDelay() {
    for (int attempt = 0; attempt <= 40; attempt++) {
      double nominal = nominal(attempt);
      long low = (long) Math.floor(0.8 * nominal);
      long high = (long) Math.ceil(1.2 * nominal);
      for (int i = 0; i < SAMPLES; i++) {
        long delay = ClientTarget.backoff(attempt);
        assertTrue(delay >= low && delay <= high,
          "attempt " + attempt + ": " + delay + " ms is outside [" + low + ", " + high + "]");
      }
    }
  }

  @Test
  void theFirstRedialComesAfterAbout100Ms() {
    for (int i = 0; i < SAMPLES; i++) {
      long delay = ClientTarget.backoff(0);
      assertTrue(delay >= 80 && delay <= 120, delay + " ms");
    }
  }

  @Test
  void theDelayDoublesOnAverageUntilTheCap() {
    double previous = mean(0);
    assertEquals(100, previous, 2, "mean of attempt 0");
    for (int attempt = 1; attempt <= 8; attempt++) { // 100 ms × 2^8 = 25.6 s, still under the cap
      double mean = mean(attempt);
      double ratio = mean / previous;
      assertTrue(ratio > 1.9 && ratio < 2.1, "attempt " + attempt + ": mean " + mean + " ms is " + ratio
        + " × the mean of the attempt before");
      previous = mean;
    }
    // attempt 9 would be 51.2 s: capped at 30 s
    assertEquals(30_000, mean(9), 300, "mean of attempt 9");
    assertEquals(30_000, mean(40), 300, "mean of attempt 40");
  }

  @Test
  void theDelayIsCappedAt36SecondsWhateverTheAttempt() {
    long max = 0;
    long min = Long.MAX_VALUE;
    for (int attempt : new int[] {9, 10, 20, 30, 31, 40, 62, 63, 64, 1000, Integer.MAX_VALUE}) {
      for (int i = 0; i < SAMPLES; i++) {
        long delay = ClientTarget.backoff(attempt);
        max = Math.max(max, delay);
        min = Math.min(min, delay);
      }
    }
    assertTrue(max <= 36_000, "longest delay " + max + " ms");
    assertTrue(min >= 24_000, "shortest capped delay " + min + " ms");
  }

  @Test
  void theJitterSpreadsTheDelays() {
    // 4 000 samples, uniform in [24 s, 36 s]: none in the top or bottom sixth would be a missing jitter, not chance
    long max = 0;
    long min = Long.MAX_VALUE;
    for (int i = 0; i < 2 * SAMPLES; i++) {
      long delay = ClientTarget.backoff(20);
      max = Math.max(max, delay);
      min = Math.min(min, delay);
    }
    assertTrue(max > 34_000, "longest delay " + max + " ms: no jitter upwards");
    assertTrue(min < 26_000, "shortest delay " + min + " ms: no jitter downwards");
  }

  private static double mean(int attempt) {
    long sum = 0;
    int n = 5 * SAMPLES;
    for (int i = 0; i < n; i++) {
      sum += ClientTarget.backoff(attempt);
    }
    return (double) sum / n;
  }
}
