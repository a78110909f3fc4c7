package io.wsink.bench;

import io.vertx.core.json.JsonObject;

import java.io.IOException;

import static io.wsink.bench.Table.RAW;
import static io.wsink.bench.Table.WSINK;

/**
 * Idle server-mode connections: heap (after GC, reported by the server itself) and RSS (/proc/&lt;pid&gt;/status) before
 * and after {@code idleConnections} clients connect, per connection, and whether /ping still answers. A fresh server
 * process per run, raw and wsink alternating.
 */
final class IdleBench {

  static final String CELL = "idle";

  private final Plan plan;
  private final Launcher launcher;
  private final Results results;
  private final Budget budget;

  IdleBench(Plan plan, Launcher launcher, Results results, Budget budget) {
    this.plan = plan;
    this.launcher = launcher;
    this.results = results;
    this.budget = budget;
  }

  void run() throws InterruptedException {
    for (int run = 0; run < plan.runs(); run++) {
      for (String impl : run % 2 == 0 ? new String[] {RAW, WSINK} : new String[] {WSINK, RAW}) {
        if (!budget.allows(60_000)) { // 10 000 handshakes per side take 5-45 s here
          results.failed(CELL, "run " + run + " " + impl + " skipped: not enough of the time budget left");
          continue;
        }
        try {
          results.add(CELL, impl, run, measure(impl, run));
        } catch (Child.BenchException | IOException | RuntimeException e) {
          results.failed(CELL, impl + " run " + run + ": " + e.getMessage());
        }
      }
    }
  }

  private JsonObject measure(String impl, int run) throws Child.BenchException, InterruptedException, IOException {
    String tag = "idle-" + run;
    Child sut = impl.equals(RAW) ? launcher.rawServer(tag) : launcher.wsinkServer(tag, plan.window(plan.idleConnections()));
    Child load = null;
    try {
      JsonObject ready = sut.expect("READY", 60_000);
      int pingPort = ready.getInteger("pingPort");
      sut.send("mem");
      long heapBefore = sut.expect("MEM", 20_000).getLong("heapUsed");
      long rssBefore = sut.rssKiB();
      int n = plan.idleConnections();
      long t0 = System.currentTimeMillis();
      load = launcher.javaLoad(tag + "-" + impl, "ws://127.0.0.1:" + ready.getInteger("port") + ready.getString("path"), n);
      Rigs.awaitConnected(load, n);
      System.err.println("bench: idle " + impl + " run " + run + ": " + n + " connections in "
        + (System.currentTimeMillis() - t0) + " ms");
      Thread.sleep(1000); // let the accept backlog and handshakes settle
      sut.send("mem");
      long heapAfter = sut.expect("MEM", 20_000).getLong("heapUsed");
      long rssAfter = sut.rssKiB();
      double worstPingMs = 0;
      boolean allOk = true;
      for (int i = 0; i < 5; i++) {
        Ping.Answer answer = Ping.once(pingPort, 2000);
        allOk &= answer.ok();
        worstPingMs = Math.max(worstPingMs, answer.millis());
      }
      return new JsonObject().put("connections", n)
        .put("heapPerConnKiB", (heapAfter - heapBefore) / 1024.0 / n)
        .put("rssPerConnKiB", (rssAfter - rssBefore) / (double) n)
        .put("heapBeforeMiB", heapBefore / 1048576.0).put("heapAfterMiB", heapAfter / 1048576.0)
        .put("rssBeforeMiB", rssBefore / 1024.0).put("rssAfterMiB", rssAfter / 1024.0)
        .put("pingOk", allOk ? 1.0 : 0.0).put("pingWorstMs", worstPingMs);
    } finally {
      if (load != null) {
        load.close();
      }
      sut.close();
    }
  }
}
