package io.wsink.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsink.testkit.TestNode;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The fat jar ({@code target/wsink.jar}, system property {@code wsink.jar}) run as a separate process:
 * {@code java -jar wsink.jar [args]} in a working directory of the test's, with its stdout and stderr kept in
 * {@code wsink-stdout-<n>.log} / {@code wsink-stderr-<n>.log} there (n counts the starts in that directory). Drive it
 * over REST with {@link #get}, {@link #post}, …
 *
 * <p>Always register it with {@link ItResources} so that it is killed after the test and its output is printed when
 * the test failed.
 */
final class WsinkProcess {

  /** Bound on start-up: the REST API answers /ping within this, or the start fails. */
  static final Duration READY_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

  private static final HttpClient HTTP = HttpClient.newBuilder()
    .version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(5))
    .build();

  private final Process process;
  private final Path workDir;
  private final Path stdout;
  private final Path stderr;
  private final int restPort;
  private final int dataPort;

  private WsinkProcess(Process process, Path workDir, Path stdout, Path stderr, int restPort, int dataPort) {
    this.process = process;
    this.workDir = workDir;
    this.stdout = stdout;
    this.stderr = stderr;
    this.restPort = restPort;
    this.dataPort = dataPort;
  }

  /** The fat jar under test. */
  static Path jar() {
    Path jar = Path.of(System.getProperty("wsink.jar", "target/wsink.jar")).toAbsolutePath();
    assertTrue(Files.isRegularFile(jar),
      "the fat jar " + jar + " does not exist: build it with mvn -DskipTests package");
    return jar;
  }

  /** The environment of a node on the given free loopback ports, as the ITs start it. */
  static Map<String, String> portsEnv(int restPort, int dataPort) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("WSINK__REST__PORT", String.valueOf(restPort));
    env.put("WSINK__SOURCE__HTTPSERVERPORT", String.valueOf(dataPort));
    env.put("WSINK__SOURCE__HTTPSERVERIP", "127.0.0.1");
    return env;
  }

  /**
   * Starts a node in {@code workDir} on fresh free ports with its store in {@code workDir/data} and waits until it
   * answers {@code GET /ping}.
   */
  static WsinkProcess startNode(ItResources resources, Path workDir) {
    return startNode(resources, workDir, TestNode.freePort(), TestNode.freePort());
  }

  /** As {@link #startNode(ItResources, Path)} on the given ports. */
  static WsinkProcess startNode(ItResources resources, Path workDir, int restPort, int dataPort) {
    WsinkProcess p = start(resources, workDir, portsEnv(restPort, dataPort), restPort, dataPort, "--data", "data");
    return p.awaitReady();
  }

  /**
   * Starts {@code java -jar wsink.jar args} without waiting for anything.
   *
   * @param env      added to the environment (every inherited {@code WSINK__*} variable is removed first)
   * @param restPort the REST port the node is expected on (for {@link #restUrl()}), or -1
   * @param dataPort the data server port the node is expected on, or -1
   */
  static WsinkProcess start(ItResources resources, Path workDir, Map<String, String> env, int restPort, int dataPort,
                            String... args) {
    try {
      Files.createDirectories(workDir);
      // one log file pair per start, so that a restarted node in the same directory keeps the first one's output
      int n = 1;
      while (Files.exists(workDir.resolve("wsink-stdout-" + n + ".log"))) {
        n++;
      }
      Path out = workDir.resolve("wsink-stdout-" + n + ".log");
      Path err = workDir.resolve("wsink-stderr-" + n + ".log");
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      // a short-lived test node: C1 only and the serial collector start faster and use fewer threads
      command.add("-Xmx256m");
      command.add("-XX:TieredStopAtLevel=1");
      command.add("-XX:+UseSerialGC");
      command.add("-jar");
      command.add(jar().toString());
      command.addAll(List.of(args));
      ProcessBuilder builder = new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectOutput(out.toFile())
        .redirectError(err.toFile());
      builder.environment().keySet().removeIf(k -> k.toUpperCase().startsWith("WSINK__"));
      builder.environment().putAll(env);
      WsinkProcess p = new WsinkProcess(builder.start(), workDir, out, err, restPort, dataPort);
      resources.track(p);
      ItResources.trace("started " + p + " " + String.join(" ", args));
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Polls {@code GET /ping} (every 100 ms, at most {@link #READY_TIMEOUT}) until it answers 200; fails at once, with
   * the output, when the process exits first.
   */
  WsinkProcess awaitReady() {
    return awaitReady(READY_TIMEOUT);
  }

  /** As {@link #awaitReady()}, waiting at most {@code timeout}. */
  WsinkProcess awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String lastProblem = "no answer yet";
    while (System.nanoTime() < deadline) {
      try {
        // waiting for the exit doubles as the pause between two attempts
        if (process.waitFor(100, TimeUnit.MILLISECONDS)) {
          fail("wsink exited with code " + process.exitValue() + " before answering /ping\n" + log());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted while waiting for wsink to start");
      }
      try {
        HttpResponse<String> ping = HTTP.send(HttpRequest.newBuilder(URI.create(restUrl() + "/ping"))
          .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (ping.statusCode() == 200) {
          ItResources.trace(this + " answers /ping");
          return this;
        }
        lastProblem = "GET /ping answered " + ping.statusCode();
      } catch (IOException e) {
        lastProblem = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted while waiting for wsink to start");
      }
    }
    fail("wsink did not answer GET /ping within " + timeout.toSeconds() + " s (" + lastProblem + ")\n" + log());
    return this;
  }

  // ------------------------------------------------------------------------------------------------------------
  // Where it is

  String restUrl() {
    return "http://127.0.0.1:" + restPort;
  }

  int restPort() {
    return restPort;
  }

  int dataPort() {
    return dataPort;
  }

  /** {@code ws://127.0.0.1:<data port><path>} */
  String dataUrl(String path) {
    return "ws://127.0.0.1:" + dataPort + path;
  }

  Path workDir() {
    return workDir;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  // ------------------------------------------------------------------------------------------------------------
  // Signals and exit

  /** SIGKILL: no shutdown hook, no flush, no close frames. */
  void kill9() {
    ItResources.trace("kill -9 " + this);
    signal("KILL");
    if (!waitFor(Duration.ofSeconds(10))) {
      process.toHandle().destroyForcibly();
    }
  }

  /** SIGTERM: the graceful stop of §1. */
  void sigterm() {
    ItResources.trace("kill -TERM " + this);
    signal("TERM");
  }

  private void signal(String name) {
    if (!process.isAlive()) {
      return;
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid()))
        .redirectErrorStream(true).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        // kill(1) unavailable or failed: the JDK sends the same signals on Linux
        if (name.equals("KILL")) {
          process.toHandle().destroyForcibly();
        } else {
          process.toHandle().destroy();
        }
      }
    } catch (IOException e) {
      if (name.equals("KILL")) {
        process.toHandle().destroyForcibly();
      } else {
        process.toHandle().destroy();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** @return true when the process exited within {@code timeout} */
  boolean waitFor(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Waits (bounded) for the exit and returns the exit code; fails when the process is still running. */
  int exitCode(Duration timeout) {
    if (!waitFor(timeout)) {
      fail("wsink did not exit within " + timeout.toSeconds() + " s\n" + log());
    }
    ItResources.trace(this + " exited with " + process.exitValue());
    return process.exitValue();
  }

  /** Stops the process whatever its state: SIGTERM, then SIGKILL when it does not exit within 5 s. */
  void destroy() {
    if (!process.isAlive()) {
      return;
    }
    process.toHandle().destroy();
    if (!waitFor(Duration.ofSeconds(5))) {
      process.toHandle().destroyForcibly();
      waitFor(Duration.ofSeconds(5));
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // Output

  String stdout() {
    return read(stdout);
  }

  String stderr() {
    return read(stderr);
  }

  /** Both outputs, labelled, for failure messages. */
  String log() {
    return "----- wsink (pid " + process.pid() + ", " + workDir + ") stdout -----\n" + stdout()
      + "----- stderr -----\n" + stderr() + "----- end of wsink output -----";
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")\n";
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // REST

  HttpResponse<String> get(String uri) {
    return send(request(uri).GET());
  }

  HttpResponse<String> delete(String uri) {
    return send(request(uri).DELETE());
  }

  /** POST with a JSON body (JsonObject/JsonArray, sent as application/json), a String (text/plain) or none (null). */
  HttpResponse<String> post(String uri, Object body) {
    return send(withBody(request(uri), "POST", body));
  }

  HttpResponse<String> put(String uri, Object body) {
    return send(withBody(request(uri), "PUT", body));
  }

  /** GET that must answer 200 with a JSON object. */
  JsonObject getObject(String uri) {
    HttpResponse<String> r = get(uri);
    assertEquals(200, r.statusCode(), () -> "GET " + uri + " answered " + r.statusCode() + ": " + r.body());
    return new JsonObject(r.body());
  }

  /** GET that must answer 200 with a JSON array. */
  JsonArray getArray(String uri) {
    HttpResponse<String> r = get(uri);
    assertEquals(200, r.statusCode(), () -> "GET " + uri + " answered " + r.statusCode() + ": " + r.body());
    return new JsonArray(r.body());
  }

  /** {@code GET /rules/{id}/status}. */
  JsonObject status(String ruleId) {
    return getObject("/rules/" + ruleId + "/status");
  }

  /** {@code POST /rules} that must answer 201. */
  void createRule(JsonObject rule) {
    HttpResponse<String> r = post("/rules", rule);
    assertEquals(201, r.statusCode(), () -> "POST /rules " + rule.encode() + " answered " + r.statusCode() + ": "
      + r.body());
    assertEquals("Rule " + rule.getString("id") + " was created successfully.", r.body());
  }

  /** {@code POST /publish/{address}} of a JSON row that must answer 202. */
  void publish(String address, JsonObject row) {
    HttpResponse<String> r = post("/publish/" + address, row);
    assertEquals(202, r.statusCode(),
      () -> "POST /publish/" + address + " answered " + r.statusCode() + ": " + r.body());
  }

  /** The number of clients connected to {@code endpoint}, from {@code GET /connection/websocket}; -1 if unknown. */
  int clientsOf(String endpoint) {
    for (Object item : getArray("/connection/websocket")) {
      JsonObject e = (JsonObject) item;
      if (endpoint.equals(e.getString("endpoint"))) {
        return e.getInteger("clients", -1);
      }
    }
    return -1;
  }

  /** Polls until {@code clients} clients are connected to {@code endpoint} (the server side saw the upgrades). */
  void awaitClients(String endpoint, int clients) {
    Poll.until("endpoint " + endpoint + " to have " + clients + " client(s)", Duration.ofSeconds(10),
      () -> clientsOf(endpoint), n -> n == clients);
  }

  private HttpRequest.Builder request(String uri) {
    return HttpRequest.newBuilder(URI.create(restUrl() + uri)).timeout(REQUEST_TIMEOUT);
  }

  private static HttpRequest.Builder withBody(HttpRequest.Builder builder, String method, Object body) {
    if (body == null) {
      return builder.method(method, HttpRequest.BodyPublishers.noBody());
    }
    if (body instanceof JsonObject || body instanceof JsonArray) {
      return builder.header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    }
    return builder.header("Content-Type", "text/plain; charset=utf-8")
      .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
  }

  private HttpResponse<String> send(HttpRequest.Builder builder) {
    HttpRequest request = builder.build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(request.method() + " " + request.uri() + " failed: " + e
        + (process.isAlive() ? "" : " (wsink has exited with " + process.exitValue() + ")"), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted during " + request.method() + " " + request.uri(), e);
    }
  }

  /** A plain HTTP/1.1 GET of any URL (e.g. a data server endpoint). */
  static HttpResponse<String> plainGet(String url) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("GET " + url + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted during GET " + url, e);
    }
  }

  @Override
  public String toString() {
    return "wsink pid " + process.pid() + " in " + workDir;
  }
}
