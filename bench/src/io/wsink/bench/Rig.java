package io.wsink.bench;

import io.vertx.core.json.JsonObject;

/**
 * A server under test and the process that measures what it sends (a load client in server mode, the counting
 * server in client mode), ready to run phases one after the other. Sequence numbers run on across phases, so every
 * phase tells the receiver which number comes first and a loss at the very start is counted too.
 */
final class Rig implements AutoCloseable {

  /** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
  private static final double TICKS_PER_SECOND = 100.0;

  private final String impl;
  private final Child sut;
  private final String url;
  private Child receiver;
  private long nextSeq;

  /** @param url where the receiver's clients connect (server mode), or null (client mode) */
  Rig(String impl, Child sut, String url, Child receiver) {
    this.impl = impl;
    this.sut = sut;
    this.url = url;
    this.receiver = receiver;
  }

  /** Starts a receiver whose clients connect to {@code url}, and waits until they did. */
  interface ReceiverStarter {
    Child start(String url) throws Child.BenchException, InterruptedException, java.io.IOException;
  }

  String impl() {
    return impl;
  }

  /** Disconnects the current receiver's clients, then measures with the receiver {@code next} starts. */
  void replaceReceiver(ReceiverStarter next) throws Child.BenchException, InterruptedException, java.io.IOException {
    receiver.close();
    receiver = next.start(url);
  }

  /**
   * An unmeasured max-rate run of all {@code rigs} at once, so that every JVM is compiled and warm before the first
   * measured phase.
   */
  static void prime(int size, long millis, Rig... rigs) throws Child.BenchException, InterruptedException {
    for (Rig rig : rigs) {
      rig.sut.send("go " + size + " 0");
    }
    for (Rig rig : rigs) {
      rig.sut.expect("GOING", 10_000);
    }
    Thread.sleep(millis);
    for (Rig rig : rigs) {
      rig.stopAndSettle();
    }
  }

  /** A condition on the system under test, checked from the orchestrator (over REST, say). */
  interface Condition {
    boolean holds() throws java.io.IOException, InterruptedException;
  }

  /**
   * An unmeasured max-rate run of {@code size}-byte messages until {@code done} holds (checked every 200 ms), at most
   * {@code maxMs}.
   *
   * @return whether {@code done} held
   */
  boolean runUntil(int size, Condition done, long maxMs)
    throws Child.BenchException, InterruptedException, java.io.IOException {
    sut.send("go " + size + " 0");
    sut.expect("GOING", 10_000);
    long deadline = System.currentTimeMillis() + maxMs;
    boolean held;
    while (!(held = done.holds()) && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    stopAndSettle();
    return held;
  }

  /**
   * Runs one phase and returns its figures: the receiver's (msgPerSec, latency, gaps, …), the generator's (sent,
   * failed acknowledgements, the sink's own drop count) and the CPU both processes used meanwhile.
   */
  JsonObject run(PhaseSpec phase) throws Child.BenchException, InterruptedException {
    long started = System.currentTimeMillis();
    JsonObject result = measure(phase);
    System.err.printf(java.util.Locale.ROOT, "bench:   %-5s %-10s %5d B %5s msg/s → %8.0f msg/s delivered, lost %d (%.1f s)%n",
      impl, phase.kind(), phase.size(), phase.rate() == 0 ? "max" : Long.toString(phase.rate()),
      result.getDouble("msgPerSec", Double.NaN), result.getLong("gaps", -1L),
      (System.currentTimeMillis() - started) / 1000.0);
    return result;
  }

  private JsonObject measure(PhaseSpec phase) throws Child.BenchException, InterruptedException {
    receiver.send("arm " + nextSeq + " " + phase.warmupMs() + " " + phase.measureMs());
    receiver.expect("ARMED", 15_000);
    long sutTicks = sut.cpuTicks();
    long receiverTicks = receiver.cpuTicks();
    long t0 = System.nanoTime();
    sut.send("go " + phase.size() + " " + phase.rate());
    sut.expect("GOING", 10_000);
    JsonObject result = receiver.expect("RESULT", phase.warmupMs() + phase.measureMs() + 20_000);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double sutCpuSeconds = (sut.cpuTicks() - sutTicks) / TICKS_PER_SECOND;
    double receiverCpuSeconds = (receiver.cpuTicks() - receiverTicks) / TICKS_PER_SECOND;
    if (sutCpuSeconds > 0 && result.containsKey("received")) {
      // what the server delivered per second of CPU it got: less sensitive than msg/s to what a busy machine left it
      result.put("deliveriesPerCpuSecond", Math.round(result.getLong("received") / sutCpuSeconds));
    }
    JsonObject generator = stopAndSettle();
    if (phase.rate() > 0 && result.containsKey("msgPerSec")) {
      // a fixed-rate phase measures latency only if the rate was kept: below it, something was overloaded
      int clients = Math.max(1, result.getInteger("connections", 1));
      result.put("rateReached", round2(result.getDouble("msgPerSec") / clients / phase.rate()));
    }
    return result.put("generator", generator).put("cpuSut", round2(sutCpuSeconds / seconds))
      .put("cpuReceiver", round2(receiverCpuSeconds / seconds))
      .put("size", phase.size()).put("rate", phase.rate());
  }

  private JsonObject stopAndSettle() throws Child.BenchException, InterruptedException {
    sut.send("stop");
    JsonObject stopped = sut.expect("STOPPED", 30_000);
    nextSeq = stopped.getLong("nextSeq", nextSeq);
    receiver.send("quiet 200"); // what is still on its way belongs to no phase
    receiver.expect("QUIET", 15_000);
    return stopped;
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  @Override
  public void close() {
    closeAll(this);
  }

  /** Closes every process of the given rigs (nulls allowed) at once. */
  static void closeAll(Rig... rigs) {
    java.util.List<Child> children = new java.util.ArrayList<>();
    for (Rig rig : rigs) {
      if (rig != null) {
        children.add(rig.receiver);
        children.add(rig.sut);
      }
    }
    Child.closeAll(children);
  }
}
