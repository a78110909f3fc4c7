package io.wsink.testkit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.wsink.Wsink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * A whole wsink node deployed in-process with {@link Wsink#deploy}: REST API and data server on free loopback ports, the
 * store in a test's temporary directory, no conf/ (packaged defaults). Talk to it with {@link #post}, {@link #get}, …
 */
public final class TestNode {

  private final Vertx vertx;
  private final int restPort;
  private final int dataPort;
  private final WebClient http;
  private String deploymentId;

  private TestNode(Vertx vertx, int restPort, int dataPort) {
    this.vertx = vertx;
    this.restPort = restPort;
    this.dataPort = dataPort;
    this.http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(restPort));
  }

  /** Starts a node whose store lives in {@code dir}. */
  public static Future<TestNode> start(Vertx vertx, Path dir) {
    return start(vertx, dir, new JsonObject());
  }

  /**
   * @param extra sections merged over the test defaults, e.g. {@code {"rest": {"tokens": ["t"]}}}
   */
  public static Future<TestNode> start(Vertx vertx, Path dir, JsonObject extra) {
    TestNode node = new TestNode(vertx, freePort(), freePort());
    JsonObject config = new JsonObject()
      .put("confDir", dir.resolve("no-conf").toString())
      .put("rest", new JsonObject().put("ip", "127.0.0.1").put("port", node.restPort))
      .put("store", new JsonObject().put("dir", dir.resolve("data").toString()))
      .put("source", new JsonObject().put("httpServerIp", "127.0.0.1").put("httpServerPort", node.dataPort))
      .mergeIn(extra, true);
    return Wsink.deploy(vertx, config).map(id -> {
      node.deploymentId = id;
      return node;
    });
  }

  /**
   * A free TCP port on loopback (bound and released; the data server binds lazily, so it needs a known port). It is
   * drawn below Linux's ephemeral range (32768 and up by default): a port from that range, once released, can be taken
   * at any moment by an outgoing connection of this or another process, and a test that binds it again fails.
   */
  public static int freePort() {
    return freePorts(1);
  }

  /**
   * The first of {@code count} consecutive free TCP ports on loopback (see {@link #freePort}), for a program that
   * numbers its ports from a base, such as {@code deploy/local-cluster.sh}.
   */
  public static int freePorts(int count) {
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = FIXED_PORTS_FROM + RANDOM.nextInt(FIXED_PORTS_TO - FIXED_PORTS_FROM - count + 1);
      if (allFree(base, count)) {
        return base;
      }
    }
    throw new UncheckedIOException(new IOException("no " + count + " consecutive free port(s) between "
      + FIXED_PORTS_FROM + " and " + FIXED_PORTS_TO + " after 200 attempts"));
  }

  private static boolean allFree(int base, int count) {
    java.util.List<ServerSocket> held = new java.util.ArrayList<>();
    try {
      for (int port = base; port < base + count; port++) {
        held.add(new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress()));
      }
      return true;
    } catch (IOException taken) {
      return false;
    } finally {
      for (ServerSocket socket : held) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // released either way
        }
      }
    }
  }

  /** Holds a free loopback port (see {@link #freePort}) until closed: the test's stand-in for "port in use". */
  public static ServerSocket takePort() throws IOException {
    return new ServerSocket(freePort(), 50, java.net.InetAddress.getLoopbackAddress());
  }

  private static final int FIXED_PORTS_FROM = 20_000;
  private static final int FIXED_PORTS_TO = 32_000;
  private static final java.util.Random RANDOM = new java.util.Random();

  public Vertx vertx() {
    return vertx;
  }

  public int restPort() {
    return restPort;
  }

  public int dataPort() {
    return dataPort;
  }

  /** {@code ws://127.0.0.1:<data port><path>} */
  public String dataUrl(String path) {
    return "ws://127.0.0.1:" + dataPort + path;
  }

  public String deploymentId() {
    return deploymentId;
  }

  public Future<HttpResponse<Buffer>> get(String uri) {
    return http.get(uri).send();
  }

  public Future<HttpResponse<Buffer>> delete(String uri) {
    return http.delete(uri).send();
  }

  /** POST with a JSON body ({@link JsonObject}/{@link JsonArray}), a text body (String, sent as-is) or none (null). */
  public Future<HttpResponse<Buffer>> post(String uri, Object body) {
    return send(http.post(uri), body);
  }

  public Future<HttpResponse<Buffer>> put(String uri, Object body) {
    return send(http.put(uri), body);
  }

  private static Future<HttpResponse<Buffer>> send(io.vertx.ext.web.client.HttpRequest<Buffer> request, Object body) {
    if (body == null) {
      return request.send();
    }
    if (body instanceof JsonObject || body instanceof JsonArray) {
      return request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body.toString()));
    }
    return request.sendBuffer(Buffer.buffer(body.toString()));
  }

  /** Creates a rule and fails unless the API answered 201. */
  public Future<Void> createRule(JsonObject rule) {
    return post("/rules", rule).compose(r -> r.statusCode() == 201 ? Future.<Void>succeededFuture()
      : Future.failedFuture("POST /rules answered " + r.statusCode() + ": " + r.bodyAsString()));
  }

  /** {@code GET /rules/{id}/status}; fails unless the API answered 200. */
  public Future<JsonObject> status(String ruleId) {
    return get("/rules/" + ruleId + "/status").compose(r -> r.statusCode() == 200
      ? Future.succeededFuture(r.bodyAsJsonObject())
      : Future.failedFuture(new AssertionError("GET /rules/" + ruleId + "/status answered " + r.statusCode() + ": "
        + r.bodyAsString())));
  }

  /** Polls the status of rule {@code ruleId} until {@code until} holds ({@link Poll} bounds); completes with it. */
  public Future<JsonObject> awaitStatus(String ruleId, String what, Predicate<JsonObject> until) {
    return awaitStatus(ruleId, what, until, Poll.ATTEMPTS);
  }

  /** As {@link #awaitStatus(String, String, Predicate)}, at most {@code attempts} times. */
  public Future<JsonObject> awaitStatus(String ruleId, String what, Predicate<JsonObject> until, int attempts) {
    return Poll.until(vertx, "rule " + ruleId + ": " + what, attempts, Poll.DELAY_MS, () -> status(ruleId), until);
  }

  /** The entry of {@code GET /connection/websocket} for endpoint {@code path}, or null; fails unless 200. */
  public Future<JsonObject> endpoint(String path) {
    return get("/connection/websocket").compose(r -> r.statusCode() != 200
      ? Future.failedFuture(new AssertionError("GET /connection/websocket answered " + r.statusCode() + ": "
        + r.bodyAsString()))
      : Future.succeededFuture(r.bodyAsJsonArray().stream().map(JsonObject.class::cast)
        .filter(e -> path.equals(e.getString("endpoint"))).findFirst().orElse(null)));
  }

  /**
   * Waits until the data server counts {@code n} clients on endpoint {@code path} (a client's upgrade completes on its
   * side before the server counts it); completes with the endpoint's entry.
   */
  public Future<JsonObject> awaitClients(String path, int n) {
    return Poll.until(vertx, n + " client(s) on " + path, () -> endpoint(path),
      e -> e != null && e.getInteger("clients") == n);
  }

  /** Undeploys the node (a graceful stop, as on SIGTERM). */
  public Future<Void> stop() {
    http.close();
    return deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId);
  }
}
