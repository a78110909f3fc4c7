package io.wsink.bench;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.wsink.bench.SoakTable.count;
import static io.wsink.bench.SoakTable.mib;

/**
 * Slow clients at scale (issue 6): for each overflow policy, one wsink process (a node with one server-mode rule,
 * {@link WsinkMain}) fans 1 KiB messages out to 100 clients at the highest rate back-pressure allows. 90 clients (one
 * load process) are measured throughout; the 10 others (a second process) read in the first and last phase and are
 * paused in the middle one (a load client that stops reading right after the upgrade). With 10 paused, the 90 must get
 * every message at a rate per client within 10 % of the mean of the all-fast phases; the heap after GC, with the
 * paused clients' queues full, must stay below clientQueueBytes × clients plus a fixed margin; the policy must do
 * what §4 says, its drops counted in the rule status.
 */
final class SlowClientsSoak {

  static final List<String> POLICIES = List.of("drop-oldest", "drop-newest", "disconnect");
  private static final int CLIENTS = 100;
  private static final int PAUSED = 10;
  private static final int SIZE = 1024;
  /** §4's default clientQueueBytes, which the rule keeps. */
  private static final long QUEUE_BYTES = 1_048_576;
  /** What the node's heap may grow by beyond the client queues: Vert.x, 100 connections, JIT'd code, the generator. */
  private static final long HEAP_MARGIN = 64L << 20;
  private static final double MOST_SLOWDOWN = 0.10;
  private static final long WARMUP_MS = 2_000;
  private static final long MEASURE_MS = 5_000;
  /** Most time the paused clients' buffers get to fill before the measured phase. */
  private static final long FILL_MS = 40_000;
  /** One policy: a node and three load processes started, primed, two phases, the reads; on a busy 2-core machine. */
  static final long COST_MS = 100_000;
  private static final String METRIC = "sink_websocket_0_0_";

  private final Launcher launcher;
  private final SoakTable table;
  private final Budget budget;
  private final List<Long> fastLost = new ArrayList<>();

  SlowClientsSoak(Launcher launcher, SoakTable table, Budget budget) {
    this.launcher = launcher;
    this.table = table;
    this.budget = budget;
  }

  /** Messages the fast clients lost, reordered or got twice, per policy run that completed. */
  List<Long> fastLost() {
    return fastLost;
  }

  void run() throws InterruptedException {
    for (String policy : POLICIES) {
      String area = "slow clients · " + policy;
      if (!budget.allows(COST_MS)) {
        table.failed(area, "skipped: not enough of the time budget left");
        continue;
      }
      try {
        measure(policy, area);
      } catch (Child.BenchException | IOException | RuntimeException e) {
        table.failed(area, String.valueOf(e.getMessage()));
      }
    }
  }

