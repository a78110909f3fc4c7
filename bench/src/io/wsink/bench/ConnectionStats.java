package io.wsink.bench;

import io.vertx.core.buffer.Buffer;

/**
 * What one receiving connection saw during a phase: messages and bytes in the measured window, latency of those,
 * and loss/reordering/duplication from the phase start to its end. Written only on the connection's event loop;
 * {@link #lastMessageNanos} is the one field other threads read (for "quiet" detection).
 */
final class ConnectionStats {

  private final PhaseClock clock;
  private final long[] parsed = new long[2];
  private final SequenceTracker sequence = new SequenceTracker();
  private LatencyHistogram latency = new LatencyHistogram();
  private long received;
  private long measured;
  private long measuredBytes;
  private long malformed;
  private long stale;
  private long firstSeq = -1;
  private volatile long lastMessageNanos;
  private volatile boolean closed;

  ConnectionStats(PhaseClock clock) {
    this.clock = clock;
  }

  /** @param firstSeq the first number the generator sends in this phase; earlier ones are left over from before */
  void reset(long firstSeq) {
    this.firstSeq = firstSeq;
    stale = 0;
    sequence.reset(firstSeq);
    latency = new LatencyHistogram();
    received = 0;
    measured = 0;
    measuredBytes = 0;
    malformed = 0;
  }

  void onMessage(Buffer data) {
    long now = System.nanoTime();
    lastMessageNanos = now;
    if (!BenchMessage.parse(data, parsed)) {
      malformed++;
      return;
    }
    if (parsed[0] < firstSeq) {
      stale++; // still queued from the phase before (a server that buffers per client drains it now)
      return;
    }
    long start = clock.startAt(now);
    if (start == 0) {
      return; // not armed: between phases
    }
    long since = now - start;
    if (since >= clock.endNanos()) {
      return; // the phase is over; what comes later belongs to nobody
    }
    received++;
    sequence.accept(parsed[0]);
    if (since >= clock.warmupNanos()) {
      measured++;
      measuredBytes += data.length();
      latency.record(now - parsed[1]);
    }
  }

  void closed() {
    closed = true;
  }

  long lastMessageNanos() {
    return lastMessageNanos;
  }

  /** An immutable copy, taken on the connection's event loop. */
  Snapshot snapshot() {
    LatencyHistogram copy = new LatencyHistogram();
    copy.merge(latency);
    return new Snapshot(received, measured, measuredBytes, sequence.gaps(), sequence.reorders(), sequence.duplicates(),
      malformed, stale, closed, copy);
  }

  record Snapshot(long received, long measured, long measuredBytes, long gaps, long reorders, long duplicates,
                  long malformed, long stale, boolean closed, LatencyHistogram latency) {
  }
}
