package io.wsink.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.testkit.TestNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.wsink.testkit.RestAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code rest.tokens} (§8): without a token or with a wrong one, every call but /ping gets 401 with the error envelope
 * and a {@code WWW-Authenticate: Bearer} challenge; any configured token opens the API.
 */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class RestTokensTest {

  @TempDir
  Path dir;

  private TestNode node;
  private WebClient http;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    http = WebClient.create(vertx);
    JsonObject extra = new JsonObject().put("rest", new JsonObject().put("tokens", new JsonArray().add("t1").add("t2")));
    TestNode.start(vertx, dir, extra).onComplete(ctx.succeeding(n -> {
      node = n;
      ctx.completeNow();
    }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    http.close();
    (node == null ? Future.<Void>succeededFuture() : node.stop()).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void withoutATokenTheAnswerIs401WithTheEnvelopeAndAChallenge(VertxTestContext ctx) {
    get("/rules").send().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertUnauthorized(r);
      ctx.completeNow();
    })));
  }

  @Test
  void aWrongTokenIs401(VertxTestContext ctx) {
    get("/rules").putHeader("Authorization", "Bearer t3").send().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertUnauthorized(r);
      ctx.completeNow();
    })));
  }

  @Test
  void theRestApiTakesTheTokenFromTheHeaderOnlyNotFromTheQuery(VertxTestContext ctx) {
    get("/rules?token=t1").send().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertUnauthorized(r);
      ctx.completeNow();
    })));
  }

  @Test
  void anyConfiguredTokenOpensTheApiWhateverTheCaseOfBearer(VertxTestContext ctx) {
    get("/rules").putHeader("Authorization", "bearer t2").send()
      .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertEquals(new JsonArray(), r.bodyAsJsonArray());
        ctx.completeNow();
      })));
  }

  @Test
  void pingStaysOpen(VertxTestContext ctx) {
    get("/ping").send().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(200, r.statusCode(), r.bodyAsString());
      ctx.completeNow();
    })));
  }

  private HttpRequest<Buffer> get(String uri) {
    return http.get(node.restPort(), "127.0.0.1", uri);
  }

  private static void assertUnauthorized(HttpResponse<Buffer> r) {
    assertError(r, 401, ApiErrors.GENERIC, ApiErrors.UNAUTHORIZED);
    assertEquals("Bearer", r.getHeader("WWW-Authenticate"));
  }
}
