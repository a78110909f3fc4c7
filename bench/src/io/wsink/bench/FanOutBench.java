package io.wsink.bench;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Server mode: for each client count N, raw and wsink servers run side by side (each with its own load client
 * process), and the phases alternate between them run by run, so that run k of both saw the same machine noise.
 * Per run: the fixed-rate latency phase, then max throughput for each size. At the N of the client check, the Java
 * load clients are then swapped for npm ws clients and the 100 B throughput phase is repeated.
 */
final class FanOutBench {

  /** Long enough for C2 to compile the hot paths even when other work starves the compiler threads. */
  private static final long PRIME_MS = 3000;
  /** Starting two servers and two load clients, and priming them, on a busy 2-core machine. */
  private static final long START_AND_PRIME_MS = 20_000;
  /** Arming, stopping, the server's report and the quiet wait around each measured phase. */
  private static final long PHASE_OVERHEAD_MS = 1_500;
  /**
   * The rule's action: {@code overflow: block}, the same job as the raw baseline, whose generator waits while a socket
   * is full. A client slower than the generator then holds back the generator's acknowledgements instead of losing
   * messages (the default, drop-oldest, keeps the producer going and drops them).
   */
  private static final JsonObject LOSSLESS = new JsonObject().put("overflow", "block");

  private final Plan plan;
  private final Launcher launcher;
  private final Results results;
  private final Budget budget;

  FanOutBench(Plan plan, Launcher launcher, Results results, Budget budget) {
    this.plan = plan;
    this.launcher = launcher;
    this.results = results;
    this.budget = budget;
  }

  static String throughputCell(int clients, int size) {
    return "fanout-n" + clients + "-s" + size;
  }

  static String latencyCell(int clients) {
    return "latency-n" + clients;
  }

  static String nodeCell(int clients) {
    return "node-fanout-n" + clients + "-s100";
  }

  void run() throws InterruptedException {
    for (int n : plan.fanOutClients()) {
      if (!budget.allows(START_AND_PRIME_MS + runCost())) {
        results.failed(latencyCell(n), "skipped: not enough of the time budget left");
        plan.sizes().forEach(size -> results.failed(throughputCell(n, size), "skipped: not enough time left"));
        continue;
      }
      measure(n);
    }
  }

  /** A rough upper bound of one run of one N: every phase of both implementations, with its overhead. */
  private long runCost() {
    return 2L * ((plan.warmupMs() + plan.latencyMeasureMs() + PHASE_OVERHEAD_MS)
      + plan.sizes().size() * (plan.warmupMs() + plan.measureMs() + PHASE_OVERHEAD_MS));
  }

  private void measure(int n) throws InterruptedException {
    String tag = "fanout-n" + n;
    Rig raw = null;
    Rig wsink = null;
    try {
      Rig[] rigs = Rigs.serverMode(launcher.rawServer(tag), launcher.wsinkServer(tag, plan.window(n), LOSSLESS, new JsonObject()), n,
        (impl, url, c) -> launcher.javaLoad(tag + "-" + impl, url, c));
      raw = rigs[0];
      wsink = rigs[1];
      Rig.prime(100, PRIME_MS, raw, wsink);
      for (int run = 0; run < plan.runs(); run++) {
        if (!budget.allows(runCost())) {
          results.failed("N=" + n, "runs " + (run + 1) + ".." + plan.runs() + " skipped: time budget");
          break;
        }
        Rig[] order = alternate(run, raw, wsink);
        for (Rig rig : order) {
          results.add(latencyCell(n), rig.impl(), run,
            rig.run(PhaseSpec.latency(plan.latencySize(), Plan.latencyRate(n), plan)));
        }
        for (int size : plan.sizes()) {
          for (Rig rig : order) {
            results.add(throughputCell(n, size), rig.impl(), run, rig.run(PhaseSpec.throughput(size, plan)));
          }
        }
      }
      if (plan.nodeCheckClients().contains(n)) {
        nodeCheck(n, raw, wsink);
      }
    } catch (Child.BenchException | java.io.IOException | RuntimeException e) {
      results.failed(throughputCell(n, plan.sizes().get(0)), e.getMessage());
    } finally {
      Rig.closeAll(raw, wsink);
    }
  }

  /**
   * The same 100 B throughput cell, with the same (warm) servers, measured by npm ws clients instead: if the figures
   * differ much from the Java client's, a client is the bottleneck.
   */
  private void nodeCheck(int n, Rig raw, Rig wsink) throws Child.BenchException, InterruptedException, java.io.IOException {
    String cell = nodeCell(n);
    if (!budget.allows((long) plan.runs() * 2 * (plan.warmupMs() + plan.measureMs() + PHASE_OVERHEAD_MS) + 10_000)) {
      results.failed(cell, "skipped: not enough of the time budget left");
      return;
    }
    for (Rig rig : new Rig[] {raw, wsink}) {
      rig.replaceReceiver(url -> {
        Child node = launcher.nodeLoad("node-n" + n + "-" + rig.impl(), url, n);
        Rigs.awaitConnected(node, n);
        return node;
      });
    }
    for (int run = 0; run < plan.runs(); run++) {
      for (Rig rig : alternate(run, raw, wsink)) {
        results.add(cell, rig.impl(), run, rig.run(PhaseSpec.throughput(100, plan)));
      }
    }
  }

  /** Raw first in even runs, wsink first in odd ones: neither always gets the fresher machine. */
  private static Rig[] alternate(int run, Rig raw, Rig wsink) {
    return run % 2 == 0 ? new Rig[] {raw, wsink} : new Rig[] {wsink, raw};
  }
}
