package io.wsink.bench;

/**
 * How many messages a generator may send now: a burst of any size at max rate, or what a fixed rate allows since the
 * start (rate × elapsed − already sent), so a paced generator that fell behind catches up in bounded bursts.
 */
final class Pacer {

  private final long ratePerSecond;
  private final long startNanos;
  private long issued;

  /** @param ratePerSecond messages per second, or 0 for as fast as back-pressure allows */
  Pacer(long ratePerSecond, long startNanos) {
    this.ratePerSecond = ratePerSecond;
    this.startNanos = startNanos;
  }

  boolean paced() {
    return ratePerSecond > 0;
  }

  /** @return how many messages are due at {@code now}, at most {@code cap} */
  int due(long now, int cap) {
    if (!paced()) {
      return cap;
    }
    long allowed = (now - startNanos) / 1000 * ratePerSecond / 1_000_000;
    return (int) Math.max(0, Math.min(cap, allowed - issued));
  }

  void issued(int count) {
    issued += count;
  }
}
