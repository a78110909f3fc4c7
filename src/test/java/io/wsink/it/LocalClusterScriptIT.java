package io.wsink.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsink.testkit.TestNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code deploy/local-cluster.sh} as a user runs it: {@code start 3} brings up a cluster of three fat-jar nodes on
 * free loopback ports (its own Hazelcast ports and cluster name, so that it joins nothing else), a rule created
 * through node 1 is listed by node 3, and {@code stop} ends every node with exit code 0.
 */
@Timeout(300)
class LocalClusterScriptIT {

  private static final int NODES = 3;
  private static final Path SCRIPT = Path.of("deploy", "local-cluster.sh").toAbsolutePath();
  /** What the script may take for "start" (it waits WSINK_START_TIMEOUT for readiness, then stops what started). */
  private static final Duration START_WITHIN = Duration.ofSeconds(150);
  /** What the script may take for "stop" and "status". */
  private static final Duration STOP_WITHIN = Duration.ofSeconds(60);
  private static final Duration SHARED_WITHIN = Duration.ofSeconds(30);
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  Path dir;

  private Path work;
  private int restBase;
  private int dataBase;
  private int hzBase;

  @BeforeEach
  void ports() {
    work = dir.resolve("cluster");
    restBase = TestNode.freePorts(NODES);
    dataBase = TestNode.freePorts(NODES);
    hzBase = TestNode.freePorts(NODES);
  }

  /** Whatever the test left running: the script's stop, then SIGKILL for a node that outlived it. */
  @AfterEach
  void stopWhatIsLeft() {
    if (runningNodes().isEmpty()) {
      return;
    }
    script(STOP_WITHIN, "stop");
    for (ProcessHandle node : runningNodes()) {
      node.destroyForcibly();
      node.onExit().completeOnTimeout(node, 10, TimeUnit.SECONDS).join();
    }
  }

  @Test
  void startsAClusterThatSharesRulesAndStopsEveryNodeCleanly() {
    Run start = script(START_WITHIN, "start", String.valueOf(NODES));
    assertEquals(0, start.exitCode(), () -> "start " + NODES + " failed:\n" + start.output() + logs());
    assertTrue(Files.isRegularFile(work.resolve("cluster.xml")),
      "a cluster.xml of its own for other Hazelcast ports and another cluster name:\n" + start.output());

    for (int n = 1; n <= NODES; n++) {
      HttpResponse<String> ready = get(n, "/health/ready");
      int node = n;
      assertEquals(200, ready.statusCode(), () -> "node " + node + " /health/ready: " + ready.body() + logs());
    }
    Run status = script(STOP_WITHIN, "status");
    assertEquals(0, status.exitCode(), status::output);
    assertEquals(NODES, status.output().lines().filter(l -> l.matches("\\d+\\s+\\d+\\s+running\\s.*")).count(),
      status::output);

    HttpResponse<String> created = post(1, "/rules",
      new JsonObject().put("id", "r1").put("actions", new JsonArray()
        .add(new JsonObject().put("websocket", new JsonObject().put("path", "/x")))));
    assertEquals(201, created.statusCode(), created::body);
    Poll.until("node " + NODES + " to list rule r1", SHARED_WITHIN, () -> ruleIds(NODES),
      ids -> ids.contains("r1"));

    List<Long> pids = pids();
    assertEquals(NODES, pids.size(), "one pid file per node");
    Run stop = script(STOP_WITHIN, "stop");
    assertEquals(0, stop.exitCode(), () -> "stop failed:\n" + stop.output() + logs());
    for (int n = 1; n <= NODES; n++) {
      long pid = pids.get(n - 1);
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
        "node " + n + " (pid " + pid + ") still runs after stop");
      assertEquals("0", read(nodeDir(n).resolve("exit-code")).trim(), "exit code of node " + n + logs());
      assertTrue(stop.output().contains("node " + n + ": stopped (exit code 0)"), stop.output());
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // The script

  private record Run(int exitCode, String output) {
  }

  /** Runs {@code bash deploy/local-cluster.sh args} with this test's ports and work directory, bounded. */
  private Run script(Duration within, String... args) {
    List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    command.addAll(List.of(args));
    Path output = dir.resolve("script-" + args[0] + "-" + UUID.randomUUID() + ".out");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.toUpperCase().startsWith("WSINK"));
    env.put("WSINK_CLUSTER_DIR", work.toString());
    env.put("WSINK_REST_BASE", String.valueOf(restBase));
    env.put("WSINK_DATA_BASE", String.valueOf(dataBase));
    env.put("WSINK_HZ_BASE", String.valueOf(hzBase));
    env.put("WSINK_CLUSTER_NAME", "wsink-it-" + hzBase);
    env.put("WSINK_JAR", WsinkProcess.jar().toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    // short-lived test nodes, as WsinkProcess starts them
    env.put("WSINK_JAVA_OPTS", "-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
    env.put("WSINK_START_TIMEOUT", "90");
    env.put("WSINK_STOP_TIMEOUT", "40");
    try {
      Process process = builder.start();
      if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        fail("local-cluster.sh " + String.join(" ", args) + " did not end within " + within.toSeconds() + " s:\n"
          + read(output) + logs());
      }
      return new Run(process.exitValue(), read(output));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running local-cluster.sh", e);
    }
  }

  private Path nodeDir(int n) {
    return work.resolve("node-" + n);
  }

  /** The pid of each node, from its pid file, in node order. */
  private List<Long> pids() {
    List<Long> pids = new ArrayList<>();
    for (int n = 1; n <= NODES; n++) {
      Path pid = nodeDir(n).resolve("wsink.pid");
      if (Files.isRegularFile(pid)) {
        pids.add(Long.parseLong(read(pid).trim()));
      }
    }
    return pids;
  }

  /** The nodes still running: a live process of that pid whose command line names the node's directory. */
  private List<ProcessHandle> runningNodes() {
    List<ProcessHandle> running = new ArrayList<>();
    for (long pid : pids()) {
      ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
        .filter(h -> h.info().commandLine().map(c -> c.contains(work.toString())).orElse(false))
        .ifPresent(running::add);
    }
    return running;
  }

  /** The last lines of every node's log, for a failure message. */
  private String logs() {
    StringBuilder out = new StringBuilder();
    for (int n = 1; n <= NODES; n++) {
      Path log = nodeDir(n).resolve("wsink.log");
      List<String> lines = read(log).lines().toList();
      out.append("\n----- ").append(log).append(" (last 60 lines) -----\n");
      lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(l -> out.append(l).append('\n'));
    }
    return out.toString();
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // REST of node n

  private List<String> ruleIds(int n) {
    HttpResponse<String> rules = get(n, "/rules");
    assertEquals(200, rules.statusCode(), rules::body);
    return new JsonArray(rules.body()).stream().map(r -> ((JsonObject) r).getString("id")).toList();
  }

  private HttpResponse<String> get(int n, String uri) {
    return send(request(n, uri).GET());
  }

  private HttpResponse<String> post(int n, String uri, JsonObject body) {
    return send(request(n, uri).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(body.encode())));
  }

  private HttpRequest.Builder request(int n, String uri) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (restBase + n - 1) + uri))
      .timeout(Duration.ofSeconds(10));
  }

  private static HttpResponse<String> send(HttpRequest.Builder builder) {
    HttpRequest request = builder.build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(request.method() + " " + request.uri() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted during " + request.method() + " " + request.uri(), e);
    }
  }
}
