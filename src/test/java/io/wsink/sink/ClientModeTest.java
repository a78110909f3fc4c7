package io.wsink.sink;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.testkit.Poll;
import io.wsink.testkit.RecordingServer;
import io.wsink.testkit.TestNode;
import io.wsink.tls.ServerTls;
import io.wsink.tls.TestCerts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static io.wsink.testkit.RestAssertions.assertEmptyBody;
import static io.wsink.testkit.Rules.SINK0;
import static io.wsink.testkit.Rules.clientProps;
import static io.wsink.testkit.Rules.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Client mode (§4.1) end to end: a whole node ({@link TestNode}) whose rules dial WebSocket servers of this test, which
 * record what they receive, the handshake they saw and how the connection was closed.
 */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ClientModeTest {

  /** Polls of a rule status give up after as long as the awaits of a {@link RecordingServer}. */
  private static final int STATUS_ATTEMPTS = (int) (RecordingServer.AWAIT_MS / Poll.DELAY_MS);

  @TempDir
  static Path dir;
  private static TestCerts certs;
  // one node for the whole class (each test cleans up its rules): starting a node per test would double the run time
  private static Vertx vertx;
  private static TestNode node;

  private final List<RecordingServer> servers = new ArrayList<>();
  private final List<NetServer> rawServers = new ArrayList<>();
  private final List<HttpServer> refusingServers = new ArrayList<>();
  private final List<TestNode> ownNodes = new ArrayList<>();

  @BeforeAll
  static void startNode(Vertx v, VertxTestContext ctx) {
    vertx = v;
    certs = TestCerts.create(dir.resolve("certs"));
    TestNode.start(vertx, dir).onComplete(ctx.succeeding(n -> {
      node = n;
      ctx.completeNow();
    }));
  }

  @AfterAll
  static void stopNode(VertxTestContext ctx) {
    (node == null ? Future.succeededFuture() : node.stop()).onComplete(ar -> ctx.completeNow());
  }

  /** Drops every rule the test created and closes its servers, so the next test starts from an empty node. */
  @AfterEach
  void cleanUp(VertxTestContext ctx) {
    node.get("/rules")
      .compose(r -> {
        List<Future<?>> dropped = new ArrayList<>();
        r.bodyAsJsonArray().forEach(o -> dropped.add(node.delete("/rules/" + ((JsonObject) o).getString("id"))));
        return Future.join(dropped);
      })
      .transform(ar -> {
        List<Future<?>> closing = new ArrayList<>();
        servers.forEach(s -> closing.add(s.close()));
        rawServers.forEach(s -> closing.add(s.close()));
        refusingServers.forEach(s -> closing.add(s.close()));
        ownNodes.stream().filter(n -> vertx.deploymentIDs().contains(n.deploymentId())).forEach(n -> closing.add(n.stop()));
        return Future.join(closing);
      })
      .onComplete(ar -> ctx.completeNow());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // body kinds (§3) and frames

  @Test
  void rowsGoOutAsJsonTextStringsAsTextBytesAsBinary(VertxTestContext ctx) {
    RecordingServer server = recorder("server");
    server.listen(0)
      .compose(port -> node.createRule(rule("kinds", clientProps(port))))
      .compose(v -> {
        vertx.eventBus().publish("rule.kinds", new JsonObject().put("a", 1));
        vertx.eventBus().publish("rule.kinds", new JsonArray().add(new JsonObject().put("a", 1))
          .add(new JsonObject().put("b", "x")));
        vertx.eventBus().publish("rule.kinds", "plain text");
        vertx.eventBus().publish("rule.kinds", Buffer.buffer(new byte[] {0, 1, 2, (byte) 0xff}));
        vertx.eventBus().publish("rule.kinds", new byte[] {7, 8});
        return server.awaitMessages(5);
      })
      .onComplete(ctx.succeeding(messages -> ctx.verify(() -> {
        assertEquals("[{\"a\":1}]", messages.get(0), "a row is a result set of one");
        assertEquals("[{\"a\":1},{\"b\":\"x\"}]", messages.get(1));
        assertEquals("plain text", messages.get(2));
        assertEquals(Buffer.buffer(new byte[] {0, 1, 2, (byte) 0xff}), messages.get(3));
        assertEquals(Buffer.buffer(new byte[] {7, 8}), messages.get(4));
        assertEquals(5, messages.size());
        ctx.completeNow();
      })));
  }

  @Test
  void sendSingleSendsOneFramePerRow(VertxTestContext ctx) {
    RecordingServer server = recorder("server");
    server.listen(0)
      .compose(port -> node.createRule(rule("single", clientProps(port).put("sendSingle", true))))
      .compose(v -> {
        vertx.eventBus().publish("rule.single", new JsonArray().add(new JsonObject().put("a", 1))
          .add(new JsonObject().put("a", 2)).add(new JsonObject().put("a", 3)));
        vertx.eventBus().publish("rule.single", new JsonObject().put("b", true));
        return server.awaitMessages(4);
      })
      .onComplete(ctx.succeeding(messages -> ctx.verify(() -> {
        assertEquals(List.of("{\"a\":1}", "{\"a\":2}", "{\"a\":3}", "{\"b\":true}"), messages);
        ctx.completeNow();
      })));
  }

  @Test
  void frameTypeBinaryTurnsJsonIntoBinaryFramesAndTextTurnsBytesIntoText(VertxTestContext ctx) {
    RecordingServer server = recorder("server");
    server.listen(0)
      .compose(port -> node.createRule(rule("bin", clientProps(port).put("frameType", "binary")))
        .compose(v -> node.createRule(rule("txt", clientProps(port).put("path", "/text").put("frameType", "text")))))
      .compose(v -> {
        vertx.eventBus().publish("rule.bin", new JsonObject().put("a", 1));
        vertx.eventBus().publish("rule.bin", "s");
        return server.awaitMessages(2);
      })
      .compose(v -> {
        vertx.eventBus().publish("rule.txt", Buffer.buffer("bytes as text"));
        return server.awaitMessages(3);
      })
      .onComplete(ctx.succeeding(messages -> ctx.verify(() -> {
        assertEquals(Buffer.buffer("[{\"a\":1}]"), messages.get(0));
        assertEquals(Buffer.buffer("s"), messages.get(1));
        assertEquals("bytes as text", messages.get(2));
        ctx.completeNow();
      })));
  }

  @Test
  void restPublishKeepsTheBodyKindAndAcknowledges(VertxTestContext ctx) {
    RecordingServer server = recorder("server");
    WebClient http = WebClient.create(vertx);
    server.listen(0)
      .compose(port -> node.createRule(rule("rest", clientProps(port))))
      .compose(v -> http.post(node.restPort(), "127.0.0.1", "/publish/rule.rest")
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{\"a\":1}")))
      .compose(r -> expectStatus(r, 202))
      .compose(v -> http.post(node.restPort(), "127.0.0.1", "/publish/rule.rest")
        .putHeader("Content-Type", "text/plain").sendBuffer(Buffer.buffer("hello")))
      .compose(r -> expectStatus(r, 202))
      .compose(v -> http.post(node.restPort(), "127.0.0.1", "/publish/rule.rest")
        .putHeader("Content-Type", "application/octet-stream").sendBuffer(Buffer.buffer(new byte[] {1, 2, 3})))
      .compose(r -> expectStatus(r, 202))
      .compose(v -> http.post(node.restPort(), "127.0.0.1", "/publish/rule.rest?ack=true")
        .putHeader("Content-Type", "text/plain").sendBuffer(Buffer.buffer("acked")))
      .compose(r -> expectStatus(r, 200))
      .compose(ack -> server.awaitMessages(4).map(messages -> {
        ctx.verify(() -> {
          assertEquals(new JsonObject().put("delivered", 1), ack.bodyAsJsonObject());
          assertEquals(List.of("[{\"a\":1}]", "hello", Buffer.buffer(new byte[] {1, 2, 3}), "acked"), messages);
        });
        return messages;
      }))
      .andThen(ar -> http.close())
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // the URL and the handshake

  @Test
  void queryStringAndRequestHeadersReachTheServer(VertxTestContext ctx) {
    RecordingServer server = recorder("server");
    server.listen(0)
      .compose(port -> node.createRule(rule("hdr", new JsonObject()
        .put("addr", "ws://127.0.0.1:" + port)
        .put("path", "/in?token=x&b=2")
        .put("requestHeader", new JsonObject().put("Authorization", "Bearer s3cret").put("X-Api-Key", "k1")
          .put("X-Multi", new JsonArray().add("a").add("b"))))))
      .compose(v -> server.awaitUntil("one connection", s -> s.connections() >= 1))
      .compose(v -> {
        vertx.eventBus().publish("rule.hdr", "through a URL addr");
        return server.awaitMessages(1);
      })
      .onComplete(ctx.succeeding(messages -> ctx.verify(() -> {
        assertEquals("/in?token=x&b=2", server.uris().get(0));
        MultiMap headers = server.headers().get(0);
        assertEquals("Bearer s3cret", headers.get("Authorization"), "a secret is masked in the API, never on the wire");
        assertEquals("k1", headers.get("X-Api-Key"));
        assertEquals(List.of("a", "b"), headers.getAll("X-Multi"));
        assertEquals(List.of("through a URL addr"), messages);
        ctx.completeNow();
      })));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // acknowledgement (§3)

  @Test
  void requestIsAcknowledgedOnceWritten(VertxTestContext ctx) {
    RecordingServer server = recorder("server");
    server.listen(0)
      .compose(port -> node.createRule(rule("ack", clientProps(port)).put("from", "sensors.ack")))
      .compose(v -> vertx.eventBus().<JsonObject>request("sensors.ack", new JsonObject().put("t", 20)))
      .compose(reply -> server.awaitMessages(1).map(messages -> {
        ctx.verify(() -> {
          assertEquals(new JsonObject().put("delivered", 1), reply.body());
          assertEquals(List.of("[{\"t\":20}]"), messages);
        });
        return messages;
      }))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void stoppingTheRuleFailsTheRequestsStillWaiting(VertxTestContext ctx) {
    int port = TestNode.freePort(); // nothing listens: the payload waits in the buffer
    AtomicReference<Future<Message<Object>>> pending = new AtomicReference<>();
    node.createRule(rule("pending", clientProps(port)))
      .compose(v -> {
        pending.set(vertx.eventBus().request("rule.pending", "never written"));
        return awaitStatus("pending", "the payload buffered", s -> s.getInteger(SINK0 + "buffer_length", -1) == 1);
      })
      .compose(v -> node.post("/rules/pending/stop", null))
      .compose(r -> expectStatus(r, 200))
      .compose(v -> pending.get().transform(ar -> Future.succeededFuture(ar)))
      .onComplete(ctx.succeeding(ar -> ctx.verify(() -> {
        assertTrue(ar.failed(), "a payload that was never written is not acknowledged");
        ReplyException failure = assertInstanceOf(ReplyException.class, ar.cause());
        assertEquals(AckFailure.STOPPED, failure.failureCode(), failure.getMessage());
        ctx.completeNow();
      })));
  }

  @Test
  void theAddressAliasDialsLikeAddr(VertxTestContext ctx) {
    RecordingServer server = recorder("server");
    server.listen(0)
      .compose(port -> node.createRule(rule("alias", new JsonObject().put("address", "127.0.0.1:" + port)
        .put("path", "/alias"))))
      .compose(v -> {
        vertx.eventBus().publish("rule.alias", "via address");
        return server.awaitMessages(1);
      })
      .onComplete(ctx.succeeding(messages -> ctx.verify(() -> {
        assertEquals(List.of("via address"), messages);
        assertEquals("/alias", server.uris().get(0));
        ctx.completeNow();
      })));
  }

  @Test
  void unsupportedBodyFailsTheRequestAndCountsAnException(VertxTestContext ctx) {
    RecordingServer server = recorder("server");
    server.listen(0)
      .compose(port -> node.createRule(rule("bad", clientProps(port))))
      .compose(v -> vertx.eventBus().request("rule.bad", 42)
        .transform(ar -> {
          ctx.verify(() -> {
            assertTrue(ar.failed(), "an Integer body must not be acknowledged");
            ReplyException failure = assertInstanceOf(ReplyException.class, ar.cause());
            assertEquals(AckFailure.UNSUPPORTED_BODY, failure.failureCode());
            assertTrue(failure.getMessage().contains("Integer"), failure.getMessage());
          });
          return Future.succeededFuture();
        }))
      .compose(v -> vertx.eventBus().request("rule.bad", new JsonArray().add(1).add(2))
        .transform(ar -> {
          ctx.verify(() -> {
            assertTrue(ar.failed(), "an array of numbers is no result set");
            ReplyException failure = assertInstanceOf(ReplyException.class, ar.cause());
            assertEquals(AckFailure.UNSUPPORTED_BODY, failure.failureCode());
            assertTrue(failure.getMessage().contains("item 0"), failure.getMessage());
          });
          return Future.succeededFuture();
        }))
      .compose(v -> {
        vertx.eventBus().publish("rule.bad", "after the bad one");
        return server.awaitMessages(1);
      })
      .compose(messages -> {
        ctx.verify(() -> assertEquals(List.of("after the bad one"), messages, "nothing is sent for the bad body"));
        return awaitStatus("bad", "the good message counted out",
          s -> s.getLong(SINK0 + "records_out_total", 0L) == 1);
      })
      .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
        assertEquals(2, status.getLong(SINK0 + "exceptions_total"), status.encodePrettily());
        assertTrue(status.getString(SINK0 + "last_exception").contains("item 0"), status.encodePrettily());
        assertTrue(status.getLong(SINK0 + "last_exception_time") > 0, status.encodePrettily());
        assertEquals(3, status.getLong(SINK0 + "records_in_total"), status.encodePrettily());
        ctx.completeNow();
      })));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // the remote server is down, goes away, comes back (§4.1)

  @Test
  void serverDownAtCreationBuffersUntilItComesUp(VertxTestContext ctx) {
    int port = TestNode.freePort();
    RecordingServer server = recorder("late server");
    AtomicReference<Future<Message<Object>>> ack = new AtomicReference<>();
    node.createRule(rule("late", clientProps(port)))
      .compose(v -> awaitStatus("late", "a failed dial",
        s -> "running".equals(s.getString("status")) && !s.getString(SINK0 + "connection_last_error", "").isEmpty()))
      .compose(status -> {
        ctx.verify(() -> {
          int cs = status.getInteger(SINK0 + "connection_status");
          assertTrue(cs == -1 || cs == 0, status.encodePrettily());
          assertTrue(status.getString(SINK0 + "connection_last_error")
            .contains("cannot connect to ws://127.0.0.1:" + port + "/in"), status.encodePrettily());
        });
        vertx.eventBus().publish("rule.late", new JsonObject().put("n", 1));
        vertx.eventBus().publish("rule.late", new JsonObject().put("n", 2));
        ack.set(vertx.eventBus().request("rule.late", new JsonObject().put("n", 3)));
        return awaitStatus("late", "3 buffered messages", s -> s.getInteger(SINK0 + "buffer_length", -1) == 3);
      })
      .compose(status -> {
        ctx.verify(() -> assertFalse(ack.get().isComplete(), "no acknowledgement before the payload is written"));
        return server.listen(port);
      })
      .compose(p -> server.awaitMessages(3))
      .compose(messages -> {
        ctx.verify(() -> assertEquals(List.of("[{\"n\":1}]", "[{\"n\":2}]", "[{\"n\":3}]"), messages));
        return ack.get();
      })
      .compose(reply -> {
        ctx.verify(() -> assertEquals(new JsonObject().put("delivered", 1), reply.body()));
        return awaitStatus("late", "connected", s -> s.getInteger(SINK0 + "connection_status", -2) == 1);
      })
      .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
        assertEquals(3, status.getLong(SINK0 + "records_out_total"), status.encodePrettily());
        assertEquals(0, status.getLong(SINK0 + "records_dropped_total"), status.encodePrettily());
        assertEquals(0, status.getInteger(SINK0 + "buffer_length"), status.encodePrettily());
        ctx.completeNow();
      })));
  }

  @Test
  void whatIsPublishedWhileTheServerIsDownArrivesAfterItsRestartUpToBufferLength(VertxTestContext ctx) {
    RecordingServer server = recorder("restarted server");
    int[] port = new int[1];
    server.listen(0)
      .compose(p -> {
        port[0] = p;
        return node.createRule(rule("flap", clientProps(p).put("bufferLength", 5)));
      })
      .compose(v -> {
        vertx.eventBus().publish("rule.flap", "before");
        return server.awaitMessages(1);
      })
      .compose(v -> server.close())
      .compose(v -> awaitStatus("flap", "the connection seen down",
        s -> s.getInteger(SINK0 + "connection_status", 1) != 1))
      .compose(v -> {
        for (int i = 1; i <= 8; i++) {
          vertx.eventBus().publish("rule.flap", "m" + i);
        }
        return awaitStatus("flap", "the buffer full", s -> s.getInteger(SINK0 + "buffer_length", -1) == 5);
      })
      .compose(v -> server.listen(port[0]))
      .compose(p -> server.awaitMessages(6))
      .compose(messages -> {
        ctx.verify(() -> assertEquals(List.of("before", "m4", "m5", "m6", "m7", "m8"), messages,
          "the newest bufferLength messages arrive, in order"));
        return awaitStatus("flap", "reconnected", s -> s.getInteger(SINK0 + "connection_status", -2) == 1
          && s.getLong(SINK0 + "records_out_total", 0L) == 6);
      })
      .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
        assertEquals(3, status.getLong(SINK0 + "records_dropped_total"), status.encodePrettily());
        assertEquals(9, status.getLong(SINK0 + "records_in_total"), status.encodePrettily());
        assertTrue(status.getLong("sink_websocket_0_0_connection_reconnects", 0L) >= 1, status.encodePrettily());
        assertEquals(2, server.connections(), "one dial before, one after the restart");
        ctx.completeNow();
      })));
  }

  @Test
  void messagesFlowingAcrossAServerRestartStayInOrderWithoutDuplicates(VertxTestContext ctx) {
    RecordingServer server = recorder("restarted server");
    int total = 300;
    int[] port = new int[1];
    int[] published = new int[1];
    long[] publisher = new long[1];
    server.listen(0)
      .compose(p -> {
        port[0] = p;
        return node.createRule(rule("flow", clientProps(p)));
      })
      .compose(v -> {
        // one message every 2 ms, whatever happens to the server meanwhile
        publisher[0] = vertx.setPeriodic(2, id -> {
          vertx.eventBus().publish("rule.flow", String.valueOf(published[0]++));
          if (published[0] == total) {
            vertx.cancelTimer(id);
          }
        });
        return server.awaitMessages(20);
      })
      .compose(v -> server.close())
      .compose(v -> awaitStatus("flow", "the connection seen down",
        s -> s.getInteger(SINK0 + "connection_status", 1) != 1))
      .compose(v -> server.listen(port[0]))
      .compose(v -> server.awaitUntil("the last message", s -> s.messages().contains(String.valueOf(total - 1))))
      .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
        vertx.cancelTimer(publisher[0]);
        List<Object> messages = server.messages();
        int previous = -1;
        for (Object m : messages) {
          int n = Integer.parseInt((String) m);
          assertTrue(n > previous, "message " + n + " after " + previous + " (out of order or twice): " + messages);
          previous = n;
        }
        assertEquals(2, server.connections(), "one connection before and one after the restart");
        ctx.completeNow();
      })));
  }

  @Test
  void anUpgradeRefusedByTheServerShowsItsStatusInTheRuleStatus(VertxTestContext ctx) {
    HttpServer refusing = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
      .requestHandler(req -> req.response().setStatusCode(401).end("no token"));
    refusingServers.add(refusing);
    refusing.listen()
      .compose(s -> node.createRule(rule("refused", clientProps(s.actualPort()))))
      .compose(v -> awaitStatus("refused", "the refusal",
        s -> s.getString(SINK0 + "connection_last_error", "").contains("401")))
      .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
        assertNotEquals(1, status.getInteger(SINK0 + "connection_status"), status.encodePrettily());
        assertEquals("running", status.getString("status"), "a refused dial does not stop the rule");
        ctx.completeNow();
      })));
  }

  @Test
  void maxConnRetryGivesUpButTheRuleKeepsRunning(VertxTestContext ctx) {
    int port = TestNode.freePort();
    node.createRule(rule("giveup", clientProps(port).put("maxConnRetry", 2)))
      .compose(v -> awaitStatus("giveup", "giving up",
        s -> s.getString(SINK0 + "connection_last_error", "").contains("gave up")))
      .compose(status -> {
        ctx.verify(() -> {
          assertEquals(-1, status.getInteger(SINK0 + "connection_status"), status.encodePrettily());
          assertTrue(status.getString(SINK0 + "connection_last_error")
            .contains("cannot connect to ws://127.0.0.1:" + port), status.encodePrettily());
        });
        return vertx.eventBus().request("rule.giveup", new JsonObject().put("late", true)).transform(ar -> {
          ctx.verify(() -> {
            assertTrue(ar.failed(), "a message after giving up is not delivered");
            ReplyException failure = assertInstanceOf(ReplyException.class, ar.cause());
            assertEquals(AckFailure.DROPPED, failure.failureCode());
          });
          return Future.succeededFuture();
        });
      })
      .compose(v -> {
        vertx.eventBus().publish("rule.giveup", "another");
        return awaitStatus("giveup", "2 messages dropped", s -> s.getLong(SINK0 + "records_dropped_total", 0L) == 2);
      })
      .compose(status -> {
        ctx.verify(() -> {
          assertEquals(2, status.getLong(SINK0 + "exceptions_total"), status.encodePrettily());
          assertTrue(status.getString(SINK0 + "last_exception").contains("gave up"), status.encodePrettily());
          assertEquals(0, status.getLong(SINK0 + "records_out_total"), status.encodePrettily());
          assertEquals("running", status.getString("status"));
        });
        return node.get("/rules");
      })
      .onComplete(ctx.succeeding(list -> ctx.verify(() -> {
        assertEquals(new JsonArray().add(new JsonObject().put("id", "giveup").put("status", "running")
          .put("message", "")), list.bodyAsJsonArray());
        ctx.completeNow();
      })));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // rule lifecycle and the close code

  @Test
  void stopStartRestartAndDeleteCloseWith1000AndReconnect(VertxTestContext ctx) {
    RecordingServer server = recorder("server");
    server.listen(0)
      .compose(port -> node.createRule(rule("life", clientProps(port))))
      .compose(v -> server.awaitUntil("first connection", s -> s.connections() == 1))
      .compose(v -> node.post("/rules/life/stop", null))
      .compose(r -> expectStatus(r, 200))
      .compose(v -> server.awaitUntil("close after stop", s -> s.closeCodes().size() == 1))
      .compose(v -> {
        ctx.verify(() -> assertEquals((short) 1000, server.closeCodes().get(0), "stop closes with 1000"));
        return node.post("/rules/life/start", null);
      })
      .compose(r -> expectStatus(r, 200))
      .compose(v -> server.awaitUntil("second connection", s -> s.connections() == 2))
      .compose(v -> {
        vertx.eventBus().publish("rule.life", "after start");
        return server.awaitMessages(1);
      })
      .compose(v -> node.post("/rules/life/restart", null))
      .compose(r -> expectStatus(r, 200))
      .compose(v -> server.awaitUntil("close and third connection after restart",
        s -> s.closeCodes().size() == 2 && s.connections() == 3))
      .compose(v -> {
        ctx.verify(() -> assertEquals((short) 1000, server.closeCodes().get(1), "restart closes with 1000"));
        vertx.eventBus().publish("rule.life", "after restart");
        return server.awaitMessages(2);
      })
      .compose(v -> node.delete("/rules/life"))
      .compose(r -> expectStatus(r, 200))
      .compose(v -> server.awaitUntil("close after delete", s -> s.closeCodes().size() == 3))
      .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
        assertEquals((short) 1000, server.closeCodes().get(2), "delete closes with 1000");
        assertEquals(List.of("after start", "after restart"), server.messages());
        assertEquals(3, server.connections());
        ctx.completeNow();
      })));
  }

  @Test
  void updatingTheRuleClosesWith1000AndDialsTheNewAddress(VertxTestContext ctx) {
    RecordingServer first = recorder("first server");
    RecordingServer second = recorder("second server");
    Future.all(first.listen(0), second.listen(0))
      .compose(ports -> node.createRule(rule("moved", clientProps(ports.resultAt(0))))
        .compose(v -> first.awaitUntil("a connection", s -> s.connections() == 1))
        .compose(v -> node.put("/rules/moved", rule("moved", clientProps(ports.resultAt(1)).put("path", "/new")))))
      .compose(r -> expectStatus(r, 200))
      .compose(v -> first.awaitUntil("the close", s -> s.closeCodes().size() == 1))
      .compose(v -> {
        vertx.eventBus().publish("rule.moved", "to the new address");
        return second.awaitMessages(1);
      })
      .onComplete(ctx.succeeding(messages -> ctx.verify(() -> {
        assertEquals((short) 1000, first.closeCodes().get(0));
        assertEquals(List.of("to the new address"), messages);
        assertEquals("/new", second.uris().get(0));
        assertEquals(List.of(), first.messages());
        ctx.completeNow();
      })));
  }

  @Test
  void stoppingTheNodeFlushesWhatIsQueuedThenClosesWith1001(VertxTestContext ctx) {
    // a node of its own, in a Vert.x of its own (one node per Vert.x): this test stops it
    Vertx ownVertx = Vertx.vertx();
    RecordingServer server = recorder("slow server");
    server.pauseReading();
    int count = 200;
    String payload = "x".repeat(50_000); // 10 MB in all: far more than the socket and the kernel buffers take
    TestNode[] own = new TestNode[1];
    server.listen(0)
      .compose(port -> TestNode.start(ownVertx, dir.resolve("own")).compose(n -> {
        own[0] = n;
        ownNodes.add(n);
        return n.createRule(rule("flush", clientProps(port)));
      }))
      .compose(v -> server.awaitUntil("a connection", s -> s.connections() == 1))
      .compose(v -> {
        for (int i = 0; i < count; i++) {
          ownVertx.eventBus().publish("rule.flush", i + payload);
        }
        return own[0].awaitStatus("flush", "every message taken, some still queued",
          s -> s.getLong(SINK0 + "records_in_total", 0L) == count && s.getInteger(SINK0 + "buffer_length", 0) > 0,
          STATUS_ATTEMPTS);
      })
      .compose(v -> {
        Future<Void> stopped = own[0].stop();
        server.resumeReading(); // the client drains now, while the node is stopping
        return stopped;
      })
      .compose(v -> server.awaitUntil("all messages and the close", s -> s.closeCodes().size() == 1))
      .eventually(ownVertx::close)
      .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
        List<Object> messages = server.messages();
        assertEquals(count, messages.size(), "everything queued is written before the close");
        for (int i = 0; i < count; i++) {
          assertEquals(i + payload, messages.get(i), "message " + i);
        }
        assertEquals((short) 1001, server.closeCodes().get(0), "a node going down says going away");
        ctx.completeNow();
      })));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // checkConnection (§4.3) and the connectivity check (§6.3)

  @Test
  void checkConnectionRefusesARuleWhoseServerIsDown(VertxTestContext ctx) {
    int port = TestNode.freePort();
    node.post("/rules", rule("checked", clientProps(port).put("checkConnection", true)))
      .compose(r -> {
        ctx.verify(() -> {
          assertEquals(400, r.statusCode(), r.bodyAsString());
          String message = r.bodyAsJsonObject().getString("message");
          assertTrue(message.contains("cannot connect to ws://127.0.0.1:" + port + "/in"), message);
        });
        return node.get("/rules/checked");
      })
      .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
        assertEquals(404, r.statusCode(), "nothing is stored for a refused rule: " + r.bodyAsString());
        ctx.completeNow();
      })));
  }

  @Test
  void checkConnectionAcceptsARuleWhoseServerIsUp(VertxTestContext ctx) {
    RecordingServer server = recorder("server");
    server.listen(0)
      .compose(port -> node.post("/rules", rule("checked", clientProps(port).put("checkConnection", true))))
      .compose(r -> expectStatus(r, 201))
      .compose(v -> {
        vertx.eventBus().publish("rule.checked", "checked and running");
        return server.awaitMessages(1);
      })
      .onComplete(ctx.succeeding(messages -> ctx.verify(() -> {
        assertEquals(List.of("checked and running"), messages);
        assertTrue(server.connections() >= 2, "the check dialled, then the rule: " + server.connections());
        ctx.completeNow();
      })));
  }

  @Test
  void anExplicitStartChecksTheConnectionAgain(VertxTestContext ctx) {
    RecordingServer server = recorder("server");
    server.listen(0)
      .compose(port -> node.post("/rules", rule("recheck", clientProps(port).put("checkConnection", true))))
      .compose(r -> expectStatus(r, 201))
      .compose(v -> node.post("/rules/recheck/stop", null))
      .compose(r -> expectStatus(r, 200))
      .compose(v -> server.close())
      .compose(v -> node.post("/rules/recheck/start", null))
      .compose(r -> {
        ctx.verify(() -> {
          assertEquals(400, r.statusCode(), r.bodyAsString());
          assertTrue(r.bodyAsJsonObject().getString("message").contains("cannot connect to ws://127.0.0.1:"),
            r.bodyAsString());
        });
        return node.get("/rules/recheck/status");
      })
      .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
        assertEquals("stopped", r.bodyAsJsonObject().getString("status"), r.bodyAsString());
        ctx.completeNow();
      })));
  }

  @Test
  void connectivityCheckDialsPingsAndClosesALiveServer(VertxTestContext ctx) {
    RecordingServer server = recorder("server");
    server.listen(0)
      .compose(port -> node.post("/metadata/sinks/connection/websocket", clientProps(port).put("path", "/probe")))
      .compose(r -> {
        ctx.verify(() -> assertEmptyBody(r, 200));
        return server.awaitUntil("ping and close", s -> s.pings() >= 1 && s.closeCodes().size() == 1);
      })
      .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
        assertEquals("/probe", server.uris().get(0));
        assertEquals((short) 1000, server.closeCodes().get(0));
        assertEquals(1, server.connections());
        assertEquals(List.of(), server.messages(), "the check sends no data");
        ctx.completeNow();
      })));
  }

  @Test
  void connectivityCheckReportsTheDialError(VertxTestContext ctx) {
    int port = TestNode.freePort();
    node.post("/metadata/sinks/connection/websocket", clientProps(port))
      .compose(r -> {
        ctx.verify(() -> {
          assertEquals(400, r.statusCode(), r.bodyAsString());
          String message = r.bodyAsJsonObject().getString("message");
          assertTrue(message.contains("cannot connect to ws://127.0.0.1:" + port + "/in"), message);
        });
        return node.get("/rules");
      })
      .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
        assertEquals(new JsonArray(), r.bodyAsJsonArray(), "the check creates nothing");
        ctx.completeNow();
      })));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // dead peer (§4 pingInterval, §8)

  @Test
  void aPeerThatStopsAnsweringIsDetectedByPingAndRedialled(VertxTestContext ctx) {
    RecordingServer peer = recorder("silent peer");
    NetServer raw = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0))
      .connectHandler(socket -> {
        peer.connected("/raw", MultiMap.caseInsensitiveMultiMap());
        Buffer request = Buffer.buffer();
        boolean[] upgraded = {false};
        socket.handler(data -> {
          if (upgraded[0]) {
            if (data.length() > 0 && data.getByte(0) == (byte) 0x89) { // FIN + ping, the first frame of a chunk
              peer.pinged();
            }
            return; // never a pong, never a close: the peer is gone as far as the client can tell
          }
          request.appendBuffer(data);
          String head = request.toString(StandardCharsets.ISO_8859_1);
          int end = head.indexOf("\r\n\r\n");
          if (end < 0) {
            return;
          }
          upgraded[0] = true;
          socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: " + accept(head) + "\r\n\r\n");
        });
      });
    rawServers.add(raw);
    raw.listen()
      .compose(s -> node.createRule(rule("dead", clientProps(s.actualPort()).put("pingInterval", 200))))
      .compose(v -> peer.awaitUntil("a ping on the first connection", s -> s.pings() >= 1))
      .compose(v -> {
        ctx.verify(() -> assertEquals(1, peer.connections(), "pings flow on an upgraded connection"));
        return peer.awaitUntil("a second connection", s -> s.connections() >= 2);
      })
      .compose(v -> awaitStatus("dead", "a reconnect counted",
        s -> s.getLong(SINK0 + "connection_reconnects", 0L) >= 1))
      .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
        assertEquals("running", status.getString("status"));
        ctx.completeNow();
      })));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // several actions

  @Test
  void twoActionsToTwoServersBothGetPublishSendAndRequest(VertxTestContext ctx) {
    RecordingServer a = recorder("server A");
    RecordingServer b = recorder("server B");
    Future.all(a.listen(0), b.listen(0))
      .compose(ports -> node.createRule(rule("two", clientProps(ports.resultAt(0)).put("path", "/a"),
        clientProps(ports.resultAt(1)).put("path", "/b"))))
      .compose(v -> {
        vertx.eventBus().publish("rule.two", "published");
        vertx.eventBus().send("rule.two", "sent");
        return vertx.eventBus().<JsonObject>request("rule.two", "requested");
      })
      .compose(reply -> {
        ctx.verify(() -> assertEquals(new JsonObject().put("delivered", 2), reply.body()));
        return Future.all(a.awaitMessages(3), b.awaitMessages(3));
      })
      .compose(v -> {
        ctx.verify(() -> {
          assertEquals(List.of("published", "sent", "requested"), a.messages());
          assertEquals(List.of("published", "sent", "requested"), b.messages());
          assertEquals("/a", a.uris().get(0));
          assertEquals("/b", b.uris().get(0));
        });
        return awaitStatus("two", "both actions counted", s -> s.getLong(SINK0 + "records_out_total", 0L) == 3
          && s.getLong("sink_websocket_1_0_records_out_total", 0L) == 3);
      })
      .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
        assertEquals(1, status.getInteger(SINK0 + "connection_status"), status.encodePrettily());
        assertEquals(1, status.getInteger("sink_websocket_1_0_connection_status"), status.encodePrettily());
        ctx.completeNow();
      })));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // wss (§4 TLS properties; the scheme is inferred as wss)

  @Test
  void wssWithRootCaRaw(VertxTestContext ctx) {
    deliversOverTls(ctx, tlsServer(false, false), "localhost",
      new JsonObject().put("rootCARaw", TestCerts.base64(certs.caCert())), null);
  }

  @Test
  void wssWithRootCaPath(VertxTestContext ctx) {
    deliversOverTls(ctx, tlsServer(false, false), "localhost",
      new JsonObject().put("rootCaPath", certs.caCert().toString()), null);
  }

  @Test
  void wssWithInsecureSkipVerifyAcceptsAnUntrustedCertificate(VertxTestContext ctx) {
    // the rogue certificate is self-signed and names rogue.invalid: only "trust anything" accepts it
    deliversOverTls(ctx, tlsServer(true, false), "127.0.0.1", new JsonObject().put("insecureSkipVerify", true), null);
  }

  @Test
  void wssWithMutualTls(VertxTestContext ctx) {
    deliversOverTls(ctx, tlsServer(false, true), "localhost", new JsonObject()
      .put("rootCaPath", certs.caCert().toString())
      .put("certificationPath", certs.clientCert().toString())
      .put("privateKeyPath", certs.clientKey().toString()), "CN=" + TestCerts.CLIENT_CN);
  }

  @Test
  void wssToAnUntrustedServerShowsTheTlsErrorInTheStatus(VertxTestContext ctx) {
    RecordingServer server = recorder("tls server");
    server.listen(0, tlsServer(true, false))
      .compose(port -> node.createRule(rule("untrusted", new JsonObject().put("addr", "localhost:" + port)
        .put("path", "/in").put("rootCaPath", certs.caCert().toString()))))
      .compose(v -> awaitStatus("untrusted", "a TLS error",
        s -> s.getString(SINK0 + "connection_last_error", "").startsWith("cannot connect to wss://localhost:")))
      .onComplete(ctx.succeeding(status -> ctx.verify(() -> {
        assertNotEquals(1, status.getInteger(SINK0 + "connection_status"), status.encodePrettily());
        assertEquals(0, server.connections(), "no WebSocket was accepted");
        ctx.completeNow();
      })));
  }

  private void deliversOverTls(VertxTestContext ctx, HttpServerOptions options, String host, JsonObject tls,
                               String expectedPeer) {
    RecordingServer server = recorder("tls server");
    server.listen(0, options)
      .compose(port -> node.createRule(rule("tls", tls.copy().put("addr", host + ":" + port).put("path", "/secure"))))
      .compose(v -> {
        vertx.eventBus().publish("rule.tls", new JsonObject().put("secret", 1));
        return server.awaitMessages(1);
      })
      .compose(messages -> awaitStatus("tls", "connected", s -> s.getInteger(SINK0 + "connection_status", -2) == 1)
        .map(messages))
      .onComplete(ctx.succeeding(messages -> ctx.verify(() -> {
        assertEquals(List.of("[{\"secret\":1}]"), messages);
        assertEquals("/secure", server.uris().get(0));
        if (expectedPeer != null) {
          assertEquals(expectedPeer, server.peers().get(0), "the client certificate was presented");
        }
        ctx.completeNow();
      })));
  }

  /** TLS options of a test server on 127.0.0.1: the CA-signed localhost certificate, or the rogue one. */
  private static HttpServerOptions tlsServer(boolean rogue, boolean requireClientCert) {
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1");
    ServerTls.applyTo(options, (rogue ? certs.rogueCert() : certs.serverCert()).toString(),
      (rogue ? certs.rogueKey() : certs.serverKey()).toString());
    if (requireClientCert) {
      options.setClientAuth(ClientAuth.REQUIRED).setTrustOptions(new PemTrustOptions().addCertPath(certs.caCert().toString()));
    }
    return options;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // helpers

  /** A recording server named {@code name} (in failures), closed after the test. */
  private RecordingServer recorder(String name) {
    RecordingServer server = new RecordingServer(vertx, name);
    servers.add(server);
    return server;
  }

  private static Future<HttpResponse<Buffer>> expectStatus(HttpResponse<Buffer> r, int status) {
    return r.statusCode() == status ? Future.succeededFuture(r)
      : Future.failedFuture("expected HTTP " + status + ", got " + r.statusCode() + ": " + r.bodyAsString());
  }

  /** Polls the status of rule {@code id} on the class's node until {@code until} holds (at most 10 s). */
  private Future<JsonObject> awaitStatus(String id, String what, Predicate<JsonObject> until) {
    return node.awaitStatus(id, what, until, STATUS_ATTEMPTS);
  }

  private static String accept(String handshake) {
    String key = handshake.lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:"))
      .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElseThrow();
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1")
        .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
