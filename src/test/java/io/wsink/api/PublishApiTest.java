package io.wsink.api;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** §6.4 {@code POST /publish/{address}}: the body becomes a JsonObject, JsonArray, String or Buffer on the event bus. */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class PublishApiTest {

  private static final String PUBLISH = "/publish/rule.r1";

  @TempDir
  Path tmp;

  private TestNode node;
  private WebClient http;
  private final List<WsClient> clients = new ArrayList<>();

  @AfterEach
  void tearDown(VertxTestContext ctx) {
    List<Future<?>> all = new ArrayList<>();
    clients.forEach(c -> all.add(c.close().recover(e -> Future.succeededFuture())));
    if (http != null) {
      http.close();
    }
    Future.join(all).transform(ar -> node == null ? Future.succeededFuture() : node.stop())
      .onComplete(ar -> ctx.completeNow());
  }

  @Test
  void aJsonObjectIsOneRow(Vertx vertx, VertxTestContext ctx) {
    ruleWithClients(vertx, 1)
      .compose(c -> publish(PUBLISH, "application/json", Buffer.buffer("{\"a\":1,\"s\":\"x\"}")))
      .compose(r -> {
        assertAccepted(r);
        return clients.get(0).awaitMessages(1);
      })
      .map(msgs -> {
        String text = assertInstanceOf(String.class, msgs.get(0), "a JSON row goes out as a text frame");
        assertEquals(new JsonArray().add(new JsonObject().put("a", 1).put("s", "x")), new JsonArray(text));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aJsonArrayIsAResultSet(Vertx vertx, VertxTestContext ctx) {
    JsonArray rows = new JsonArray().add(new JsonObject().put("a", 1)).add(new JsonObject().put("a", 2));
    ruleWithClients(vertx, 1)
      .compose(c -> publish(PUBLISH, "application/json; charset=utf-8", rows.toBuffer()))
      .compose(r -> {
        assertAccepted(r);
        return clients.get(0).awaitMessages(1);
      })
      .map(msgs -> {
        assertEquals(rows, new JsonArray((String) msgs.get(0)));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void plainTextIsSentAsIs(Vertx vertx, VertxTestContext ctx) {
    String text = "temperature 21.5 °C, {not json}";
    ruleWithClients(vertx, 1)
      .compose(c -> publish(PUBLISH, "text/plain; charset=utf-8", Buffer.buffer(text)))
      .compose(r -> {
        assertAccepted(r);
        return clients.get(0).awaitMessages(1);
      })
      .map(msgs -> {
        assertEquals(text, msgs.get(0));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void anyOtherTypeIsABinaryPayload(Vertx vertx, VertxTestContext ctx) {
    byte[] bytes = {0, 1, 2, (byte) 0xfe, (byte) 0xff, '{', '}'};
    ruleWithClients(vertx, 1)
      .compose(c -> publish(PUBLISH, "application/octet-stream", Buffer.buffer(bytes)))
      .compose(r -> {
        assertAccepted(r);
        return clients.get(0).awaitMessages(1);
      })
      .map(msgs -> {
        Buffer frame = assertInstanceOf(Buffer.class, msgs.get(0), "a Buffer payload goes out as a binary frame");
        assertArrayEquals(bytes, frame.getBytes());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void ackAnswersWithTheNumberOfClientsReached(Vertx vertx, VertxTestContext ctx) {
    ruleWithClients(vertx, 2)
      .compose(c -> publish(PUBLISH + "?ack=true", "application/json", Buffer.buffer("{\"n\":1}")))
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertJsonContentType(r);
        assertEquals(new JsonObject().put("delivered", 2), r.bodyAsJsonObject());
        return Future.all(clients.get(0).awaitMessages(1), clients.get(1).awaitMessages(1));
      })
      .map(all -> {
        for (WsClient c : clients) {
          assertEquals(new JsonArray().add(new JsonObject().put("n", 1)), new JsonArray((String) c.messages().get(0)));
        }
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void ackOfARuleWithTwoActionsCountsTheClientsOfBoth(Vertx vertx, VertxTestContext ctx) {
    JsonObject twoActions = new JsonObject().put("id", "r2").put("actions", new JsonArray()
      .add(new JsonObject().put("websocket", new JsonObject().put("path", "/a")))
      .add(new JsonObject().put("websocket", new JsonObject().put("path", "/b"))));
    start(vertx)
      .compose(n -> n.createRule(twoActions))
      .compose(v -> WsClient.connect(vertx, node.dataUrl("/a")).onSuccess(clients::add))
      .compose(c -> WsClient.connect(vertx, node.dataUrl("/b")).onSuccess(clients::add))
      .compose(c -> poll(() -> node.get("/connection/websocket"), r -> r.bodyAsJsonArray().stream()
        .allMatch(e -> ((JsonObject) e).getInteger("clients") == 1), "one client on /a and on /b"))
      .compose(r -> publish("/publish/rule.r2?ack=true", "text/plain", Buffer.buffer("both")))
      .compose(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertEquals(new JsonObject().put("delivered", 2), r.bodyAsJsonObject());
        return Future.all(clients.get(0).awaitMessages(1), clients.get(1).awaitMessages(1));
      })
      .map(all -> {
        assertEquals("both", clients.get(0).messages().get(0));
        assertEquals("both", clients.get(1).messages().get(0));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void ackWithoutClientsDeliversToNobody(Vertx vertx, VertxTestContext ctx) {
    ruleWithClients(vertx, 0)
      .compose(c -> publish(PUBLISH + "?ack=true", "text/plain", Buffer.buffer("into the void")))
      .map(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertEquals(new JsonObject().put("delivered", 0), r.bodyAsJsonObject());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void ackToAnAddressNobodyConsumesIs503(Vertx vertx, VertxTestContext ctx) {
    start(vertx)
      .compose(n -> publish("/publish/nobody.here?ack=true", "application/json", Buffer.buffer("{\"n\":1}")))
      .compose(r -> {
        assertEquals(503, r.statusCode(), r.bodyAsString());
        assertJsonContentType(r);
        JsonObject body = r.bodyAsJsonObject();
        assertNotNull(body.getInteger("error"), body.encode());
        assertTrue(body.getString("message").contains("nobody.here"), body.encode());
        // without ack there is nobody to tell: the publish is accepted
        return publish("/publish/nobody.here", "application/json", Buffer.buffer("{\"n\":1}"));
      })
      .map(r -> {
        assertAccepted(r);
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aJsonScalarOrMalformedJsonIsRefusedAndNotPublished(Vertx vertx, VertxTestContext ctx) {
    ruleWithClients(vertx, 1)
      .compose(c -> publish(PUBLISH, "application/json", Buffer.buffer("42")))
      .compose(r -> {
        assertInvalidBody(r);
        return publish(PUBLISH, "application/json", Buffer.buffer("\"a string\""));
      })
      .compose(r -> {
        assertInvalidBody(r);
        return publish(PUBLISH, "application/json", Buffer.buffer("{\"a\":"));
      })
      .compose(r -> {
        assertInvalidBody(r);
        return publish(PUBLISH, "text/plain", Buffer.buffer("after"));
      })
      .compose(r -> {
        assertAccepted(r);
        return clients.get(0).awaitMessages(1);
      })
      .map(msgs -> {
        assertEquals("after", msgs.get(0), "the refused bodies were not published");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aBodyOverOneMebibyteIs413AndTheNodeCarriesOn(Vertx vertx, VertxTestContext ctx) {
    byte[] big = new byte[1024 * 1024 + 1];
    Arrays.fill(big, (byte) 'a');
    ruleWithClients(vertx, 1)
      .compose(c -> publish(PUBLISH, "text/plain", Buffer.buffer(big)))
      .compose(r -> {
        assertEquals(413, r.statusCode(), r.bodyAsString());
        assertJsonContentType(r);
        JsonObject body = r.bodyAsJsonObject();
        assertNotNull(body.getInteger("error"), body.encode());
        assertNotNull(body.getString("message"), body.encode());
        return publish(PUBLISH, "text/plain", Buffer.buffer("small"));
      })
      .compose(r -> {
        assertAccepted(r);
        return clients.get(0).awaitMessages(1);
      })
      .map(msgs -> {
        assertEquals("small", msgs.get(0), "the oversized body was not published");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aBodyOfExactlyOneMebibyteIsAccepted(Vertx vertx, VertxTestContext ctx) {
    byte[] limit = new byte[1024 * 1024];
    Arrays.fill(limit, (byte) 'b');
    ruleWithClients(vertx, 1)
      .compose(c -> publish(PUBLISH, "application/octet-stream", Buffer.buffer(limit)))
      .compose(r -> {
        assertAccepted(r);
        return clients.get(0).awaitMessages(1);
      })
      .map(msgs -> {
        assertEquals(limit.length, ((Buffer) msgs.get(0)).length());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- helpers --------------------------------------------------------------------------------------------

  private Future<TestNode> start(Vertx vertx) {
    http = WebClient.create(vertx);
    return TestNode.start(vertx, tmp).map(n -> node = n);
  }

  /** A node with rule r1 (from rule.r1, endpoint /p) and {@code n} clients connected and counted. */
  private Future<Void> ruleWithClients(Vertx vertx, int n) {
    Future<Void> chain = start(vertx).compose(node -> node.createRule(RuleApiTest.rule("r1", "/p")));
    for (int i = 0; i < n; i++) {
      chain = chain.compose(v -> WsClient.connect(vertx, node.dataUrl("/p")).onSuccess(clients::add).mapEmpty());
    }
    return chain.compose(v -> poll(() -> node.get("/connection/websocket"),
      r -> r.bodyAsJsonArray().getJsonObject(0).getInteger("clients") == n, n + " client(s) on /p")).mapEmpty();
  }

  private Future<HttpResponse<Buffer>> publish(String uri, String contentType, Buffer body) {
    return http.post(node.restPort(), "127.0.0.1", uri).putHeader("Content-Type", contentType).sendBuffer(body);
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
          + (ar.succeeded() && ar.result() instanceof HttpResponse<?> r ? r.bodyAsString() : ar.cause())));
      } else {
        node.vertx().setTimer(50, id -> attempt(probe, done, what, left - 1, result));
      }
    });
  }

  private static void assertAccepted(HttpResponse<Buffer> r) {
    assertEquals(202, r.statusCode(), r.bodyAsString());
    assertTrue(r.body() == null || r.body().length() == 0, "empty body, got: " + r.bodyAsString());
  }

  private static void assertInvalidBody(HttpResponse<Buffer> r) {
    assertEquals(400, r.statusCode(), r.bodyAsString());
    assertJsonContentType(r);
    JsonObject body = r.bodyAsJsonObject();
    assertEquals(1000, body.getInteger("error"), body.encode());
    assertTrue(body.getString("message").startsWith("Invalid body: "), body.encode());
  }

  private static void assertJsonContentType(HttpResponse<Buffer> r) {
    String type = r.getHeader("Content-Type");
    assertTrue(type != null && type.startsWith("application/json"), "Content-Type: " + type);
  }
}
