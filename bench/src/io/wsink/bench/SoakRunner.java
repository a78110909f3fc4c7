package io.wsink.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The orchestrator behind bench/soak.sh: slow clients at scale ({@link SlowClientsSoak}), a burst of connection
 * attempts ({@link ConnectionBurstSoak}), and the faults and bad inputs of the test classes soak.sh ran before
 * ({@link SoakTestReports}); prints one Markdown table and writes it to bench/target/soak/table.md. Exits 0 when every
 * target was met, 1 otherwise.
 *
 * <p>{@code java -cp bench/target/classes:target/wsink.jar io.wsink.bench.SoakRunner --root DIR [--budget-s S]
 * --tests A,B,C} (the simple names of the test classes soak.sh ran)
 */
public final class SoakRunner {

  private SoakRunner() {
  }

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv);
    Path root = Path.of(args.get("root", ".")).toAbsolutePath().normalize();
    Budget budget = Budget.ofMillis(args.getInt("budget-s", 420) * 1000L);
    Runtime.getRuntime().addShutdownHook(new Thread(Child::killAll, "kill-children"));
    Launcher launcher = new Launcher(root, false, 0);
    SoakTable table = new SoakTable();
    long t0 = System.currentTimeMillis();
    String loadBefore = BenchRunner.loadAverage();
    List<Long> lost = new ArrayList<>();
    try {
      System.err.println("soak: slow clients ...");
      SlowClientsSoak slow = new SlowClientsSoak(launcher, table, budget.leaving(ConnectionBurstSoak.COST_MS));
      slow.run();
      lost.addAll(slow.fastLost());
      System.err.println("soak: connection burst ...");
      if (budget.allows(ConnectionBurstSoak.COST_MS)) {
        new ConnectionBurstSoak(launcher, table).run();
      } else {
        table.failed("connection burst", "skipped: not enough of the time budget left");
      }
    } finally {
      Child.killAll();
    }
    lost.addAll(new SoakTestReports(root).summarize(table, List.of(args.get("tests", "").split(","))));
    long lostSum = lost.stream().mapToLong(Long::longValue).sum();
    table.row("all", "messages wsink accepted and lost without counting them (fast clients' gaps in the slow-client"
        + " runs, restarts, SIGTERM)", SoakTable.count(lostSum) + " (" + lost.size() + " figures: " + lost + ")", "0",
      lostSum == 0 && !lost.isEmpty());
    String markdown = table.render() + "\nFinished " + Instant.now() + " in " + (System.currentTimeMillis() - t0) / 1000
      + " s (load phases); " + Runtime.getRuntime().availableProcessors() + " CPUs; load average (1, 5, 15 min) before: "
      + loadBefore + ", after: " + BenchRunner.loadAverage() + ".";
    System.out.println();
    System.out.println(markdown);
    Path out = Files.createDirectories(root.resolve("bench/target/soak"));
    Files.writeString(out.resolve("table.md"), markdown + "\n");
    System.exit(table.allMet() ? 0 : 1);
  }
}
