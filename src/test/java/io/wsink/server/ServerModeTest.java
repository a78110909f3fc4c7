package io.wsink.server;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.testkit.RawWsClients;
import io.wsink.testkit.TestNode;
import io.wsink.testkit.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.wsink.testkit.Rules.SINK0;
import static io.wsink.testkit.Rules.rule;
import static io.wsink.testkit.Rules.serverProps;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Server mode (§4.2) on a whole node: the shared data server, endpoints and their holders, fan-out, the
 * acknowledgement (§3), inbound text, dead-peer detection and the graceful stop (§1). Real sockets on loopback only.
 */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class ServerModeTest {

  private static final int POLL_ATTEMPTS = 150;

  @TempDir
  Path dir;

  private Vertx vertx;
  private TestNode node;
  // clients kept referenced until the test ends (an unreferenced Vert.x client is closed by a Cleaner)
  private NetClient netClient;
  private WebClient webClient;
  private HttpClient httpClient;
  private final RawWsClients rawClients = new RawWsClients();

  @BeforeEach
  void startNode(Vertx vertx, VertxTestContext ctx) {
    this.vertx = vertx;
    this.netClient = vertx.createNetClient();
    this.httpClient = vertx.createHttpClient();
    TestNode.start(vertx, dir).onComplete(ctx.succeeding(n -> {
      node = n;
      webClient = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(n.restPort()));
      ctx.completeNow();
    }));
  }

  @AfterEach
  void closeRawSockets() throws IOException {
    rawClients.close();
  }

  // ---- the data server comes and goes with its endpoints ----------------------------------------------------

  @Test
  void dataServerListensOnlyWhileARuleHoldsAnEndpoint(VertxTestContext ctx) {
    refused("before any endpoint")
      .compose(v -> node.createRule(rule("first", serverProps("/first"))))
      .compose(v -> WsClient.connect(vertx, node.dataUrl("/first")))
      .compose(client -> client.close())
      .compose(v -> node.delete("/rules/first"))
      .map(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        return null;
      })
      .compose(v -> refused("after the rule, the last holder, was dropped"))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void dataServerListensOnlyWhileARestRegistrationExists(VertxTestContext ctx) {
    refused("before any endpoint")
      .compose(v -> node.post("/connection/websocket", new JsonObject().put("endpoint", "/reg")))
      .map(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        return null;
      })
      .compose(v -> node.get("/connection/websocket?endpoint=/reg"))
      .map(r -> {
        assertEquals("true", r.bodyAsString().trim());
        return null;
      })
      .compose(v -> WsClient.connect(vertx, node.dataUrl("/reg")))
      .compose(client -> client.close())
      .compose(v -> node.delete("/connection/websocket?endpoint=/reg"))
      .map(r -> {
        assertEquals(200, r.statusCode(), r.bodyAsString());
        return null;
      })
      .compose(v -> refused("after the REST registration, the last holder, was removed"))
      .compose(v -> node.get("/connection/websocket?endpoint=/reg"))
      .map(r -> {
        assertEquals("false", r.bodyAsString().trim());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- fan-out ------------------------------------------------------------------------------------------------

  @Test
  void everyClientReceivesEveryRowOnceInOrderAsAJsonArrayTextFrame(VertxTestContext ctx) {
    int n = 200;
    String path = "/fan";
    node.createRule(rule("fan", serverProps(path)))
      .compose(v -> Future.all(List.of(WsClient.connect(vertx, node.dataUrl(path)),
        WsClient.connect(vertx, node.dataUrl(path)), WsClient.connect(vertx, node.dataUrl(path)))))
      .compose(all -> node.awaitClients(path, 3).map(x -> all.<WsClient>list()))
      .compose(clients -> {
        for (int i = 0; i < n; i++) {
          vertx.eventBus().publish("rule.fan", new JsonObject().put("n", i));
        }
        // a sentinel after the N rows: any duplicate would arrive before it
        vertx.eventBus().publish("rule.fan", new JsonObject().put("n", n));
        return Future.all(clients.stream().map(c -> c.awaitMessages(n + 1)).toList())
          .map(x -> clients);
      })
      .map(clients -> {
        for (WsClient client : clients) {
          List<Object> got = client.messages();
          assertEquals(n + 1, got.size(), "every row exactly once, then the sentinel");
          for (int i = 0; i <= n; i++) {
            String text = assertInstanceOf(String.class, got.get(i), "a row goes out as a text frame");
            assertEquals(new JsonArray().add(new JsonObject().put("n", i)), new JsonArray(text), "message " + i);
          }
        }
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void sendSingleSendsOneJsonObjectFramePerRow(VertxTestContext ctx) {
    String path = "/single";
    node.createRule(rule("single", serverProps(path).put("sendSingle", true)))
      .compose(v -> WsClient.connect(vertx, node.dataUrl(path)))
      .compose(client -> node.awaitClients(path, 1).map(client))
      .compose(client -> {
        JsonArray rows = new JsonArray().add(new JsonObject().put("a", 1)).add(new JsonObject().put("a", 2))
          .add(new JsonObject().put("a", 3));
        return node.post("/publish/rule.single", rows)
          .compose(r -> {
            assertEquals(202, r.statusCode(), r.bodyAsString());
            return node.post("/publish/rule.single", new JsonObject().put("b", "x"));
          })
          .compose(r -> client.awaitMessages(4));
      })
      .map(got -> {
        assertEquals(4, got.size(), got.toString());
        for (int i = 0; i < 3; i++) {
          String text = assertInstanceOf(String.class, got.get(i));
          assertEquals(new JsonObject().put("a", i + 1), new JsonObject(text));
        }
        assertEquals(new JsonObject().put("b", "x"), new JsonObject(assertInstanceOf(String.class, got.get(3))));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void stringGoesOutAsATextFrameAndBufferAsABinaryFrame(VertxTestContext ctx) {
    String path = "/raw";
    byte[] bytes = {0, 1, 2, (byte) 0xff, (byte) 0xfe, 'z'};
    node.createRule(rule("raw", serverProps(path)))
      .compose(v -> WsClient.connect(vertx, node.dataUrl(path)))
      .compose(client -> node.awaitClients(path, 1).map(client))
      .compose(client -> publishAs("rule.raw", "text/plain", Buffer.buffer("héllo, not JSON {"))
        .compose(v -> publishAs("rule.raw", "application/octet-stream", Buffer.buffer(bytes)))
        .compose(v -> {
          // and straight on the event bus, as a producer verticle would
          vertx.eventBus().publish("rule.raw", "plain");
          vertx.eventBus().publish("rule.raw", Buffer.buffer("bin"));
          return client.awaitMessages(4);
        }))
      .map(got -> {
        assertEquals(4, got.size(), got.toString());
        assertEquals("héllo, not JSON {", assertInstanceOf(String.class, got.get(0)), "text/plain: a text frame");
        assertArrayEquals(bytes, assertInstanceOf(Buffer.class, got.get(1)).getBytes(), "other types: binary frame");
        assertEquals("plain", assertInstanceOf(String.class, got.get(2)));
        assertEquals("bin", assertInstanceOf(Buffer.class, got.get(3)).toString());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- no client, acknowledgement ------------------------------------------------------------------------------

  @Test
  void withoutClientsAMessageIsDroppedCountedAsSentAndNotReplayedLater(VertxTestContext ctx) {
    String path = "/lonely";
    node.createRule(rule("lonely", serverProps(path)))
      .compose(v -> publishAck("rule.lonely", new JsonObject().put("n", 1)))
      .compose(ack -> {
        assertEquals(new JsonObject().put("delivered", 0), ack);
        return node.status("lonely");
      })
      .compose(st -> {
        assertEquals(1, st.getLong(SINK0 + "records_in_total"), st.encode());
        assertEquals(1, st.getLong(SINK0 + "records_out_total"), "sent to 0 clients counts as sent: " + st.encode());
        assertEquals(0, st.getInteger(SINK0 + "clients"), st.encode());
        return WsClient.connect(vertx, node.dataUrl(path));
      })
      .compose(client -> node.awaitClients(path, 1)
        .compose(x -> publishAck("rule.lonely", new JsonObject().put("n", 2)))
        .compose(ack -> {
          assertEquals(new JsonObject().put("delivered", 1), ack);
          return client.awaitMessages(1);
        }))
      .compose(got -> {
        assertEquals(new JsonArray().add(new JsonObject().put("n", 2)), new JsonArray((String) got.get(0)),
          "a client that connects later sees only later messages");
        return node.status("lonely");
      })
      .map(st -> {
        assertEquals(2, st.getLong(SINK0 + "records_out_total"), st.encode());
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void theAcknowledgementCountsTheClientsReached(VertxTestContext ctx) {
    String path = "/ack";
    node.createRule(rule("ack", serverProps(path)))
      .compose(v -> Future.all(WsClient.connect(vertx, node.dataUrl(path)), WsClient.connect(vertx, node.dataUrl(path))))
      .compose(all -> node.awaitClients(path, 2).map(x -> all.<WsClient>list()))
      .compose(clients -> publishAck("rule.ack", new JsonObject().put("k", "v"))
        .compose(ack -> {
          assertEquals(new JsonObject().put("delivered", 2), ack);
          // the same through the event bus, as a producer in this JVM would ask
          return vertx.eventBus().<JsonObject>request("rule.ack", new JsonObject().put("k", "w"));
        })
        .compose(reply -> {
          assertEquals(new JsonObject().put("delivered", 2), reply.body());
          return Future.all(clients.get(0).awaitMessages(2), clients.get(1).awaitMessages(2));
        }))
      .map(both -> {
        for (int i = 0; i < 2; i++) {
          List<Object> got = both.resultAt(i);
          assertEquals(List.of("[{\"k\":\"v\"}]", "[{\"k\":\"w\"}]"),
            got.stream().map(o -> new JsonArray((String) o).encode()).toList());
        }
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- several holders on one endpoint -------------------------------------------------------------------------

  @Test
  void twoRulesShareAnEndpointAndStoppingOneKeepsItsClients(VertxTestContext ctx) {
    String path = "/shared";
    node.createRule(rule("ra", serverProps(path)))
      .compose(v -> node.createRule(rule("rb", serverProps(path))))
      .compose(v -> node.endpoint(path))
      .compose(info -> {
        assertNotNull(info, "the endpoint is listed");
        assertEquals(Set.of("rule:ra", "rule:rb"), holders(info));
        return WsClient.connect(vertx, node.dataUrl(path));
      })
      .compose(client -> node.awaitClients(path, 1)
        .compose(x -> publishAck("rule.ra", new JsonObject().put("from", "a")))
        .compose(x -> publishAck("rule.rb", new JsonObject().put("from", "b")))
        .compose(x -> client.awaitMessages(2))
        .compose(got -> {
          assertEquals(List.of("a", "b"), froms(got), "one client gets the output of both rules");
          return node.post("/rules/ra/stop", null);
        })
        .compose(r -> {
          assertEquals(200, r.statusCode(), r.bodyAsString());
          return node.endpoint(path);
        })
        .compose(info -> {
          assertNotNull(info, "rb still holds the endpoint");
          assertEquals(Set.of("rule:rb"), holders(info));
          assertEquals(1, info.getInteger("clients"), info.encode());
          // nothing consumes rule.ra any more; publish there first, then to rb: only rb's output may arrive
          vertx.eventBus().publish("rule.ra", new JsonObject().put("from", "a-after-stop"));
          return publishAck("rule.rb", new JsonObject().put("from", "b-after-stop"));
        })
        .compose(ack -> {
          assertEquals(new JsonObject().put("delivered", 1), ack);
          return client.awaitMessages(3);
        })
        .map(got -> {
          assertEquals(List.of("a", "b", "b-after-stop"), froms(got));
          assertFalse(client.closed().isComplete(), "stopping one holder must not disconnect the client");
          assertFalse(client.socket().isClosed());
          return null;
        }))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void restRegistrationOutlivesTheRuleAndItsRemovalClosesClientsWith1001(VertxTestContext ctx) {
    String path = "/mixed";
    List<Object> inbound = new ArrayList<>();
    Promise<Void> inboundArrived = Promise.promise();
    MessageConsumer<Object> in = vertx.eventBus().consumer("ws.in." + path, m -> {
      inbound.add(m.body());
      inboundArrived.tryComplete();
    });
    in.completion()
      .compose(v -> registerEndpoint(path))
      .compose(v -> registerEndpoint("/keep")) // keeps the data server up, so that a later upgrade gets an answer
      .compose(v -> node.createRule(rule("mix", serverProps(path))))
      .compose(v -> node.endpoint(path))
      .compose(info -> {
        assertEquals(Set.of("rest", "rule:mix"), holders(info));
        return WsClient.connect(vertx, node.dataUrl(path));
      })
      .compose(client -> node.awaitClients(path, 1)
        .compose(x -> publishAck("rule.mix", new JsonObject().put("n", 1)))
        .compose(x -> client.awaitMessages(1))
        .compose(x -> node.delete("/rules/mix"))
        .compose(r -> {
          assertEquals(200, r.statusCode(), r.bodyAsString());
          return node.endpoint(path);
        })
        .compose(info -> {
          assertNotNull(info, "the REST registration still holds the endpoint");
          assertEquals(Set.of("rest"), holders(info));
          assertEquals(1, info.getInteger("clients"), info.encode());
          assertFalse(client.closed().isComplete(), "dropping the rule must not disconnect the client");
          // the connection still works end to end
          return client.send("still here").compose(x -> inboundArrived.future());
        })
        .compose(x -> {
          assertEquals(List.of("still here"), inbound);
          return node.delete("/connection/websocket?endpoint=" + path);
        })
        .compose(r -> {
          assertEquals(200, r.statusCode(), r.bodyAsString());
          return client.closed();
        })
        .map(code -> {
          assertEquals((short) 1001, code, "the last holder went: clients get Going Away");
          return null;
        }))
      .compose(v -> WsClient.connect(vertx, node.dataUrl(path)).transform(ar -> {
        assertTrue(ar.failed(), "an upgrade to a removed endpoint must be refused");
        UpgradeRejectedException rejected = assertInstanceOf(UpgradeRejectedException.class, ar.cause());
        assertEquals(404, rejected.getStatus());
        return WsClient.connect(vertx, node.dataUrl("/keep"));
      }))
      .compose(keep -> keep.close())
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- plain HTTP, inbound text --------------------------------------------------------------------------------

  @Test
  void plainHttpOnAnEndpointGets400AndAnUnknownPathGets404(VertxTestContext ctx) {
    registerEndpoint("/plain")
      .compose(v -> dataHttp(HttpMethod.GET, "/plain"))
      .compose(status -> {
        assertEquals(400, status, "a plain GET on an endpoint");
        return dataHttp(HttpMethod.POST, "/plain");
      })
      .compose(status -> {
        assertEquals(400, status, "a plain POST on an endpoint");
        return dataHttp(HttpMethod.GET, "/unknown");
      })
      .compose(status -> {
        assertEquals(404, status, "an unknown path");
        return WsClient.connect(vertx, node.dataUrl("/unknown")).transform(ar -> {
          assertTrue(ar.failed(), "an upgrade to an unknown path must be refused");
          assertEquals(404, assertInstanceOf(UpgradeRejectedException.class, ar.cause()).getStatus());
          return Future.succeededFuture();
        });
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void textFromAClientIsPublishedOnWsInAsJsonObjectOrString(VertxTestContext ctx) {
    String path = "/in";
    List<Object> got = new ArrayList<>();
    Promise<List<Object>> four = Promise.promise();
    MessageConsumer<Object> consumer = vertx.eventBus().consumer("ws.in." + path, m -> {
      got.add(m.body());
      if (got.size() == 4) {
        four.complete(List.copyOf(got));
      }
    });
    consumer.completion()
      .compose(v -> registerEndpoint(path))
      .compose(v -> WsClient.connect(vertx, node.dataUrl(path)))
      .compose(client -> client.send("{\"a\":1,\"b\":{\"c\":\"d\"}}")
        .compose(v -> client.send("hello"))
        .compose(v -> client.send("[1,2]"))
        .compose(v -> client.send("{not json")))
      .compose(v -> four.future())
      .map(all -> {
        assertEquals(new JsonObject().put("a", 1).put("b", new JsonObject().put("c", "d")),
          assertInstanceOf(JsonObject.class, all.get(0)), "a JSON object arrives as a JsonObject");
        assertEquals("hello", assertInstanceOf(String.class, all.get(1)));
        assertEquals("[1,2]", assertInstanceOf(String.class, all.get(2)), "an array is not an object: a String");
        assertEquals("{not json", assertInstanceOf(String.class, all.get(3)));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- clients in the status, dead peers -----------------------------------------------------------------------

  @Test
  void clientsInTheRuleStatusFollowConnectedClients(VertxTestContext ctx) {
    String path = "/count";
    node.createRule(rule("count", serverProps(path)))
      .compose(v -> node.status("count"))
      .compose(st -> {
        assertEquals(0, st.getInteger(SINK0 + "clients"), st.encode());
        return Future.all(WsClient.connect(vertx, node.dataUrl(path)), WsClient.connect(vertx, node.dataUrl(path)));
      })
      .compose(all -> awaitStatusClients("count", 2)
        .compose(x -> all.<WsClient>resultAt(0).close())
        .compose(x -> awaitStatusClients("count", 1)))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void peersThatNeverAnswerPingsAreClosedWhileAnsweringClientsStay(VertxTestContext ctx) {
    String path = "/hb";
    Promise<Void> ignorerClosed = Promise.promise();
    node.createRule(rule("hb", serverProps(path).put("pingInterval", 200)))
      .compose(v -> WsClient.connect(vertx, node.dataUrl(path)))
      .compose(live -> vertx.executeBlocking(() -> rawUpgrade(path)) // completes the handshake, then never reads
        .compose(silent -> netUpgradeThenIgnore(path, ignorerClosed)) // reads every frame, answers none
        .compose(x -> awaitStatusClients("hb", 3))
        .compose(x -> awaitStatusClients("hb", 1))
        .compose(x -> ignorerClosed.future()) // the server closed the TCP connection of the peer that ignored it
        .compose(x -> {
          assertFalse(live.closed().isComplete(), "a client that answers pings stays connected");
          return publishAck("rule.hb", new JsonObject().put("alive", true));
        })
        .compose(ack -> {
          assertEquals(new JsonObject().put("delivered", 1), ack);
          return live.awaitMessages(1);
        })
        .map(got -> {
          assertEquals("[{\"alive\":true}]", new JsonArray((String) got.get(0)).encode());
          return null;
        }))
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- graceful stop -------------------------------------------------------------------------------------------

  @Test
  void gracefulStopDeliversWhatWasPublishedThenClosesWith1001(VertxTestContext ctx) {
    int n = 300;
    String path = "/bye";
    node.createRule(rule("bye", serverProps(path)))
      .compose(v -> WsClient.connect(vertx, node.dataUrl(path)))
      .compose(client -> node.awaitClients(path, 1)
        .compose(x -> {
          for (int i = 0; i < n; i++) {
            vertx.eventBus().publish("rule.bye", new JsonObject().put("n", i));
          }
          return node.stop(); // the same as SIGTERM
        })
        .compose(x -> client.closed())
        .map(code -> {
          assertEquals((short) 1001, code, "a stopping node says Going Away");
          List<Object> got = client.messages();
          assertEquals(n, got.size(), "every message published before the stop is delivered");
          for (int i = 0; i < n; i++) {
            assertEquals(new JsonArray().add(new JsonObject().put("n", i)), new JsonArray((String) got.get(i)));
          }
          return null;
        }))
      .compose(v -> refused("after the node stopped"))
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- helpers -------------------------------------------------------------------------------------------------

  private Future<Void> registerEndpoint(String path) {
    return node.post("/connection/websocket", new JsonObject().put("endpoint", path)).map(r -> {
      assertEquals(200, r.statusCode(), r.bodyAsString());
      return null;
    });
  }

  /** POST /publish/{address}?ack=true with a JSON body: the acknowledgement. */
  private Future<JsonObject> publishAck(String address, JsonObject body) {
    return node.post("/publish/" + address + "?ack=true", body).map(r -> {
      assertEquals(200, r.statusCode(), r.bodyAsString());
      return r.bodyAsJsonObject();
    });
  }

  /** POST /publish/{address} with the given content type. */
  private Future<Void> publishAs(String address, String contentType, Buffer body) {
    return webClient.post("/publish/" + address).putHeader("Content-Type", contentType).sendBuffer(body).map(r -> {
      assertEquals(202, r.statusCode(), r.bodyAsString());
      return null;
    });
  }

  private static Set<Object> holders(JsonObject info) {
    return Set.copyOf(info.getJsonArray("holders").getList());
  }

  private static List<String> froms(List<Object> frames) {
    return frames.stream().map(f -> new JsonArray((String) f).getJsonObject(0).getString("from")).toList();
  }

  private Future<JsonObject> awaitStatusClients(String ruleId, int n) {
    return node.awaitStatus(ruleId, "the status shows " + n + " client(s)",
      st -> st.getInteger(SINK0 + "clients", -1) == n, POLL_ATTEMPTS);
  }

  /** Succeeds when a TCP connection to the data port is refused: nothing listens there. */
  private Future<Void> refused(String when) {
    return refused(when, 20);
  }

  /** The listener closes as its last holder goes; a few tries 50 ms apart leave room for the socket to unbind. */
  private Future<Void> refused(String when, int attempts) {
    return netClient.connect(node.dataPort(), "127.0.0.1").transform(ar -> {
      if (ar.succeeded()) {
        ar.result().close();
        if (attempts <= 1) {
          return Future.failedFuture(new AssertionError("the data server must not listen " + when));
        }
        Promise<Void> retry = Promise.promise();
        node.vertx().setTimer(50, id -> refused(when, attempts - 1).onComplete(retry));
        return retry.future();
      }
      assertInstanceOf(ConnectException.class, ar.cause(), "connection refused " + when);
      return Future.succeededFuture();
    });
  }

  /** Status code of a plain (non-upgrade) HTTP request to the data server. */
  private Future<Integer> dataHttp(HttpMethod method, String uri) {
    return httpClient.request(method, node.dataPort(), "127.0.0.1", uri)
      .compose(req -> req.send())
      .compose(resp -> resp.body().map(b -> resp.statusCode()));
  }

  /**
   * A blocking socket that does the WebSocket handshake by hand and then never reads again (closed after the test).
   */
  private Socket rawUpgrade(String path) throws IOException {
    return rawClients.upgrade(node.dataPort(), path);
  }

  /**
   * A Vert.x TCP socket that does the handshake by hand, then reads (and ignores) every frame, pings included.
   * {@code closed} completes when the server closes the connection.
   */
  private Future<NetSocket> netUpgradeThenIgnore(String path, Promise<Void> closed) {
    return netClient.connect(node.dataPort(), "127.0.0.1").compose(socket -> {
      Promise<NetSocket> switched = Promise.promise();
      Buffer head = Buffer.buffer();
      socket.handler(data -> {
        if (switched.future().isComplete()) {
          return; // frames, pings included: ignored
        }
        head.appendBuffer(data);
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end >= 0) {
          try {
            RawWsClients.checkSwitched(text.substring(0, end + 4), path);
            switched.complete(socket);
          } catch (IOException e) {
            switched.fail(e);
          }
        }
      });
      socket.closeHandler(v -> {
        switched.tryFail("closed during the upgrade");
        closed.tryComplete();
      });
      return socket.write(RawWsClients.request(path, node.dataPort())).compose(v -> switched.future());
    });
  }
}
