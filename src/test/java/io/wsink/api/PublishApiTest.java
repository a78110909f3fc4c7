package io.wsink.api;

import io.vertx.core.Future;
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

import static io.wsink.testkit.RestAssertions.assertEmptyBody;
import static io.wsink.testkit.RestAssertions.assertErrorEnvelope;
import static io.wsink.testkit.RestAssertions.assertErrorStartsWith;
import static io.wsink.testkit.RestAssertions.assertJsonContentType;
import static io.wsink.testkit.Rules.rule;
import static io.wsink.testkit.Rules.serverProps;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
    Future<?> all = WsClient.closeAll(clients);
    if (http != null) {
      http.close();
    }
    all.transform(ar -> node == null ? Future.succeededFuture() : node.stop())
      .onComplete(ar -> ctx.completeNow());
  }

  @Test
  void aJsonObjectIsOneRow(Vertx vertx, VertxTestContext ctx) {
    ruleWithClients(vertx, 1)
      .compose(c -> publish(PUBLISH, "application/json", Buffer.buffer("{\"a\":1,\"s\":\"x\"}")))
      .compose(r -> {
        assertEmptyBody(r, 202);
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
        assertEmptyBody(r, 202);
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
        assertEmptyBody(r, 202);
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
        assertEmptyBody(r, 202);
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
    JsonObject twoActions = rule("r2", serverProps("/a"), serverProps("/b"));
    start(vertx)
      .compose(n -> n.createRule(twoActions))
      .compose(v -> WsClient.connect(vertx, node.dataUrl("/a")).onSuccess(clients::add))
      .compose(c -> WsClient.connect(vertx, node.dataUrl("/b")).onSuccess(clients::add))
      .compose(c -> node.awaitClients("/a", 1))
      .compose(e -> node.awaitClients("/b", 1))
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
        JsonObject body = assertErrorEnvelope(r, 503);
        assertTrue(body.getString("message").contains("nobody.here"), body.encode());
        // without ack there is nobody to tell: the publish is accepted
        return publish("/publish/nobody.here", "application/json", Buffer.buffer("{\"n\":1}"));
      })
      .map(r -> {
        assertEmptyBody(r, 202);
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aJsonScalarOrMalformedJsonIsRefusedAndNotPublished(Vertx vertx, VertxTestContext ctx) {
    ruleWithClients(vertx, 1)
      .compose(c -> publish(PUBLISH, "application/json", Buffer.buffer("42")))
      .compose(r -> {
        assertErrorStartsWith(r, 400, 1000, "Invalid body: ");
        return publish(PUBLISH, "application/json", Buffer.buffer("\"a string\""));
      })
      .compose(r -> {
        assertErrorStartsWith(r, 400, 1000, "Invalid body: ");
        return publish(PUBLISH, "application/json", Buffer.buffer("{\"a\":"));
      })
      .compose(r -> {
        assertErrorStartsWith(r, 400, 1000, "Invalid body: ");
        return publish(PUBLISH, "text/plain", Buffer.buffer("after"));
      })
      .compose(r -> {
        assertEmptyBody(r, 202);
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
        assertErrorEnvelope(r, 413);
        return publish(PUBLISH, "text/plain", Buffer.buffer("small"));
      })
      .compose(r -> {
        assertEmptyBody(r, 202);
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
        assertEmptyBody(r, 202);
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

  @Test
  void wsinksOwnAddressesCannotBePublishedTo(Vertx vertx, VertxTestContext ctx) {
    // e.g. asking the data server to release the rule's hold on its endpoint
    Buffer release = new JsonObject().put("op", "release").put("path", "/p").put("holder", "rule:r1").toBuffer();
    ruleWithClients(vertx, 1)
      .compose(c -> publish("/publish/wsink.server.control?ack=true", "application/json", release))
      .compose(r -> {
        assertErrorStartsWith(r, 400, 1000, "cannot publish to \"wsink.server.control\": addresses starting with wsink."
          + " are wsink's own");
        return node.endpoint("/p");
      })
      .compose(endpoint -> {
        assertEquals(new JsonArray().add("rule:r1"), endpoint.getJsonArray("holders"), "nothing was released");
        assertEquals(1, endpoint.getInteger("clients"));
        return publish(PUBLISH, "text/plain", Buffer.buffer("still here"));
      })
      .compose(r -> clients.get(0).awaitMessages(1))
      .map(msgs -> {
        assertEquals(List.of("still here"), msgs);
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  /** A node with rule r1 (from rule.r1, endpoint /p) and {@code n} clients connected and counted. */
  private Future<Void> ruleWithClients(Vertx vertx, int n) {
    Future<Void> chain = start(vertx).compose(node -> node.createRule(rule("r1", "/p")));
    for (int i = 0; i < n; i++) {
      chain = chain.compose(v -> WsClient.connect(vertx, node.dataUrl("/p")).onSuccess(clients::add).mapEmpty());
    }
    return chain.compose(v -> node.awaitClients("/p", n)).mapEmpty();
  }

  private Future<HttpResponse<Buffer>> publish(String uri, String contentType, Buffer body) {
    return http.post(node.restPort(), "127.0.0.1", uri).putHeader("Content-Type", contentType).sendBuffer(body);
  }
}
