package io.wsink.bench;

import static io.wsink.bench.Table.RAW;
import static io.wsink.bench.Table.WSINK;

/**
 * Client mode: a raw Vert.x WebSocketClient and a wsink client-mode rule each push to their own counting server at max
 * rate with back-pressure, alternating run by run, for each message size.
 */
final class ClientModeBench {

  private static final long PRIME_MS = 1500;

  private final Plan plan;
  private final Launcher launcher;
  private final Results results;
  private final Budget budget;

  ClientModeBench(Plan plan, Launcher launcher, Results results, Budget budget) {
    this.plan = plan;
    this.launcher = launcher;
    this.results = results;
    this.budget = budget;
  }

  static String cell(int size) {
    return "client-s" + size;
  }

  void run() throws InterruptedException {
    long estimate = (long) plan.runs() * plan.sizes().size() * 2 * (plan.warmupMs() + plan.measureMs() + 700) + 10_000;
    if (!budget.allows(estimate)) {
      plan.sizes().forEach(s -> results.failed(cell(s), "skipped: not enough of the time budget left"));
      return;
    }
    Rig raw = null;
    Rig wsink = null;
    try {
      raw = Rigs.clientMode(RAW, launcher.countingServer("client-raw"), target -> launcher.rawClient("client", target));
      wsink = Rigs.clientMode(WSINK, launcher.countingServer("client-wsink"),
        target -> launcher.wsinkClient("client", target, plan.window(1)));
      raw.prime(100, PRIME_MS);
      wsink.prime(100, PRIME_MS);
      for (int run = 0; run < plan.runs(); run++) {
        for (int size : plan.sizes()) {
          for (Rig rig : run % 2 == 0 ? new Rig[] {raw, wsink} : new Rig[] {wsink, raw}) {
            results.add(cell(size), rig.impl(), run, rig.run(PhaseSpec.throughput(size, plan)));
          }
        }
      }
    } catch (Child.BenchException | java.io.IOException | RuntimeException e) {
      results.failed(cell(plan.sizes().get(0)), e.getMessage());
    } finally {
      if (raw != null) {
        raw.close();
      }
      if (wsink != null) {
        wsink.close();
      }
    }
  }
}
