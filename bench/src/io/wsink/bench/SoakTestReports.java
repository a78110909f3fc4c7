package io.wsink.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fault and bad-input part of the soak: bench/soak.sh runs the test classes that inject them (Maven, before the
 * load phases) and this reads their Surefire/Failsafe reports: how many tests passed, and the one-line summary each
 * class prints (restarts, messages sent and received, bad requests thrown), from which the losses are taken.
 */
final class SoakTestReports {

  /** A test class run by soak.sh, what it injects, and where its report lies. */
  private record Suite(String area, String className, String injects, boolean integration) {
    String simpleName() {
      return className.substring(className.lastIndexOf('.') + 1);
    }
  }

  private static final List<Suite> SUITES = List.of(
    new Suite("faults", "io.wsink.sink.RemoteRestartsTest",
      "client mode: the remote server restarted 100× while messages flow; a remote that stops reading, then crashes",
      false),
    new Suite("faults", "io.wsink.sink.DialFailuresTest",
      "client mode: TLS handshake failure, unresolvable host: shown in status, recovered once fixed", false),
    new Suite("faults", "io.wsink.store.StoreFaultTest",
      "store read-only at runtime; a cache page that cannot be written", false),
    new Suite("faults", "io.wsink.it.ShutdownUnderLoadIT",
      "SIGTERM to the fat jar under load: queue flushed within 5 s, 1001 to every socket, exit 0", true),
    new Suite("bad input", "io.wsink.api.BadInputTest",
      "seeded generator: malformed, mistyped, nested, oversized and hostile REST requests", false),
    new Suite("bad input", "io.wsink.server.ProtocolViolationTest",
      "raw TCP: unmasked frames, reserved opcodes and bits, fragmented control frames, invalid UTF-8, resets", false),
    new Suite("bad input", "io.wsink.server.Utf8CheckTest", "UTF-8 validation across frame boundaries", false),
    new Suite("slow clients", "io.wsink.server.SlowClientsAtScaleTest",
      "100 clients, 10 paused, each policy: every drop counted exactly, 90 fast complete", false),
    new Suite("slow clients", "io.wsink.server.SlowClientTest",
      "one paused client per policy; a peer that stops reading is still closed by the ping check", false));

  private static final Pattern SUITE_COUNTS = Pattern.compile(
    "<testsuite [^>]*?tests=\"(\\d+)\"[^>]*?errors=\"(\\d+)\"[^>]*?skipped=\"(\\d+)\"[^>]*?failures=\"(\\d+)\"");
  private static final Pattern RESTARTS = Pattern.compile("(\\d+) messages sent, (\\d+) received");
  private static final Pattern SHUTDOWN = Pattern.compile("(\\d+) in all; clients received \\[([\\d, ]+)], the remote (\\d+)");

  private final Path root;
  private final List<Long> lost = new ArrayList<>();

  SoakTestReports(Path root) {
    this.root = root;
  }

  /**
   * Adds a row per test class, and returns the messages the faults lost (accepted, never delivered, not counted).
   *
   * @param ran the simple names of the classes soak.sh ran: each must be one of {@link #SUITES}
   */
  List<Long> summarize(SoakTable table, List<String> ran) {
    for (String name : ran) {
      if (SUITES.stream().noneMatch(s -> s.simpleName().equals(name))) {
        table.row("tests", name, "ran by soak.sh, but SoakTestReports does not describe it", "described", false);
      }
    }
    for (Suite suite : SUITES) {
      Path dir = root.resolve(suite.integration() ? "target/failsafe-reports" : "target/surefire-reports");
      try {
        Path xml = dir.resolve("TEST-" + suite.className() + ".xml");
        if (!Files.exists(xml)) {
          table.row(suite.area(), suite.injects(), "no report (" + root.relativize(xml) + "): did not run", "all pass",
            false);
          continue;
        }
        Matcher m = SUITE_COUNTS.matcher(Files.readString(xml));
        if (!m.find()) {
          table.row(suite.area(), suite.injects(), "unreadable report " + root.relativize(xml), "all pass", false);
          continue;
        }
        int tests = Integer.parseInt(m.group(1));
        int broken = Integer.parseInt(m.group(2)) + Integer.parseInt(m.group(4));
        int skipped = Integer.parseInt(m.group(3));
        List<String> lines = summaryLines(dir.resolve(suite.className() + "-output.txt"), suite.simpleName());
        String result = suite.simpleName() + ": " + (tests - broken - skipped) + "/" + tests + " passed"
          + (lines.isEmpty() ? "" : " — " + String.join("; ", lines).replace('|', '/'));
        table.row(suite.area(), suite.injects(), result, "all pass", tests > 0 && broken == 0 && skipped == 0);
        lines.forEach(this::countLost);
      } catch (IOException e) {
        table.failed(suite.area(), suite.simpleName() + ": " + e.getMessage());
      }
    }
    return lost;
  }

  /** The lines a test class prints for this summary ("RemoteRestartsTest: …"), without the class name. */
  private static List<String> summaryLines(Path output, String simpleName) throws IOException {
    if (!Files.exists(output)) {
      return List.of();
    }
    String prefix = simpleName + ": ";
    try (var all = Files.lines(output)) {
      return all.filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).toList();
    }
  }

  private void countLost(String line) {
    Matcher restarts = RESTARTS.matcher(line);
    if (restarts.find()) {
      lost.add(Long.parseLong(restarts.group(1)) - Long.parseLong(restarts.group(2)));
    }
    Matcher shutdown = SHUTDOWN.matcher(line);
    if (shutdown.find()) {
      long all = Long.parseLong(shutdown.group(1));
      long fewest = Long.parseLong(shutdown.group(3));
      for (String n : shutdown.group(2).split(",\\s*")) {
        fewest = Math.min(fewest, Long.parseLong(n.trim()));
      }
      lost.add(all - fewest);
    }
  }
}