  private void measure(String policy, String area) throws Child.BenchException, InterruptedException, IOException {
    String tag = "soak-" + policy;
    Child sut = launcher.wsinkServer(tag, Plan.windowFor(CLIENTS), new JsonObject().put("overflow", policy),
      new JsonObject());
    Rig rig = null;
    Child others = null;
    try {
      JsonObject ready = sut.expect("READY", 60_000);
      String url = "ws://127.0.0.1:" + ready.getInteger("port") + ready.getString("path");
      int rest = ready.getInteger("pingPort");
      long heapIdle = heapAfterGc(sut);

      // the same 90 clients are measured throughout; beside them 10 more clients read (all fast) or stop reading
      int fast = CLIENTS - PAUSED;
      Child measured = launcher.javaLoad(tag + "-fast" + fast, url, fast);
      rig = new Rig(Table.WSINK, sut, url, measured);
      Rigs.awaitConnected(measured, fast);
      others = launcher.javaLoad(tag + "-fast" + PAUSED, url, PAUSED);
      Rigs.awaitConnected(others, PAUSED);
      Rig.prime(SIZE, 3_000, rig);
      PhaseSpec phase = new PhaseSpec(PhaseSpec.THROUGHPUT, SIZE, 0, WARMUP_MS, MEASURE_MS);
      JsonObject fastBefore = rig.run(phase);
      others = swap(others, tag + "-paused" + PAUSED, url, "--paused");
      // the paused connections' kernel buffers take megabytes before wsink queues anything: an unmeasured run first,
      // until the policy acts, so that the measured phase runs with every paused queue full. (Not with larger
      // messages: at the highest rate those overflow the fast clients' queues too, whose drops would then be counted.)
      boolean full = rig.runUntil(SIZE, () -> policyActed(rest, policy), FILL_MS);
      JsonObject pausedRun = rig.run(phase);
      long heapPaused = heapAfterGc(sut);
      JsonObject status = SoakRest.ruleStatus(rest, WsinkMain.RULE_ID);
      long maxQueued = SoakRest.endpoint(rest, WsinkMain.PATH).getLong("maxQueuedBytes");

      // back to all fast, so that the paused phase is compared with the mean of one before and one after it (the
      // machine's load drifts, and other work on it competes with every process here)
      others = swap(others, tag + "-fast" + PAUSED + "-again", url);
      JsonObject fastAfter = rig.run(phase);

      double perClientFast = (perClient(fastBefore) + perClient(fastAfter)) / 2;
      double perClientPaused = perClient(pausedRun);
      double ratio = perClientPaused / perClientFast;
      table.row(area, "msg/s per client of the " + fast + " measured: 10 others fast (before · after) → 10 paused",
        String.format(Locale.ROOT, "%s · %s → %s (× %.2f of the mean)", rate(perClient(fastBefore)),
          rate(perClient(fastAfter)), rate(perClientPaused), ratio),
        String.format(Locale.ROOT, "≥ × %.2f", 1 - MOST_SLOWDOWN), ratio >= 1 - MOST_SLOWDOWN);
      // the same per CPU-second the node got: what the paused clients cost the node itself, less sensitive than msg/s
      // to what other work on the machine leaves it
      double cpuFast = (perCpuSecond(fastBefore) + perCpuSecond(fastAfter)) / 2;
      double cpuRatio = perCpuSecond(pausedRun) / cpuFast;
      table.row(area, "messages fanned out per CPU-second of the node: 10 others fast (before · after) → 10 paused",
        String.format(Locale.ROOT, "%s · %s → %s (× %.2f of the mean)", rate(perCpuSecond(fastBefore)),
          rate(perCpuSecond(fastAfter)), rate(perCpuSecond(pausedRun)), cpuRatio),
        String.format(Locale.ROOT, "≥ × %.2f", 1 - MOST_SLOWDOWN), cpuRatio >= 1 - MOST_SLOWDOWN);

      long gaps = pausedRun.getLong("gaps", -1L);
      long reorders = pausedRun.getLong("reorders", -1L);
      long duplicates = pausedRun.getLong("duplicates", -1L);
      int measuredClients = pausedRun.getInteger("connections", 0);
      long closed = pausedRun.getLong("closedConnections", -1L);
      long fewest = pausedRun.getLong("minPerConnection", 0L);
      fastLost.add(gaps + reorders + duplicates);
      table.row(area, "the " + fast + " fast clients with " + PAUSED + " paused: messages lost · reordered · twice ·"
          + " clients closed",
        count(gaps) + " · " + count(reorders) + " · " + count(duplicates) + " · " + closed + " (" + measuredClients
          + " clients, " + count(pausedRun.getLong("received")) + " received, fewest measured by one "
          + count(fewest) + ")",
        "0 · 0 · 0 · 0",
        gaps == 0 && reorders == 0 && duplicates == 0 && closed == 0 && measuredClients == fast && fewest > 0);

      long dropped = status.getLong(METRIC + "records_dropped_total", -1L);
      int connected = status.getInteger(METRIC + "clients", -1);
      long disconnected = status.getLong(METRIC + "clients_disconnected_total", 0L);
      boolean disconnect = policy.equals("disconnect");
      table.row(area, "the paused clients: drops counted (records_dropped_total) · clients connected · disconnected",
        count(dropped) + " · " + connected + " · " + disconnected + (full ? "" : " (the policy had not acted after "
          + FILL_MS / 1000 + " s of filling)"),
        disconnect ? "≥ " + PAUSED + " · " + fast + " · " + PAUSED : "> 0 · " + CLIENTS + " · 0",
        disconnect ? dropped >= PAUSED && connected == fast && disconnected == PAUSED
          : dropped > 0 && connected == CLIENTS && disconnected == 0);

      long bound = QUEUE_BYTES * CLIENTS + HEAP_MARGIN;
      long growth = heapPaused - heapIdle;
      table.row(area, "heap after GC with the paused queues full, over the idle node · most queued for one client",
        mib(growth) + " (" + mib(heapIdle) + " → " + mib(heapPaused) + ") · " + count(maxQueued) + " B",
        "≤ " + mib(bound) + " (1 MiB × " + CLIENTS + " + " + mib(HEAP_MARGIN) + ") · ≤ " + count(QUEUE_BYTES) + " B",
        growth <= bound && maxQueued <= QUEUE_BYTES);
    } finally {
      List<Child> all = new ArrayList<>();
      all.add(others);
      if (rig == null) {
        all.add(sut);
      }
      Child.closeAll(all);
      Rig.closeAll(rig);
    }
  }

  /** Drops counted (drop policies) or every paused client disconnected (disconnect). */
  private static boolean policyActed(int rest, String policy) throws IOException, InterruptedException {
    JsonObject status = SoakRest.ruleStatus(rest, WsinkMain.RULE_ID);
    return policy.equals("disconnect") ? status.getLong(METRIC + "clients_disconnected_total", 0L) >= PAUSED
      : status.getLong(METRIC + "records_dropped_total", 0L) > 0;
  }

  /** Closes {@code current} (its clients go away) and starts {@value #PAUSED} clients in its place. */
  private Child swap(Child current, String name, String url, String... options)
    throws Child.BenchException, InterruptedException, IOException {
    Child.closeAll(List.of(current));
    Child next = launcher.javaLoad(name, url, PAUSED, options);
    Rigs.awaitConnected(next, PAUSED);
    return next;
  }

  private static double perClient(JsonObject run) throws Child.BenchException {
    if (run.containsKey("error")) {
      throw new Child.BenchException("the load client: " + run.getString("error"));
    }
    return run.getDouble("msgPerSec") / Math.max(1, run.getInteger("connections", 1));
  }

  private static String rate(double perSecond) {
    return count(Math.round(perSecond));
  }

  /** Messages the node fanned out (as the measured clients received them) per second of CPU it used. */
  private static double perCpuSecond(JsonObject run) {
    return run.getDouble("deliveriesPerCpuSecond", Double.NaN) / Math.max(1, run.getInteger("connections", 1));
  }

  static long heapAfterGc(Child sut) throws Child.BenchException, InterruptedException {
    sut.send("mem");
    return sut.expect("MEM", 20_000).getLong("heapUsed");
  }
}
