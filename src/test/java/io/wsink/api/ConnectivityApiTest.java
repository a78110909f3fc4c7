package io.wsink.api;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.testkit.TestNode;
import io.wsink.testkit.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** §6.3 {@code POST /metadata/sinks/connection/websocket}: can these action properties reach somebody now? */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class ConnectivityApiTest {

  private static final String CHECK = "/metadata/sinks/connection/websocket";

  @TempDir
  Path tmp;

  private TestNode node;
  private HttpServer remote;
  private final List<WsClient> clients = new ArrayList<>();

  @AfterEach
  void tearDown(VertxTestContext ctx) {
    List<Future<?>> all = new ArrayList<>();
    clients.forEach(c -> all.add(c.close().recover(e -> Future.succeededFuture())));
    if (remote != null) {
      all.add(remote.close());
    }
    Future.join(all).transform(ar -> node == null ? Future.succeededFuture() : node.stop())
      .onComplete(ar -> ctx.completeNow());
  }

  // ---- server mode ----------------------------------------------------------------------------------------

  @Test
  void serverModeWithoutAnyEndpointSaysTheServerIsNotInitializedAndStartsNothing(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.post(CHECK, new JsonObject().put("path", "/x")))
      .compose(r -> {
        assertRefused(r, "http server is not initialized");
        return node.get("/connection/websocket");
      })
      .compose(r -> {
        assertEquals(new JsonArray(), r.bodyAsJsonArray(), "the check registers nothing");
        return WsClient.connect(vertx, node.dataUrl("/x")).onSuccess(clients::add)
          .transform(ar -> Future.succeededFuture(ar.failed() ? ar.cause() : null));
      })
      .map(err -> {
        assertNotNull(err, "the data server must not have been started by a check");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void serverModeWithAnotherEndpointSaysThereIsNoSuchEndpoint(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.post("/connection/websocket", new JsonObject().put("endpoint", "/other")))
      .compose(r -> node.post(CHECK, new JsonObject().put("path", "/x")))
      .compose(r -> {
        assertRefused(r, "websocket has no endpoint /x");
        return node.get("/connection/websocket?endpoint=/x");
      })
      .map(r -> {
        assertEquals("false", r.bodyAsString(), "the check registers nothing");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void serverModeWithoutClientsSaysThereIsNoConnection(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.post("/connection/websocket", new JsonObject().put("endpoint", "/x")))
      .compose(r -> node.post(CHECK, new JsonObject().put("path", "/x").put("checkConnection", true)))
      .map(r -> {
        assertRefused(r, "websocket endpoint /x has no connection");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void serverModeWithAClientIs200AndChangesNothing(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.post("/connection/websocket", new JsonObject().put("endpoint", "/x")))
      .compose(r -> WsClient.connect(vertx, node.dataUrl("/x")).onSuccess(clients::add))
      .compose(c -> poll(() -> node.get("/connection/websocket"),
        r -> r.bodyAsJsonArray().getJsonObject(0).getInteger("clients") == 1, "the client to be counted"))
      .compose(r -> node.post(CHECK, new JsonObject().put("path", "/x").put("checkConnection", true)))
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertTrue(r.body() == null || r.body().length() == 0, "empty body, got: " + r.bodyAsString());
        return node.get("/connection/websocket");
      })
      .map(r -> {
        JsonArray list = r.bodyAsJsonArray();
        assertEquals(1, list.size(), list.encode());
        assertEquals(new JsonArray().add("rest"), list.getJsonObject(0).getJsonArray("holders"), list.encode());
        assertEquals(1, list.getJsonObject(0).getInteger("clients"), list.encode());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void missingPathIsRefused(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.post(CHECK, new JsonObject().put("checkConnection", true)))
      .compose(r -> {
        assertRefused(r, "websocket sink conf path should be defined");
        return node.post(CHECK, new JsonObject().put("path", "x"));
      })
      .compose(r -> {
        assertRefused(r, "websocket endpoint should start with /");
        return node.post(CHECK, null);
      })
      .map(r -> {
        assertEquals(400, r.statusCode(), r.bodyAsString());
        assertTrue(r.bodyAsJsonObject().getString("message").startsWith("Invalid body: "), r.bodyAsString());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void anUnknownSinkTypeIsRefused(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.post("/metadata/sinks/connection/mqtt", new JsonObject().put("server", "tcp://127.0.0.1:1883")))
      .map(r -> {
        assertEquals(400, r.statusCode(), r.bodyAsString());
        assertJsonContentType(r);
        JsonObject body = r.bodyAsJsonObject();
        assertNotNull(body.getInteger("error"), body.encode());
        assertTrue(body.getString("message").contains("mqtt"), body.encode());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- client mode ----------------------------------------------------------------------------------------

  @Test
  void clientModeDialsAndClosesAReachableServer(Vertx vertx, VertxTestContext ctx) {
    AtomicInteger upgrades = new AtomicInteger();
    Promise<Short> closedByProbe = Promise.promise();
    remote = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)).webSocketHandler(ws -> {
      upgrades.incrementAndGet();
      ws.closeHandler(v -> closedByProbe.tryComplete(ws.closeStatusCode()));
    });
    remote.listen()
      .compose(s -> start(vertx))
      .compose(n -> n.post(CHECK, new JsonObject().put("addr", "127.0.0.1:" + remote.actualPort()).put("path", "/in")))
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertTrue(r.body() == null || r.body().length() == 0, "empty body, got: " + r.bodyAsString());
        assertEquals(1, upgrades.get(), "the check opened one connection");
        return closedByProbe.future();
      })
      .compose(code -> {
        assertEquals((short) 1000, code, "the check closes its connection normally");
        return node.get("/rules");
      })
      .map(r -> {
        assertEquals(new JsonArray(), r.bodyAsJsonArray());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void clientModeReportsTheDialError(Vertx vertx, VertxTestContext ctx) {
    int closedPort = TestNode.freePort();
    start(vertx)
      .compose(n -> n.post(CHECK, new JsonObject().put("addr", "127.0.0.1:" + closedPort).put("path", "/in")))
      .map(r -> {
        assertEquals(400, r.statusCode(), r.bodyAsString());
        assertJsonContentType(r);
        String message = r.bodyAsJsonObject().getString("message");
        assertTrue(message.contains("127.0.0.1:" + closedPort), message);
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- helpers --------------------------------------------------------------------------------------------

  private Future<TestNode> start(Vertx vertx) {
    return TestNode.start(vertx, tmp).map(n -> node = n);
  }

  /** Asks {@code probe} every 50 ms, at most 100 times, until {@code done} holds. */
  private <T> Future<T> poll(Supplier<Future<T>> probe, Predicate<T> done, String what) {
    Promise<T> result = Promise.promise();
    attempt(probe, done, what, 100, result);
    return result.future();
  }

  private <T> void attempt(Supplier<Future<T>> probe, Predicate<T> done, String what, int left, Promise<T> result) {
    probe.get().onComplete(ar -> {
      if (ar.succeeded() && done.test(ar.result())) {
        result.complete(ar.result());
      } else if (left <= 1) {
        result.fail(new AssertionError("gave up waiting for " + what + "; last answer: "
          + (ar.succeeded() ? describe(ar.result()) : ar.cause())));
      } else {
        node.vertx().setTimer(50, id -> attempt(probe, done, what, left - 1, result));
      }
    });
  }

  private static String describe(Object o) {
    return o instanceof HttpResponse<?> r ? r.statusCode() + " " + r.bodyAsString() : String.valueOf(o);
  }

  private static void assertJsonContentType(HttpResponse<Buffer> r) {
    String type = r.getHeader("Content-Type");
    assertTrue(type != null && type.startsWith("application/json"), "Content-Type: " + type);
  }

  /** 400 with the error envelope and exactly {@code message}. */
  private static void assertRefused(HttpResponse<Buffer> r, String message) {
    assertEquals(400, r.statusCode(), r.bodyAsString());
    assertJsonContentType(r);
    JsonObject body = r.bodyAsJsonObject();
    assertNotNull(body.getInteger("error"), body.encode());
    assertEquals(message, body.getString("message"), body.encode());
    assertEquals(2, body.size(), body.encode());
  }
}
