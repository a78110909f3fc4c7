package io.wsink.bench;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The measurement window of one phase, shared by every connection of a receiver process. Armed by a command, it starts
 * at the first message any connection receives: the first {@code warmup} is not measured, the next {@code measure} is,
 * everything after it is ignored. Connections read it on every message, so reads are a volatile load and the start is
 * one compare-and-set.
 */
final class PhaseClock {

  private final AtomicLong start = new AtomicLong();
  private volatile boolean armed;
  private volatile long warmupNanos;
  private volatile long endNanos;

  void arm(long warmupMs, long measureMs) {
    start.set(0);
    warmupNanos = warmupMs * 1_000_000L;
    endNanos = (warmupMs + measureMs) * 1_000_000L;
    armed = true;
  }

  void disarm() {
    armed = false;
    start.set(0);
  }

  /** @return the start of the window, starting it at {@code now} if armed and not started; 0 when not armed */
  long startAt(long now) {
    long s = start.get();
    if (s != 0 || !armed) {
      return s;
    }
    start.compareAndSet(0, now);
    return start.get();
  }

  long started() {
    return start.get();
  }

  long warmupNanos() {
    return warmupNanos;
  }

  long endNanos() {
    return endNanos;
  }
}
