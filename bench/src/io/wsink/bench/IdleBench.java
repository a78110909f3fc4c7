package io.wsink.bench;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static io.wsink.bench.Table.RAW;
import static io.wsink.bench.Table.WSINK;

/**
 * Idle server-mode connections: heap (after GC, reported by the server itself) and RSS (/proc/&lt;pid&gt;/status) before
 * and after {@code idleConnections} clients connect, per connection, and whether /ping still answers. Each run starts
 * a fresh raw and a fresh wsink server side by side (memory is per process; the handshakes, CPU-bound, overlap).
 */
final class IdleBench {

  static final String CELL = "idle";
  /** 2 × 10 000 handshakes, at 1-2 ms of CPU each per side, took 20-90 s on the busy 2-core bench machine. */
  private static final long RUN_COST_MS = 90_000;
  private static final int PINGS = 5;

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

  /** One server under test while its connections come and sit. */
  private static final class Subject {
    final String impl;
    final Child sut;
    JsonObject ready;
    long heapBefore;
    long rssBefore;
    Child load;

    Subject(String impl, Child sut) {
      this.impl = impl;
      this.sut = sut;
    }
  }

  void run() throws InterruptedException {
    for (int run = 0; run < plan.runs(); run++) {
      if (!budget.allows(RUN_COST_MS)) {
        results.failed(CELL, "runs " + (run + 1) + ".." + plan.runs() + " skipped: time budget");
        return;
      }
      List<Subject> subjects = new ArrayList<>();
      try {
        String tag = "idle-" + run;
        subjects.add(new Subject(RAW, launcher.rawServer(tag)));
        subjects.add(new Subject(WSINK, launcher.wsinkServer(tag, plan.window(plan.idleConnections()))));
        measure(subjects, run);
      } catch (Child.BenchException | IOException | RuntimeException e) {
        results.failed(CELL, "run " + run + ": " + e.getMessage());
      } finally {
        List<Child> children = new ArrayList<>();
        subjects.forEach(s -> {
          children.add(s.load);
          children.add(s.sut);
        });
        Child.closeAll(children);
      }
    }
  }

  private void measure(List<Subject> subjects, int run) throws Child.BenchException, InterruptedException, IOException {
    int n = plan.idleConnections();
    for (Subject s : subjects) {
      s.ready = s.sut.expect("READY", 60_000);
      s.sut.send("mem");
      s.heapBefore = s.sut.expect("MEM", 20_000).getLong("heapUsed");
      s.rssBefore = s.sut.rssKiB();
    }
    long t0 = System.currentTimeMillis();
    for (Subject s : subjects) {
      s.load = launcher.javaLoad("idle-" + run + "-" + s.impl,
        "ws://127.0.0.1:" + s.ready.getInteger("port") + s.ready.getString("path"), n);
    }
    for (Subject s : subjects) {
      Rigs.awaitConnected(s.load, n);
    }
    System.err.println("bench:   idle run " + run + ": 2 × " + n + " connections in " + (System.currentTimeMillis() - t0)
      + " ms");
    Thread.sleep(1000); // let the last handshakes and the accept backlog settle
    for (Subject s : subjects) {
      s.sut.send("mem");
      long heapAfter = s.sut.expect("MEM", 20_000).getLong("heapUsed");
      long rssAfter = s.sut.rssKiB();
      double worstPingMs = 0;
      boolean allOk = true;
      for (int i = 0; i < PINGS; i++) {
        Ping.Answer answer = Ping.once(s.ready.getInteger("pingPort"), 2000);
        allOk &= answer.ok();
        worstPingMs = Math.max(worstPingMs, answer.millis());
      }
      results.add(CELL, s.impl, run, new JsonObject().put("connections", n)
        .put("heapPerConnKiB", (heapAfter - s.heapBefore) / 1024.0 / n)
        .put("rssPerConnKiB", (rssAfter - s.rssBefore) / (double) n)
        .put("heapBeforeMiB", s.heapBefore / 1048576.0).put("heapAfterMiB", heapAfter / 1048576.0)
        .put("rssBeforeMiB", s.rssBefore / 1024.0).put("rssAfterMiB", rssAfter / 1024.0)
        .put("pingOk", allOk ? 1.0 : 0.0).put("pingWorstMs", worstPingMs));
    }
  }
}
