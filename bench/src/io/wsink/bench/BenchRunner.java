package io.wsink.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.Function;

import static io.wsink.bench.Table.Target;

/**
 * The orchestrator behind bench/run.sh: starts every process of every cell (servers under test, load clients, counting
 * servers), collects their figures, prints the Markdown table and writes every run to bench/target/results.
 *
 * <p>{@code java -cp bench/target/classes:target/wsink.jar io.wsink.bench.BenchRunner [--quick] [--runs N]
 * [--budget-s S] [--window W] [--only start,server,client,idle,diagnose] [--clients 1,100] [--jfr] [--diagnose]
 * [--event-loops N]}
 */
public final class BenchRunner {

  private BenchRunner() {
  }

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv);
    Plan plan = Plan.from(args);
    Path root = Path.of(args.get("root", ".")).toAbsolutePath().normalize();
    Budget budget = Budget.ofMillis(args.getInt("budget-s", 540) * 1000L);
    Runtime.getRuntime().addShutdownHook(new Thread(Child::killAll, "kill-children"));

    if (args.has("jfr")) {
      Files.createDirectories(root.resolve("bench/target/jfr"));
    }
    clearDirectory(root.resolve("bench/target/logs")); // the logs then belong to this run only
    int wsinkEventLoops = args.getInt("event-loops", 1);
    Launcher launcher = new Launcher(root, args.has("jfr"), wsinkEventLoops);
    Results results = new Results();
    Table table = describe(plan, results);
    long t0 = System.currentTimeMillis();
    String loadBefore = loadAverage();
    // --diagnose adds the diagnosis to the default sections; --only diagnose runs it alone
    java.util.Set<String> only = java.util.Set.of(args.get("only",
      "start,server,client,idle" + (args.has("diagnose") ? ",diagnose" : "")).split(","));
    try {
      if (only.contains("start")) {
        section("start-up", () -> new StartupBench(plan, launcher, results).run());
      }
      // fan-out first, but it leaves time for one client-mode round and the idle cell even on a busy machine
      if (only.contains("server")) {
        section("server mode", () -> new FanOutBench(plan, launcher, results,
          budget.leaving((only.contains("idle") ? 95_000 : 0) + (only.contains("client") ? 40_000 : 0))).run());
      }
      if (only.contains("client")) {
        section("client mode", () -> new ClientModeBench(plan, launcher, results,
          budget.leaving(only.contains("idle") ? 95_000 : 0)).run());
      }
      if (only.contains("idle")) {
        section("idle connections", () -> new IdleBench(plan, launcher, results, budget).run());
      }
      if (only.contains("diagnose")) {
        section("diagnose", () -> new DiagnoseBench(plan, launcher, results, budget).run());
      }
    } finally {
      Child.killAll();
    }
    String loadAfter = loadAverage();
    String diagnosis = "";
    if (only.contains("diagnose")) {
      Table diagnose = new Table(results, plan.runs(), Table.RAW, "raw Vert.x", Table.RAW_VIA_EVENT_BUS,
        "raw via event bus");
      for (int n : plan.nodeCheckClients()) {
        diagnose.row(DiagnoseBench.cell(n), "fan-out N=" + n + ", 100 B", msgPerSecMetric(), Target.none(), true);
        diagnose.row(DiagnoseBench.cell(n), "fan-out N=" + n + ", 100 B", perCpuMetric(), Target.none(), false);
      }
      diagnosis = "\n\nDiagnosis: the same raw server, fed through the event bus by wsink's generator\n\n"
        + diagnose.render();
    }
    String markdown = table.render() + diagnosis + "\n" + table.failures() + "\n\n" + plan.runs() + " run(s) per cell; " + Runtime.getRuntime().availableProcessors()
      + " CPUs; wsink's bench process with " + (wsinkEventLoops > 0 ? wsinkEventLoops + " event loop(s)" : "Vert.x's default event loops")
      + "; load average (1, 5, 15 min) before: " + loadBefore + ", after: " + loadAfter
      + " (other work on the machine competes with every process of the bench).";
    System.out.println();
    System.out.println(markdown);
    Path out = root.resolve("bench/target/results");
    JsonObject meta = new JsonObject().put("finished", Instant.now().toString()).put("quick", plan.quick())
      .put("loadAverageBefore", loadBefore).put("loadAverageAfter", loadAfter)
      .put("runs", plan.runs()).put("fixedWindow", plan.fixedWindow())
      .put("windowByClients", new JsonObject(plan.fanOutClients().stream().collect(
        java.util.stream.Collectors.toMap(String::valueOf, n -> (Object) plan.window(n))))).put("seconds", (System.currentTimeMillis() - t0) / 1000)
      .put("fanOutClients", new JsonArray(plan.fanOutClients())).put("sizes", new JsonArray(plan.sizes()));
    results.write(out, meta);
    Files.writeString(out.resolve("table.md"), markdown + "\n");
    System.out.println("\nEvery run: " + root.relativize(out.resolve("runs.csv")) + " and runs.json; logs in "
      + root.relativize(root.resolve("bench/target/logs")) + " (" + (System.currentTimeMillis() - t0) / 1000 + " s)");
    System.exit(0);
  }

  private static void clearDirectory(Path dir) throws java.io.IOException {
    if (Files.isDirectory(dir)) {
      try (var files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  /** The first three fields of /proc/loadavg: how busy the machine was, which every figure depends on. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + ", " + f[1] + ", " + f[2];
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  private interface Section {
    void run() throws Exception;
  }

  private static void section(String name, Section section) throws Exception {
    long t0 = System.currentTimeMillis();
    System.err.println("bench: " + name + " ...");
    section.run();
    System.err.println("bench: " + name + " done in " + (System.currentTimeMillis() - t0) / 1000 + " s");
  }

  /** The rows of the table, in reading order, with their targets. */
  private static Table describe(Plan plan, Results results) {
    Table table = new Table(results, plan.runs());
    Table.Metric msgPerSec = msgPerSecMetric();
    Table.Metric perCpu = perCpuMetric();
    Target fanOutTarget = new Target("≥ 0.85 × raw, 0 lost", Target.Kind.RATIO_AT_LEAST, 0.85, true);
    for (int size : plan.sizes()) {
      for (int n : plan.fanOutClients()) {
        table.row(FanOutBench.throughputCell(n, size), "fan-out N=" + n + ", " + sizeText(size), msgPerSec,
          fanOutTarget, true);
        table.row(FanOutBench.throughputCell(n, size), "fan-out N=" + n + ", " + sizeText(size), perCpu,
          Target.none(), false);
      }
    }
    for (int n : plan.fanOutClients()) {
      String label = "latency N=" + n + " @ " + Plan.latencyRate(n) + " msg/s, " + sizeText(plan.latencySize());
      table.row(FanOutBench.latencyCell(n), label, latency("p50", "p50"), Target.none(), false);
      table.row(FanOutBench.latencyCell(n), label, latency("p99", "p99"),
        new Target("≤ 1.5 × raw, 0 lost/reordered, rate kept", Target.Kind.RATIO_AT_MOST, 1.5, true, true), true);
      table.row(FanOutBench.latencyCell(n), label, latency("p99.9", "p999"), Target.none(), false);
      table.row(FanOutBench.latencyCell(n), label, new Table.Metric("delivered / requested rate",
        d -> d.getDouble("rateReached"), Table::percent), Target.none(), false);
    }
    for (int size : plan.sizes()) {
      table.row(ClientModeBench.cell(size), "client mode, " + sizeText(size), msgPerSec, fanOutTarget, true);
      table.row(ClientModeBench.cell(size), "client mode, " + sizeText(size),
        new Table.Metric("MB/s (payload)", d -> d.getDouble("bytesPerSec") / 1e6, Table::decimal), Target.none(), false);
      table.row(ClientModeBench.cell(size), "client mode, " + sizeText(size), perCpu, Target.none(), false);
    }
    for (int n : plan.nodeCheckClients()) {
      table.row(FanOutBench.nodeCell(n), "client check: fan-out N=" + n + ", 100 B, npm ws client", msgPerSec,
        Target.none(), true);
    }
    String idle = plan.idleConnections() + " idle clients";
    table.row(IdleBench.CELL, idle, new Table.Metric("heap growth per connection (after GC)",
      d -> d.getDouble("heapPerConnKiB"), Table::kib), new Target("≤ 30 KiB", Target.Kind.WSINK_AT_MOST, 30, false), false);
    table.row(IdleBench.CELL, idle, new Table.Metric("RSS growth per connection",
      d -> d.getDouble("rssPerConnKiB"), Table::kib), new Target("≤ 30 KiB", Target.Kind.WSINK_AT_MOST, 30, false), false);
    table.row(IdleBench.CELL, idle, new Table.Metric("/ping answers 200 (all runs)", d -> d.getDouble("pingOk"),
      Table::yesNo), new Target("responsive", Target.Kind.WSINK_ALL_TRUE, 1, false), false);
    table.row(IdleBench.CELL, idle, new Table.Metric("/ping slowest of 5", d -> d.getDouble("pingWorstMs"),
      Table::decimalMs), Target.none(), false);
    table.row(StartupBench.CELL, "start (java -jar → first 200 on /ping)", new Table.Metric("ms",
      d -> d.getDouble("readyMs"), Table::millis), new Target("≤ 1500 ms", Target.Kind.WSINK_AT_MOST, 1500, false), false);
    table.row(StartupBench.CELL, "idle after start", new Table.Metric("RSS", d -> d.getDouble("rssIdleMiB"), Table::mib),
      Target.none(), false);
    return table;
  }

  private static Table.Metric msgPerSecMetric() {
    return new Table.Metric("msg/s delivered", d -> d.getDouble("msgPerSec"), Table::rate);
  }

  private static Table.Metric perCpuMetric() {
    return new Table.Metric("deliveries per CPU-second of the server process",
      d -> d.getDouble("deliveriesPerCpuSecond"), Table::rate);
  }

  private static Table.Metric latency(String name, String key) {
    Function<JsonObject, Double> read = d -> {
      JsonObject lat = d.getJsonObject("latencyUs");
      double v = lat == null ? -1 : lat.getDouble(key, -1.0);
      return v < 0 ? Double.NaN : v;
    };
    return new Table.Metric(name, read, Table::micros);
  }

  private static String sizeText(int size) {
    return size % 1024 == 0 ? size / 1024 + " KiB" : size + " B";
  }
}
