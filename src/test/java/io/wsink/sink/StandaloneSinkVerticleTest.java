package io.wsink.sink;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.testkit.Poll;
import io.wsink.testkit.RecordingServer;
import io.wsink.testkit.TestNode;
import io.wsink.testkit.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * §9: {@link WebSocketSinkVerticle} deployed on its own, with {@code {"from": ..., "websocket": {...}}} as its config,
 * without REST API or store. Server mode starts (and shares) the data server it needs.
 */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class StandaloneSinkVerticleTest {

  // ---------------------------------------------------------------------------------------------------------------
  // client mode

  @Test
  void clientModePushesWhatIsPublishedToTheRemoteServer(Vertx vertx, VertxTestContext ctx) {
    RecordingServer remote = new RecordingServer(vertx, "remote");
    String[] deployment = new String[1];
    remote.listen()
      .compose(port -> deploy(vertx, new JsonObject().put("from", "x")
        .put("websocket", new JsonObject().put("addr", "127.0.0.1:" + port).put("path", "/push").put("sendSingle", true))))
      .compose(id -> {
        deployment[0] = id;
        vertx.eventBus().publish("x", new JsonObject().put("a", 1));
        vertx.eventBus().publish("x", "text");
        return vertx.eventBus().<JsonObject>request("x", new JsonObject().put("b", 2));
      })
      .compose(reply -> {
        ctx.verify(() -> assertEquals(new JsonObject().put("delivered", 1), reply.body()));
        return remote.awaitUntil("3 messages", r -> r.messages().size() == 3);
      })
      .compose(v -> {
        ctx.verify(() -> {
          assertEquals(List.of("{\"a\":1}", "text", "{\"b\":2}"), remote.messages());
          assertEquals("/push", remote.uris().get(0));
        });
        return vertx.undeploy(deployment[0]);
      })
      .compose(v -> remote.awaitUntil("the close", r -> !r.closeCodes().isEmpty()))
      .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
        Short code = remote.closeCodes().get(0);
        assertNotNull(code, "undeploying sends a Close frame");
        assertTrue(code == 1000 || code == 1001, "close code " + code);
        ctx.completeNow();
      })));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // server mode and the shared data server

  @Test
  void serverModeStartsADataServerWhoseClientsGetWhatIsPublished(Vertx vertx, VertxTestContext ctx) {
    int port = TestNode.freePort();
    deploy(vertx, serverMode("x", "/out", port))
      .compose(id -> WsClient.connect(vertx, "ws://127.0.0.1:" + port + "/out"))
      .compose(client -> requestUntilDelivered(vertx, "x", new JsonObject().put("t", 21.5))
        .compose(v -> {
          vertx.eventBus().publish("x", "and a publish");
          return client.awaitMessages(2);
        }))
      .onComplete(ctx.succeeding(messages -> ctx.verify(() -> {
        assertEquals(List.of("[{\"t\":21.5}]", "and a publish"), messages);
        ctx.completeNow();
      })));
  }

  @Test
  void twoServerModeSinksShareOneDataServerAndItClosesWithTheLast(Vertx vertx, VertxTestContext ctx) {
    int port = TestNode.freePort();
    String[] first = new String[1];
    String[] second = new String[1];
    WsClient[] clients = new WsClient[2];
    deploy(vertx, serverMode("a.in", "/a", port))
      .compose(id -> {
        first[0] = id; // this one started the data server
        return deploy(vertx, serverMode("b.in", "/b", port));
      })
      .compose(id -> {
        second[0] = id;
        return Future.all(WsClient.connect(vertx, "ws://127.0.0.1:" + port + "/a"),
          WsClient.connect(vertx, "ws://127.0.0.1:" + port + "/b"));
      })
      .compose(both -> {
        clients[0] = both.resultAt(0);
        clients[1] = both.resultAt(1);
        return requestUntilDelivered(vertx, "a.in", "to a").compose(v -> requestUntilDelivered(vertx, "b.in", "to b"));
      })
      .compose(v -> Future.all(clients[0].awaitMessages(1), clients[1].awaitMessages(1)))
      .compose(v -> {
        ctx.verify(() -> {
          assertEquals(List.of("to a"), clients[0].messages());
          assertEquals(List.of("to b"), clients[1].messages());
        });
        return vertx.undeploy(first[0]);
      })
      .compose(v -> clients[0].closed())
      .compose(code -> {
        ctx.verify(() -> assertEquals((short) 1001, code, "the clients of a removed endpoint get 1001"));
        // the other sink still serves through the data server the first one started
        return requestUntilDelivered(vertx, "b.in", "still b");
      })
      .compose(reply -> clients[1].awaitMessages(2))
      .compose(messages -> {
        ctx.verify(() -> assertEquals(List.of("to b", "still b"), messages));
        return WsClient.connect(vertx, "ws://127.0.0.1:" + port + "/a").transform(ar -> {
          ctx.verify(() -> {
            assertTrue(ar.failed(), "/a is gone with its sink");
            UpgradeRejectedException rejected = assertInstanceOf(UpgradeRejectedException.class, ar.cause());
            assertEquals(404, rejected.getStatus());
          });
          return Future.succeededFuture();
        });
      })
      .compose(v -> vertx.undeploy(second[0]))
      .compose(v -> clients[1].closed())
      .compose(code -> {
        ctx.verify(() -> assertEquals((short) 1001, code));
        return vertx.createNetClient().connect(port, "127.0.0.1").transform(ar -> {
          if (ar.succeeded()) {
            ar.result().close();
          }
          return Future.succeededFuture(ar.failed());
        });
      })
      .compose(refused -> {
        ctx.verify(() -> assertTrue(refused, "the data server's port is closed once the last sink is undeployed"));
        return awaitNoDeployment(vertx);
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void twoServerModeSinksDeployedAtOnceStartOneDataServer(Vertx vertx, VertxTestContext ctx) {
    int port = TestNode.freePort();
    Future.all(deploy(vertx, serverMode("a.in", "/shared", port)), deploy(vertx, serverMode("b.in", "/shared", port)))
      .compose(v -> {
        ctx.verify(() -> assertEquals(3, vertx.deploymentIDs().size(), "two sinks and one data server"));
        return WsClient.connect(vertx, "ws://127.0.0.1:" + port + "/shared");
      })
      .compose(client -> requestUntilDelivered(vertx, "a.in", "from a")
        .compose(v -> requestUntilDelivered(vertx, "b.in", "from b"))
        .compose(v -> client.awaitMessages(2)))
      .onComplete(ctx.succeeding(messages -> ctx.verify(() -> {
        assertEquals(List.of("from a", "from b"), messages, "one endpoint, the output of both sinks");
        ctx.completeNow();
      })));
  }

  @Test
  void aSinkDeployedRightAfterTheLastOneLeftStartsTheDataServerAgain(Vertx vertx, VertxTestContext ctx) {
    // undeploy, deploy again at once: the data server of the sink that left is going away while the new one looks
    // for a data server. Repeated because the window is small; every round must deploy.
    int port = TestNode.freePort();
    int rounds = 50;
    Future<String> chain = deploy(vertx, serverMode("x", "/again", port));
    for (int i = 1; i <= rounds; i++) {
      int round = i;
      chain = chain.compose(vertx::undeploy)
        .compose(v -> deploy(vertx, serverMode("x", "/again", port))
          .recover(err -> Future.failedFuture("round " + round + " of " + rounds + ": deploying again failed: " + err)));
    }
    chain
      .compose(id -> WsClient.connect(vertx, "ws://127.0.0.1:" + port + "/again"))
      .compose(client -> requestUntilDelivered(vertx, "x", "second life").compose(v -> client.awaitMessages(1)))
      .onComplete(ctx.succeeding(messages -> ctx.verify(() -> {
        assertEquals(List.of("second life"), messages);
        ctx.completeNow();
      })));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // bad configs fail the deployment and leave nothing behind

  @Test
  void aConfigWithoutFromFailsTheDeployment(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject().put("websocket", new JsonObject().put("path", "/p")))
      .onComplete(ctx.failing(err -> ctx.verify(() -> {
        assertTrue(err.getMessage().contains("\"from\""), err.getMessage());
        assertTrue(vertx.deploymentIDs().isEmpty(), "nothing stays deployed");
        ctx.completeNow();
      })));
  }

  @Test
  void aConfigWithoutWebsocketFailsTheDeployment(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject().put("from", "x"))
      .onComplete(ctx.failing(err -> ctx.verify(() -> {
        assertTrue(err.getMessage().contains("\"websocket\""), err.getMessage());
        assertTrue(vertx.deploymentIDs().isEmpty(), "nothing stays deployed");
        ctx.completeNow();
      })));
  }

  @Test
  void anUnknownPropertyFailsTheDeploymentNamingItAndTheNearestName(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject().put("from", "x")
      .put("websocket", new JsonObject().put("path", "/p").put("pingIntervall", 100)))
      .onComplete(ctx.failing(err -> ctx.verify(() -> {
        assertTrue(err.getMessage().contains("\"pingIntervall\""), err.getMessage());
        assertTrue(err.getMessage().contains("\"pingInterval\""), "suggests the nearest name: " + err.getMessage());
        assertNothingConsumes(vertx, ctx, "x");
      })));
  }

  @Test
  void aWronglyTypedPropertyFailsTheDeploymentNamingIt(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject().put("from", "x").put("websocket", new JsonObject()
      .put("addr", "127.0.0.1:1").put("path", "/p").put("checkConnection", "true")))
      .onComplete(ctx.failing(err -> ctx.verify(() -> {
        assertTrue(err.getMessage().contains("\"checkConnection\""), err.getMessage());
        assertTrue(err.getMessage().contains("boolean"), err.getMessage());
        assertNothingConsumes(vertx, ctx, "x");
      })));
  }

  @Test
  void concurrencyAboveOneFailsTheDeploymentSayingANodeRunsTheInstances(Vertx vertx, VertxTestContext ctx) {
    deploy(vertx, new JsonObject().put("from", "x").put("websocket", new JsonObject()
      .put("addr", "127.0.0.1:1").put("path", "/p").put("concurrency", 2)))
      .onComplete(ctx.failing(err -> ctx.verify(() -> {
        assertTrue(err.getMessage().contains("concurrency 2") && err.getMessage().contains("standalone"),
          err.getMessage());
        assertNothingConsumes(vertx, ctx, "x");
      })));
  }

  @Test
  void aPathWithoutSlashFailsTheDeployment(Vertx vertx, VertxTestContext ctx) {
    int port = TestNode.freePort();
    deploy(vertx, serverMode("x", "noslash", port))
      .onComplete(ctx.failing(err -> ctx.verify(() -> {
        assertEquals(WebSocketActionProps.PATH_NO_SLASH, err.getMessage());
        assertNothingConsumes(vertx, ctx, "x");
      })));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // helpers

  private static Future<String> deploy(Vertx vertx, JsonObject config) {
    return vertx.deployVerticle(new WebSocketSinkVerticle(), new DeploymentOptions().setConfig(config));
  }

  private static JsonObject serverMode(String from, String path, int port) {
    return new JsonObject().put("from", from).put("websocket", new JsonObject().put("path", path))
      .put("source", new JsonObject().put("httpServerIp", "127.0.0.1").put("httpServerPort", port));
  }

  /** The data server started for standalone sinks undeploys itself after its last endpoint: nothing is left behind. */
  private static Future<Void> awaitNoDeployment(Vertx vertx) {
    return Poll.until(vertx, "no deployment left (5 s after the last sink left)", 250, 20,
      () -> Future.succeededFuture(vertx.deploymentIDs()), Set::isEmpty).mapEmpty();
  }

  /** A request to an address nobody consumes fails with NO_HANDLERS: the failed deployment left no consumer. */
  private static void assertNothingConsumes(Vertx vertx, VertxTestContext ctx, String address) {
    assertTrue(vertx.deploymentIDs().isEmpty(), "nothing stays deployed: " + vertx.deploymentIDs());
    vertx.eventBus().request(address, "anyone?").onComplete(ctx.failing(err -> ctx.verify(() -> {
      ReplyException e = assertInstanceOf(ReplyException.class, err);
      assertEquals(ReplyFailure.NO_HANDLERS, e.failureType());
      ctx.completeNow();
    })));
  }

  /**
   * Requests until the sink reports the message delivered to a client. A WebSocket client's handshake completes just
   * before the data server attaches it; a message sent in between reaches nobody (delivered 0) and is not seen by the
   * client, so asking again is exact, not a guess.
   */
  private static Future<Void> requestUntilDelivered(Vertx vertx, String address, Object body) {
    return Poll.until(vertx, "a client reached through " + address, 100, 20,
      () -> vertx.eventBus().<JsonObject>request(address, body).map(Message::body),
      reply -> reply.getInteger("delivered", 0) >= 1).mapEmpty();
  }
}
