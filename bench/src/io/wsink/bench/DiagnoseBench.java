package io.wsink.bench;

import static io.wsink.bench.Table.RAW;
import static io.wsink.bench.Table.RAW_VIA_EVENT_BUS;

/**
 * {@code --diagnose}: where does wsink lose time? Raw Vert.x against raw Vert.x fed through the event bus by wsink's
 * own generator (request per message, same window, acknowledged once written), in the 100 B fan-out cells. If the
 * event-bus variant is as slow as wsink, the loss is the hop between verticles; if it is as fast as raw, it is in
 * wsink's own path (pipeline, second hop to the data server, per-client queues).
 */
final class DiagnoseBench {

  private static final long PRIME_MS = 3000;

  private final Plan plan;
  private final Launcher launcher;
  private final Results results;
  private final Budget budget;

  DiagnoseBench(Plan plan, Launcher launcher, Results results, Budget budget) {
    this.plan = plan;
    this.launcher = launcher;
    this.results = results;
    this.budget = budget;
  }

  static String cell(int clients) {
    return "diagnose-n" + clients + "-s100";
  }

  void run() throws InterruptedException {
    for (int n : plan.nodeCheckClients()) {
      if (!budget.allows(20_000 + (long) plan.runs() * 2 * (plan.warmupMs() + plan.measureMs() + 1_500))) {
        results.failed(cell(n), "skipped: not enough of the time budget left");
        continue;
      }
      String tag = "diagnose-n" + n;
      Rig raw = null;
      Rig viaEventBus = null;
      try {
        Rig[] rigs = Rigs.serverMode(RAW, launcher.rawServer(tag), RAW_VIA_EVENT_BUS,
          launcher.rawServerViaEventBus(tag, plan.window(n)), n,
          (impl, url, c) -> launcher.javaLoad(tag + "-" + impl, url, c));
        raw = rigs[0];
        viaEventBus = rigs[1];
        Rig.prime(100, PRIME_MS, raw, viaEventBus);
        for (int run = 0; run < plan.runs(); run++) {
          for (Rig rig : run % 2 == 0 ? new Rig[] {raw, viaEventBus} : new Rig[] {viaEventBus, raw}) {
            results.add(cell(n), rig.impl(), run, rig.run(PhaseSpec.throughput(100, plan)));
          }
        }
      } catch (Child.BenchException | java.io.IOException | RuntimeException e) {
        results.failed(cell(n), e.getMessage());
      } finally {
        Rig.closeAll(raw, viaEventBus);
      }
    }
  }
}
