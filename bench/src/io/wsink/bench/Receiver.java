package io.wsink.bench;

import io.vertx.core.Context;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The measuring side of a phase, shared by the load client (server mode) and the counting server (client mode): owns
 * the connections' statistics and answers the orchestrator's {@code arm} and {@code quiet} commands.
 *
 * <ul>
 *   <li>{@code arm <firstSeq> <warmupMs> <measureMs>}: resets every connection, answers {@code ARMED}, then waits for
 *   the phase (first message, warm-up, measured window) and answers {@code RESULT {json}}.</li>
 *   <li>{@code quiet <ms>}: answers {@code QUIET} once no message arrived for that long (at most 10 s).</li>
 * </ul>
 * Statistics live on the connections' event loops; this class reads them only through tasks run on those loops.
 */
final class Receiver {

  /** How long a phase may wait for its first message before it reports an error. */
  private static final long FIRST_MESSAGE_TIMEOUT_MS = 10_000;
  /** Bounds the wait between phases; what still arrives later is recognised as stale by its sequence number. */
  private static final long QUIET_TIMEOUT_MS = 3_000;
  private static final long LOOP_TASK_TIMEOUT_MS = 10_000;

  private record Connection(Context context, ConnectionStats stats) {
  }

  private final PhaseClock clock = new PhaseClock();
  private final List<Connection> connections = new CopyOnWriteArrayList<>();

  /** Registers a connection served on {@code context}; call on that context. */
  ConnectionStats register(Context context) {
    ConnectionStats stats = new ConnectionStats(clock);
    connections.add(new Connection(context, stats));
    return stats;
  }

  int size() {
    return connections.size();
  }

  /** @return false when the command was not one of the receiver's */
  boolean handle(String command, String[] args) throws InterruptedException {
    switch (command) {
      case "arm" -> runPhase(Long.parseLong(args[0]), Long.parseLong(args[1]), Long.parseLong(args[2]));
      case "quiet" -> awaitQuiet(Long.parseLong(args[0]));
      default -> {
        return false;
      }
    }
    return true;
  }

  private void runPhase(long firstSeq, long warmupMs, long measureMs) throws InterruptedException {
    clock.disarm();
    onEveryLoop(stats -> {
      stats.reset(firstSeq);
      return null;
    });
    clock.arm(warmupMs, measureMs);
    Proto.emit("ARMED", null);
    long deadline = System.currentTimeMillis() + FIRST_MESSAGE_TIMEOUT_MS;
    while (clock.started() == 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(1);
    }
    long start = clock.started();
    if (start == 0) {
      clock.disarm();
      Proto.emit("RESULT", new JsonObject().put("error", "no message within " + FIRST_MESSAGE_TIMEOUT_MS + " ms"));
      return;
    }
    long remainingNanos = start + clock.endNanos() - System.nanoTime();
    if (remainingNanos > 0) {
      TimeUnit.NANOSECONDS.sleep(remainingNanos);
    }
    Thread.sleep(20); // a message stamped just before the end may still be in a handler
    List<ConnectionStats.Snapshot> snapshots = onEveryLoop(ConnectionStats::snapshot);
    clock.disarm();
    Proto.emit("RESULT", summarize(snapshots, measureMs, connections.size()));
  }

  private static JsonObject summarize(List<ConnectionStats.Snapshot> all, long measureMs, int expected) {
    LatencyHistogram latency = new LatencyHistogram();
    long received = 0, measured = 0, bytes = 0, gaps = 0, reorders = 0, duplicates = 0, malformed = 0, stale = 0;
    long closed = 0;
    long minPerConnection = Long.MAX_VALUE, maxPerConnection = 0;
    for (ConnectionStats.Snapshot s : all) {
      latency.merge(s.latency());
      received += s.received();
      measured += s.measured();
      bytes += s.measuredBytes();
      gaps += s.gaps();
      reorders += s.reorders();
      duplicates += s.duplicates();
      malformed += s.malformed();
      stale += s.stale();
      closed += s.closed() ? 1 : 0;
      minPerConnection = Math.min(minPerConnection, s.measured());
      maxPerConnection = Math.max(maxPerConnection, s.measured());
    }
    double seconds = measureMs / 1000.0;
    return new JsonObject()
      .put("connections", all.size()).put("snapshotsMissing", expected - all.size())
      .put("msgPerSec", measured / seconds).put("bytesPerSec", bytes / seconds)
      .put("measured", measured).put("received", received)
      .put("gaps", gaps).put("reorders", reorders).put("duplicates", duplicates).put("malformed", malformed)
      .put("staleFromEarlierPhase", stale)
      .put("closedConnections", closed)
      .put("minPerConnection", all.isEmpty() ? 0 : minPerConnection).put("maxPerConnection", maxPerConnection)
      .put("latencyUs", latency.toJson());
  }

  private void awaitQuiet(long quietMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + QUIET_TIMEOUT_MS;
    while (System.currentTimeMillis() < deadline) {
      long last = connections.stream().mapToLong(c -> c.stats().lastMessageNanos()).max().orElse(0);
      if (System.nanoTime() - last >= quietMs * 1_000_000L) {
        Proto.emit("QUIET", null);
        return;
      }
      Thread.sleep(10);
    }
    Proto.emit("QUIET", "timeout");
  }

  /** Runs {@code task} on every connection's event loop and collects what it returns (bounded wait). */
  private <T> List<T> onEveryLoop(java.util.function.Function<ConnectionStats, T> task) throws InterruptedException {
    List<Connection> all = List.copyOf(connections);
    BlockingQueue<Object> results = new ArrayBlockingQueue<>(Math.max(1, all.size()));
    CountDownLatch done = new CountDownLatch(all.size());
    Object none = new Object();
    for (Connection c : all) {
      c.context().runOnContext(v -> {
        T value = task.apply(c.stats());
        results.add(value == null ? none : value);
        done.countDown();
      });
    }
    done.await(LOOP_TASK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    @SuppressWarnings("unchecked")
    List<T> values = results.stream().filter(v -> v != none).map(v -> (T) v).toList();
    return values;
  }
}
