package io.wsink.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.testkit.RecordingServer;
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

import static io.wsink.testkit.RestAssertions.assertEmptyBody;
import static io.wsink.testkit.RestAssertions.assertError;
import static io.wsink.testkit.RestAssertions.assertErrorEnvelope;
import static io.wsink.testkit.RestAssertions.assertErrorStartsWith;
import static io.wsink.testkit.Rules.clientProps;
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
  private RecordingServer remote;
  private final List<WsClient> clients = new ArrayList<>();

  @AfterEach
  void tearDown(VertxTestContext ctx) {
    Future<Void> remoteClosed = remote == null ? Future.succeededFuture() : remote.close();
    Future<?> all = Future.join(WsClient.closeAll(clients), remoteClosed);
    all.transform(ar -> node == null ? Future.succeededFuture() : node.stop())
      .onComplete(ar -> ctx.completeNow());
  }

  // ---- server mode ----------------------------------------------------------------------------------------

  @Test
  void serverModeWithoutAnyEndpointSaysTheServerIsNotInitializedAndStartsNothing(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.post(CHECK, new JsonObject().put("path", "/x")))
      .compose(r -> {
        assertError(r, 400, "http server is not initialized");
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
        assertError(r, 400, "websocket has no endpoint /x");
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
        assertError(r, 400, "websocket endpoint /x has no connection");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void serverModeWithAClientIs200AndChangesNothing(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.post("/connection/websocket", new JsonObject().put("endpoint", "/x")))
      .compose(r -> WsClient.connect(vertx, node.dataUrl("/x")).onSuccess(clients::add))
      .compose(c -> node.awaitClients("/x", 1))
      .compose(e -> node.post(CHECK, new JsonObject().put("path", "/x").put("checkConnection", true)))
      .compose(r -> {
        assertEmptyBody(r, 200);
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
        assertError(r, 400, "websocket sink conf path should be defined");
        return node.post(CHECK, new JsonObject().put("path", "x"));
      })
      .compose(r -> {
        assertError(r, 400, "websocket endpoint should start with /");
        return node.post(CHECK, null);
      })
      .map(r -> {
        assertErrorStartsWith(r, 400, 1000, "Invalid body: ");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void anUnknownSinkTypeIsRefused(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> n.post("/metadata/sinks/connection/mqtt", new JsonObject().put("server", "tcp://127.0.0.1:1883")))
      .map(r -> {
        JsonObject body = assertErrorEnvelope(r, 400);
        assertTrue(body.getString("message").contains("mqtt"), body.encode());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- client mode ----------------------------------------------------------------------------------------

  @Test
  void clientModeDialsAndClosesAReachableServer(Vertx vertx, VertxTestContext ctx) {
    remote = new RecordingServer(vertx, "remote");
    remote.listen()
      .compose(port -> start(vertx).compose(n -> n.post(CHECK, clientProps(port))))
      .compose(r -> {
        assertEmptyBody(r, 200);
        assertEquals(1, remote.connections(), "the check opened one connection");
        return remote.awaitUntil("the check's close", s -> !s.closeCodes().isEmpty());
      })
      .compose(v -> {
        assertEquals((short) 1000, remote.closeCodes().get(0), "the check closes its connection normally");
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
        String message = assertErrorEnvelope(r, 400).getString("message");
        assertTrue(message.contains("127.0.0.1:" + closedPort), message);
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- helpers --------------------------------------------------------------------------------------------

  private Future<TestNode> start(Vertx vertx) {
    return TestNode.start(vertx, tmp).map(n -> node = n);
  }
}
