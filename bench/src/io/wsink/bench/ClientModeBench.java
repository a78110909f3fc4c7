package io.wsink.bench;

import static io.wsink.bench.Table.RAW;

/**
 * Client mode: a raw Vert.x WebSocketClient and a wsink client-mode rule each push to their own counting server at max
 * rate with back-pressure, alternating run by run, for each message size.
 */
final class ClientModeBench {

  /** Long enough for C2 to compile the hot paths even when other work starves the compiler threads. */
  private static final long PRIME_MS = 3000;
  private static final long START_AND_PRIME_MS = 15_000;

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

  /** One run: a phase per size for both implementations, with overhead. */
  private long runCost() {
    return 2L * plan.sizes().size() * (plan.warmupMs() + plan.measureMs() + 1_500);
  }

  static String cell(int size) {
    return "client-s" + size;
  }

  void run() throws InterruptedException {
    if (!budget.allows(START_AND_PRIME_MS + runCost())) {
      plan.sizes().forEach(s -> results.failed(cell(s), "skipped: not enough of the time budget left"));
      return;
    }
    Rig raw = null;
    Rig wsink = null;
    try {
      Rig[] rigs = Rigs.clientMode(launcher.countingServer("client-raw"), launcher.countingServer("client-wsink"),
        (impl, target) -> impl.equals(RAW) ? launcher.rawClient("client", target)
          : launcher.wsinkClient("client", target, plan.window(1)));
      raw = rigs[0];
      wsink = rigs[1];
      Rig.prime(100, PRIME_MS, raw, wsink);
      for (int run = 0; run < plan.runs(); run++) {
        if (!budget.allows(runCost())) {
          results.failed("client mode", "runs " + (run + 1) + ".." + plan.runs() + " skipped: time budget");
          break;
        }
        for (int size : plan.sizes()) {
          for (Rig rig : run % 2 == 0 ? new Rig[] {raw, wsink} : new Rig[] {wsink, raw}) {
            results.add(cell(size), rig.impl(), run, rig.run(PhaseSpec.throughput(size, plan)));
          }
        }
      }
    } catch (Child.BenchException | java.io.IOException | RuntimeException e) {
      results.failed(cell(plan.sizes().get(0)), e.getMessage());
    } finally {
      Rig.closeAll(raw, wsink);
    }
  }
}
