package io.wsink.server;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.Addresses;
import io.wsink.sink.WebSocketSinkVerticle;
import io.wsink.testkit.Poll;
import io.wsink.testkit.RawWsClients;
import io.wsink.testkit.TestNode;
import io.wsink.testkit.WsClient;
import io.wsink.tls.TestCerts;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.wsink.testkit.Rules.rule;
import static io.wsink.testkit.Rules.serverProps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The data server's access control and limits (§8), end to end on a whole node: every refusal is a plain HTTP status
 * before the upgrade and is counted per reason in the data server's {@code list} reply; oversized input closes only
 * the offending connection, with 1009; mutual TLS. Real sockets on loopback: Vert.x WebSocket clients, and raw sockets
 * where a request must lack a header or a frame must be larger than any Vert.x client would send.
 */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class DataServerAccessTest {

  private static final String PATH = "/feed";
  private static final String RULE_INPUT = "rule.feed";
  private static final String DASHBOARD = "https://dash.example.com";

  @TempDir
  Path dir;

  /** Generated once for the class, outside any test's time limit (RSA key generation is slow on a busy machine). */
  private static TestCerts certs;

  private Vertx vertx;
  private TestNode node;
  // kept referenced until the test ends (an unreferenced Vert.x client is closed by a Cleaner)
  private final List<WsClient> clients = new ArrayList<>();
  private final RawWsClients rawClients = new RawWsClients();
  private WebClient http;

  @BeforeAll
  static void certificates(@TempDir Path pki) {
    certs = TestCerts.create(pki);
  }

  @BeforeEach
  void init(Vertx vertx) {
    this.vertx = vertx;
  }

  @AfterEach
  void stop(VertxTestContext ctx) throws IOException {
    rawClients.close();
    if (http != null) {
      http.close();
    }
    WsClient.closeAll(clients).compose(v -> node == null ? Future.succeededFuture() : node.stop())
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- allowedOrigins -------------------------------------------------------------------------------------------

  @Test
  void withoutAllowedOriginsAnyOriginIsUpgraded(VertxTestContext ctx) {
    start(new JsonObject())
      .compose(n -> connect(withOrigin("https://anywhere.example")))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aListedOriginIsUpgradedWhateverItsCase(VertxTestContext ctx) {
    start(allowedOrigins(DASHBOARD))
      .compose(n -> connect(withOrigin("https://Dash.Example.COM")))
      .compose(client -> node.awaitClients(PATH, 1))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void anOriginNotListedGets403AndIsCounted(VertxTestContext ctx) {
    start(allowedOrigins(DASHBOARD))
      .compose(n -> refusedStatus(withOrigin("https://evil.example")))
      .compose(status -> {
        assertEquals(403, status);
        // Vert.x's own client sends "Origin: http://<host>:<port>" unless told not to: not listed either
        return refusedStatus(WsClient.connectOptions(node.dataUrl(PATH)));
      })
      .compose(status -> {
        assertEquals(403, status);
        return access();
      })
      .map(access -> {
        assertEquals(2, refused(access, "origin"));
        assertEquals(0, access.getInteger("connections"));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void anUpgradeWithoutOriginIsLetIn(VertxTestContext ctx) {
    // a raw upgrade carries exactly the headers RFC 6455 requires, and no Origin: a non-browser client
    start(allowedOrigins(DASHBOARD))
      .compose(n -> vertx.executeBlocking(() -> rawClients.upgrade(node.dataPort(), PATH))) // throws unless 101
      .compose(socket -> node.awaitClients(PATH, 1))
      .compose(endpoint -> access())
      .map(access -> {
        assertEquals(0, refused(access, "origin"));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- tokens ---------------------------------------------------------------------------------------------------

  @Test
  void aTokenInTheAuthorizationHeaderIsUpgraded(VertxTestContext ctx) {
    start(tokens("t-one", "t+two"))
      .compose(n -> connect(to(PATH).putHeader("Authorization", "Bearer t+two")))
      .compose(client -> node.awaitClients(PATH, 1))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aTokenInTheQueryIsUpgradedUrlDecoded(VertxTestContext ctx) {
    start(tokens("t-one", "t+two"))
      .compose(n -> connect(to(PATH + "?token=t-one")))
      .compose(client -> connect(to(PATH + "?x=1&token=t%2Btwo")))
      .compose(client -> node.awaitClients(PATH, 2))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void withoutATokenOrWithAWrongOneTheUpgradeGets401(VertxTestContext ctx) {
    start(tokens("t-one", "t+two"))
      .compose(n -> expectRefused(to(PATH), 401))
      .compose(v -> expectRefused(to(PATH).putHeader("Authorization", "Bearer t-on"), 401))
      .compose(v -> expectRefused(to(PATH).putHeader("Authorization", "t-one"), 401)) // no Bearer scheme
      .compose(v -> expectRefused(to(PATH + "?token=T-ONE"), 401))
      // the token is checked before the path, so that nobody can probe for endpoints without one
      .compose(v -> expectRefused(to("/unknown"), 401))
      .compose(v -> expectRefused(to("/unknown?token=t-one"), 404))
      .compose(v -> access())
      .map(access -> {
        assertEquals(5, refused(access, "token"));
        assertEquals(1, refused(access, "noEndpoint"));
        assertEquals(0, access.getInteger("connections"));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void plainHttpRequestsNeedTheTokenTooAndGetTheBearerChallenge(VertxTestContext ctx) {
    http = WebClient.create(vertx);
    start(tokens("t-one"))
      .compose(n -> http.get(node.dataPort(), "127.0.0.1", PATH).send())
      .compose(r -> {
        assertEquals(401, r.statusCode());
        assertEquals("Bearer", r.getHeader("WWW-Authenticate"));
        return http.get(node.dataPort(), "127.0.0.1", PATH).putHeader("Authorization", "Bearer t-one").send();
      })
      .compose(r -> {
        assertEquals(400, r.statusCode(), "an endpoint takes WebSocket upgrades only");
        return access();
      })
      .map(access -> {
        assertEquals(1, refused(access, "token"));
        assertEquals(1, refused(access, "notWebSocket"));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void tokensNeverReachTheLogEvenAtDebug(VertxTestContext ctx) {
    Logger wsink = (Logger) LoggerFactory.getLogger("io.wsink");
    Level level = wsink.getLevel();
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    wsink.addAppender(log);
    wsink.setLevel(Level.DEBUG);
    start(tokens("s3cr3t-one"))
      .compose(n -> connect(to(PATH + "?token=s3cr3t-one")))
      .compose(client -> expectRefused(to(PATH + "?token=s3cr3t-guess"), 401))
      .compose(v -> expectRefused(to(PATH).putHeader("Authorization", "Bearer s3cr3t-guess"), 401))
      .map(v -> {
        List<String> lines;
        synchronized (log) { // the appender appends under its own lock, from event-loop threads
          lines = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
        assertTrue(lines.stream().anyMatch(line -> line.contains("refused with 401")), "the refusals are logged");
        lines.forEach(line -> assertFalse(line.contains("s3cr3t"), line));
        return null;
      })
      .eventually(() -> {
        wsink.detachAppender(log);
        wsink.setLevel(level);
        return Future.succeededFuture();
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- maxConnections -------------------------------------------------------------------------------------------

  @Test
  void pastMaxConnectionsTheUpgradeGets503AndAClosedConnectionGivesItsSlotBack(VertxTestContext ctx) {
    start(new JsonObject().put("maxConnections", 2))
      .compose(n -> connect(to(PATH)))
      .compose(first -> connect(to(PATH)).map(second -> first))
      .compose(first -> expectRefused(to(PATH), 503).map(first))
      .compose(WsClient::close)
      .compose(v -> awaitAccess("the closed connection's slot back", a -> a.getInteger("connections") == 1))
      .compose(a -> connect(to(PATH))) // the freed slot takes a new client ...
      .compose(third -> expectRefused(to(PATH), 503)) // ... and the limit still holds
      .compose(v -> access())
      .map(access -> {
        assertEquals(2, access.getInteger("connections"));
        assertEquals(2, access.getInteger("maxConnections"));
        assertEquals(2, refused(access, "maxConnections"));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void clientsTheServerClosesGiveTheirSlotsBackToo(VertxTestContext ctx) {
    start(new JsonObject().put("maxConnections", 2))
      .compose(n -> connect(to(PATH)))
      .compose(first -> connect(to(PATH)).map(second -> List.of(first, second)))
      .compose(both -> node.delete("/rules/feed") // the last holder goes: its clients get 1001
        .compose(r -> Future.all(both.get(0).closed(), both.get(1).closed())))
      .compose(closed -> {
        assertEquals((short) 1001, closed.<Short>resultAt(0));
        return awaitAccess("both slots back", a -> a.getInteger("connections") == 0);
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- maxFrameSize / maxMessageSize ----------------------------------------------------------------------------

  @Test
  void aFrameAboveMaxFrameSizeClosesThatClientWith1009WhileAnotherKeepsReceiving(VertxTestContext ctx) {
    start(limits(1024, 4096))
      .compose(n -> connect(to(PATH)))
      .compose(receiver -> node.awaitClients(PATH, 1).map(receiver))
      .compose(receiver -> vertx.executeBlocking(() -> {
        Socket offender = rawClients.upgrade(node.dataPort(), PATH);
        RawWsClients.writeFrame(offender, 2, new byte[1025], true);
        return RawWsClients.readCloseCode(offender);
      }).map(code -> {
        assertEquals(1009, code, "Close 1009 (message too big), not a dropped connection (-1)");
        return receiver;
      }))
      .compose(receiver -> {
        vertx.eventBus().publish(RULE_INPUT, new JsonObject().put("after", 1));
        return receiver.awaitMessages(1).map(messages -> {
          assertEquals(new JsonObject().put("after", 1), new JsonObject((String) messages.get(0)));
          assertFalse(receiver.socket().isClosed());
          return null;
        });
      })
      .compose(v -> awaitAccess("the 1009 close counted", a -> a.getLong("closedMessageTooBig") == 1))
      .map(access -> {
        assertEquals(1, access.getInteger("connections"), "the offender's slot is back");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aFrameOfExactlyMaxFrameSizeIsAccepted(VertxTestContext ctx) {
    Promise<Object> inbound = Promise.promise();
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(Addresses.endpointInbound(PATH),
      msg -> inbound.tryComplete(msg.body()));
    consumer.completion()
      .compose(v -> start(limits(1024, 4096)))
      .compose(n -> vertx.executeBlocking(() -> {
        Socket client = rawClients.upgrade(node.dataPort(), PATH);
        RawWsClients.writeFrame(client, 1, "y".repeat(1024).getBytes(), true);
        return client;
      }))
      .compose(client -> inbound.future())
      .map(text -> {
        assertEquals("y".repeat(1024), text);
        return null;
      })
      .eventually(consumer::unregister)
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aMessageAboveMaxMessageSizeClosesWith1009AfterOneWithinItWentThrough(VertxTestContext ctx) {
    Promise<Object> inbound = Promise.promise();
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(Addresses.endpointInbound(PATH),
      msg -> inbound.tryComplete(msg.body()));
    consumer.completion()
      .compose(v -> start(limits(1024, 4096)))
      .compose(n -> connect(to(PATH)))
      .compose(client -> {
        sendFragmented(client, 4); // 4000 bytes in frames of 1000: within both limits
        return inbound.future().map(text -> {
          assertEquals("x".repeat(4000), text);
          return client;
        });
      })
      .compose(client -> {
        sendFragmented(client, 5); // 5000 bytes: every frame fits, the message does not
        return client.closed();
      })
      .compose(code -> {
        assertEquals((short) 1009, code);
        return awaitAccess("the 1009 close counted", a -> a.getLong("closedMessageTooBig") == 1);
      })
      .eventually(consumer::unregister)
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aCompressedMessageIsLimitedByItsInflatedSize(VertxTestContext ctx) {
    // permessage-deflate: 100 000 zeros travel as a few hundred bytes, far below maxFrameSize
    WebSocketClientOptions compressing = WsClient.defaultOptions().setTryUsePerMessageCompression(true);
    start(limits(1024, 4096))
      .compose(n -> WsClient.connect(vertx, compressing, to(PATH)).onSuccess(clients::add))
      .compose(client -> {
        String extensions = String.valueOf(client.socket().headers().get("Sec-WebSocket-Extensions"));
        assertTrue(extensions.contains("permessage-deflate"), "negotiated: " + extensions);
        client.send("0".repeat(100_000));
        return client.closed();
      })
      .map(code -> {
        assertEquals((short) 1009, code);
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- mutual TLS -----------------------------------------------------------------------------------------------

  @Test
  void mutualTlsAdmitsAClientCertificateSignedByTheCa(VertxTestContext ctx) {
    start(mutualTls(null))
      .compose(n -> connectTls(tlsClient(certs.clientCert(), certs.clientKey())))
      .compose(client -> node.awaitClients(PATH, 1))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void mutualTlsRefusesAClientWithoutCertificate(VertxTestContext ctx) {
    start(mutualTls(null))
      .compose(n -> expectTlsFailure(tlsClient(null, null)))
      .compose(v -> awaitAccess("the failed handshake counted", a -> a.getLong("tlsHandshakeFailures") >= 1))
      .map(access -> {
        assertEquals(1, access.getLong("tlsHandshakeFailures"), "counted once");
        assertEquals(0, access.getInteger("connections"));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void mutualTlsRefusesACertificateFromAnotherCa(VertxTestContext ctx) {
    start(mutualTls(null))
      .compose(n -> expectTlsFailure(tlsClient(certs.rogueCert(), certs.rogueKey())))
      .compose(v -> awaitAccess("the failed handshake counted", a -> a.getLong("tlsHandshakeFailures") >= 1))
      .map(access -> {
        assertEquals(1, access.getLong("tlsHandshakeFailures"), "counted once");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void clientAuthRequestAdmitsClientsWithAndWithoutCertificate(VertxTestContext ctx) {
    start(mutualTls("request"))
      .compose(n -> connectTls(tlsClient(null, null)))
      .compose(client -> connectTls(tlsClient(certs.clientCert(), certs.clientKey())))
      .compose(client -> node.awaitClients(PATH, 2))
      .compose(endpoint -> access())
      .map(access -> {
        assertEquals(0, access.getLong("tlsHandshakeFailures"));
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- standalone sink (§9) -----------------------------------------------------------------------------------------

  @Test
  void aStandaloneSinkStartsItsDataServerWithTheSameChecks(VertxTestContext ctx) {
    int port = TestNode.freePort();
    String url = "ws://127.0.0.1:" + port + "/solo";
    JsonObject config = new JsonObject().put("from", "solo.in")
      .put("websocket", new JsonObject().put("path", "/solo").put("sendSingle", true))
      .put("source", new JsonObject().put("httpServerIp", "127.0.0.1").put("httpServerPort", port)
        .put("tokens", new JsonArray().add("solo-token")));
    vertx.deployVerticle(new WebSocketSinkVerticle(), new DeploymentOptions().setConfig(config))
      .compose(id -> expectRefused(WsClient.connectOptions(url), 401))
      .compose(v -> connect(WsClient.connectOptions(url + "?token=solo-token")))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aStandaloneSinkWithABadSourceKeyFailsToDeploy(VertxTestContext ctx) {
    JsonObject config = new JsonObject().put("from", "solo.in")
      .put("websocket", new JsonObject().put("path", "/solo"))
      .put("source", new JsonObject().put("maxConnections", "many"));
    vertx.deployVerticle(new WebSocketSinkVerticle(), new DeploymentOptions().setConfig(config))
      .onComplete(ctx.failing(err -> ctx.verify(() -> {
        assertEquals("WebSocketSinkVerticle config: source.maxConnections: must be a positive integer, got \"many\"",
          err.getMessage());
        ctx.completeNow();
      })));
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  /** A node whose data server has these {@code source} keys, and a rule holding {@link #PATH} (so it listens). */
  private Future<TestNode> start(JsonObject source) {
    return TestNode.start(vertx, dir, new JsonObject().put("source", source)).compose(n -> {
      node = n;
      return n.createRule(rule("feed", serverProps(PATH).put("sendSingle", true))).map(n);
    });
  }

  private static JsonObject allowedOrigins(String... origins) {
    return new JsonObject().put("allowedOrigins", new JsonArray(List.of((Object[]) origins)));
  }

  private static JsonObject tokens(String... tokens) {
    return new JsonObject().put("tokens", new JsonArray(List.of((Object[]) tokens)));
  }

  private static JsonObject limits(int maxFrameSize, int maxMessageSize) {
    return new JsonObject().put("maxFrameSize", maxFrameSize).put("maxMessageSize", maxMessageSize);
  }

  /** TLS with client certificates checked against the test CA; {@code clientAuth} null: the default. */
  private static JsonObject mutualTls(String clientAuth) {
    JsonObject tls = new JsonObject().put("certfile", certs.serverCert().toString())
      .put("keyfile", certs.serverKey().toString()).put("cafile", certs.caCert().toString());
    if (clientAuth != null) {
      tls.put("clientAuth", clientAuth);
    }
    return new JsonObject().put("httpServerTls", tls);
  }

  /** A client trusting the test CA, showing {@code cert}/{@code key} (none when null). */
  private static WebSocketClientOptions tlsClient(Path cert, Path key) {
    WebSocketClientOptions options = WsClient.defaultOptions().setSsl(true)
      .setTrustOptions(new PemTrustOptions().addCertPath(certs.caCert().toString()));
    if (cert != null) {
      options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString()));
    }
    return options;
  }

  private WebSocketConnectOptions to(String uri) {
    return WsClient.connectOptions(node.dataUrl(uri));
  }

  /**
   * Connect options that send this Origin instead of the one Vert.x generates (with {@code setAllowOriginHeader(false)}
   * Vert.x 5.0 sends no Origin at all, even one put explicitly).
   */
  private WebSocketConnectOptions withOrigin(String origin) {
    return to(PATH).putHeader("Origin", origin);
  }

  private Future<WsClient> connect(WebSocketConnectOptions options) {
    return WsClient.connect(vertx, WsClient.defaultOptions(), options).onSuccess(clients::add);
  }

  private Future<WsClient> connectTls(WebSocketClientOptions options) {
    return WsClient.connect(vertx, options, to(PATH).setSsl(true)).onSuccess(clients::add);
  }

  /** The HTTP status of a refused upgrade; fails if the upgrade was accepted or failed otherwise. */
  private Future<Integer> refusedStatus(WebSocketConnectOptions options) {
    return connect(options).transform(ar -> {
      if (ar.succeeded()) {
        return Future.failedFuture(new AssertionError("the upgrade of " + options.getURI() + " was accepted"));
      }
      if (ar.cause() instanceof UpgradeRejectedException rejected) {
        return Future.succeededFuture(rejected.getStatus());
      }
      return Future.failedFuture(new AssertionError("expected a refused upgrade, got " + ar.cause(), ar.cause()));
    });
  }

  private Future<Void> expectRefused(WebSocketConnectOptions options, int status) {
    return refusedStatus(options).map(actual -> {
      assertEquals(status, actual, "status of the upgrade of " + options.getURI());
      return null;
    });
  }

  /** The connection fails in the TLS handshake: no HTTP answer at all. */
  private Future<Void> expectTlsFailure(WebSocketClientOptions options) {
    return connectTls(options).transform(ar -> {
      if (ar.succeeded()) {
        return Future.failedFuture(new AssertionError("the TLS connection was accepted"));
      }
      if (ar.cause() instanceof UpgradeRejectedException rejected) {
        return Future.failedFuture(new AssertionError("expected a failed TLS handshake, got HTTP "
          + rejected.getStatus()));
      }
      return Future.succeededFuture();
    });
  }

  /** One message of {@code frames} × 1000 bytes of 'x', as a text frame and continuation frames. */
  private static void sendFragmented(WsClient client, int frames) {
    String part = "x".repeat(1000);
    client.socket().writeFrame(WebSocketFrame.textFrame(part, false));
    for (int i = 1; i < frames; i++) {
      client.socket().writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(part), i == frames - 1));
    }
  }

  /** The {@code access} object of the data server's list reply: connections and refusal counters. */
  private Future<JsonObject> access() {
    return vertx.eventBus().<JsonObject>request(Addresses.SERVER_CONTROL, new JsonObject().put("op", ServerVerticle.LIST))
      .map(reply -> {
        JsonObject access = reply.body().getJsonObject("access");
        assertNotNull(access, reply.body().encode());
        return access;
      });
  }

  private Future<JsonObject> awaitAccess(String what, Predicate<JsonObject> until) {
    return Poll.until(vertx, what, this::access, until);
  }

  private static long refused(JsonObject access, String reason) {
    return access.getJsonObject("refused").getLong(reason);
  }
}
