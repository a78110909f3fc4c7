package io.wsink.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.testkit.RawWsClients;
import io.wsink.testkit.Rules;
import io.wsink.testkit.TestNode;
import io.wsink.testkit.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * §8: a client that breaks RFC 6455 gets the close code the RFC names, loses only its own connection, and the other
 * clients of the endpoint keep receiving. Raw TCP, so the violations really reach the server.
 */
@ExtendWith(VertxExtension.class)
class ProtocolViolationTest {

  private static final String PATH = "/p";
  /** The offer of RFC 7692's permessage-deflate, without parameters, as a client sends it. */
  private static final String OFFER_DEFLATE = "Sec-WebSocket-Extensions: permessage-deflate";

  @TempDir
  Path dir;

  private TestNode node;
  private WsClient good;
  private final RawWsClients raw = new RawWsClients();

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    TestNode.start(vertx, dir).compose(n -> {
      node = n;
      return n.createRule(Rules.rule("r", Rules.serverProps(PATH).put("sendSingle", true)));
    }).compose(v -> WsClient.connect(vertx, node.dataUrl(PATH))).onComplete(ctx.succeeding(c -> {
      good = c;
      ctx.completeNow();
    }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) throws IOException {
    raw.close();
    Future<Void> closed = good == null ? Future.succeededFuture() : good.close();
    closed.transform(x -> node == null ? Future.succeededFuture() : node.stop()).onComplete(ar -> ctx.completeNow());
  }

  @Test
  void invalidUtf8InATextMessageIsClosedWith1007AndNotPassedOn(Vertx vertx, VertxTestContext ctx) {
    List<Object> inbound = new java.util.ArrayList<>();
    vertx.eventBus().consumer("ws.in." + PATH, m -> inbound.add(m.body()));
    closesWith(vertx, ctx, 1007, socket -> {
      RawWsClients.writeFrame(socket, 0x1, new byte[] {'o', 'k', (byte) 0xc3}, false);
      RawWsClients.writeFrame(socket, 0x0, new byte[] {0x28}, true); // 0xc3 0x28 is not UTF-8
    }, () -> assertEquals(List.of(), inbound, "what the client sent is not passed on as replacement characters"));
  }

  @Test
  void aCharacterSplitAcrossFramesIsPassedOnWhole(Vertx vertx, VertxTestContext ctx) {
    io.vertx.core.Promise<Object> got = io.vertx.core.Promise.promise();
    vertx.eventBus().consumer("ws.in." + PATH, m -> got.tryComplete(m.body()));
    vertx.executeBlocking(() -> {
      Socket socket = raw.upgrade(node.dataPort(), PATH);
      RawWsClients.writeFrame(socket, 0x1, new byte[] {'t', (byte) 0xc3}, false);
      RawWsClients.writeFrame(socket, 0x0, new byte[] {(byte) 0xa9}, true);
      return null;
    }).compose(v -> got.future()).onComplete(ctx.succeeding(text -> ctx.verify(() -> {
      assertEquals("t\u00e9", text);
      ctx.completeNow();
    })));
  }

  @Test
  void anUnmaskedClientFrameIsAProtocolError(Vertx vertx, VertxTestContext ctx) {
    closesWith(vertx, ctx, 1002, socket -> write(socket, 0x81, 0x02, 'h', 'i'));
  }

  @Test
  void aReservedOpcodeIsAProtocolError(Vertx vertx, VertxTestContext ctx) {
    closesWith(vertx, ctx, 1002, socket -> RawWsClients.writeFrame(socket, 0x3, new byte[] {1, 2}, true));
  }

  @Test
  void aFragmentedControlFrameIsAProtocolError(Vertx vertx, VertxTestContext ctx) {
    closesWith(vertx, ctx, 1002, socket -> RawWsClients.writeFrame(socket, 0x9, new byte[] {'p'}, false));
  }

  @Test
  void aContinuationWithoutAStartIsAProtocolError(Vertx vertx, VertxTestContext ctx) {
    closesWith(vertx, ctx, 1002, socket -> RawWsClients.writeFrame(socket, 0x0, new byte[] {'c'}, true));
  }

  @ParameterizedTest(name = "rsv {0}")
  @ValueSource(ints = {4, 2, 1, 7})
  void reservedBitsWithoutANegotiatedExtensionAreAProtocolError(int rsv, Vertx vertx, VertxTestContext ctx) {
    List<Object> inbound = new java.util.ArrayList<>();
    vertx.eventBus().consumer("ws.in." + PATH, m -> inbound.add(m.body()));
    closesWith(vertx, ctx, 1002, socket -> RawWsClients.writeFrame(socket, 0x1, "hi".getBytes(StandardCharsets.UTF_8),
      true, rsv), () -> assertEquals(List.of(), inbound, "the frame is not passed on"));
  }

  @Test
  void aCompressedMessageIsTakenFromAClientThatNegotiatedPermessageDeflate(Vertx vertx, VertxTestContext ctx) {
    List<Object> inbound = new java.util.ArrayList<>();
    io.vertx.core.Promise<Void> two = io.vertx.core.Promise.promise();
    vertx.eventBus().consumer("ws.in." + PATH, m -> {
      inbound.add(m.body());
      if (inbound.size() == 2) {
        two.tryComplete();
      }
    });
    vertx.executeBlocking(() -> {
      RawWsClients.Upgraded upgraded = raw.upgradeWith(node.dataPort(), PATH, OFFER_DEFLATE);
      assertTrue(upgraded.head().toLowerCase(Locale.ROOT)
        .contains("sec-websocket-extensions: permessage-deflate"), "negotiated: " + upgraded.head());
      // RSV1 marks a compressed message (RFC 7692 §6); a later one without it is sent as it is
      RawWsClients.writeFrame(upgraded.socket(), 0x1, deflate("compressed"), true, 4);
      RawWsClients.writeFrame(upgraded.socket(), 0x1, "plain".getBytes(StandardCharsets.UTF_8), true);
      return null;
    }).compose(v -> two.future()).compose(v -> node.awaitClients(PATH, 2))
      .onComplete(ctx.succeeding(e -> ctx.verify(() -> {
        assertEquals(List.of("compressed", "plain"), inbound);
        ctx.completeNow();
      })));
  }

  @ParameterizedTest(name = "opcode {0}, rsv {1}")
  @CsvSource({"1, 2", "1, 1", "9, 4"}) // text with RSV2 or RSV3; a ping with RSV1 (control frames are never compressed)
  void reservedBitsPermessageDeflateDoesNotDefineAreStillAProtocolError(int opcode, int rsv, Vertx vertx,
                                                                        VertxTestContext ctx) {
    closesWith(vertx, ctx, 1002, () -> raw.upgradeWith(node.dataPort(), PATH, OFFER_DEFLATE).socket(),
      socket -> RawWsClients.writeFrame(socket, opcode, opcode == 1 ? deflate("x") : new byte[] {'p'}, true, rsv),
      () -> { });
  }

  /** {@code text} as one permessage-deflate message body (RFC 7692 §7.2.1: raw DEFLATE, the final 00 00 ff ff cut). */
  private static byte[] deflate(String text) {
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    deflater.setInput(text.getBytes(StandardCharsets.UTF_8));
    byte[] out = new byte[256];
    int n = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
    deflater.end();
    return Arrays.copyOf(out, n - 4);
  }

  @Test
  void aResetConnectionIsForgottenAndTheOthersKeepReceiving(Vertx vertx, VertxTestContext ctx) {
    vertx.executeBlocking(() -> {
      Socket socket = raw.upgrade(node.dataPort(), PATH);
      return socket;
    }).compose(socket -> node.awaitClients(PATH, 2).compose(e -> vertx.executeBlocking(() -> {
      socket.setSoLinger(true, 0); // close() now sends RST: the peer vanishes without a Close
      socket.close();
      return null;
    }))).compose(v -> node.awaitClients(PATH, 1))
      .compose(e -> publishAndAwait(vertx))
      .onComplete(ctx.succeeding(messages -> ctx.verify(() -> {
        assertEquals(List.of("{\"after\":true}"), messages);
        ctx.completeNow();
      })));
  }

  /** Upgrades a raw client, lets it break the protocol, and checks its close code and that the good client is unhurt. */
  private void closesWith(Vertx vertx, VertxTestContext ctx, int expected, SocketAction violation) {
    closesWith(vertx, ctx, expected, violation, () -> { });
  }

  private void closesWith(Vertx vertx, VertxTestContext ctx, int expected, SocketAction violation, Runnable andThen) {
    closesWith(vertx, ctx, expected, () -> raw.upgrade(node.dataPort(), PATH), violation, andThen);
  }

  private void closesWith(Vertx vertx, VertxTestContext ctx, int expected, Callable<Socket> upgrade,
                          SocketAction violation, Runnable andThen) {
    vertx.executeBlocking(() -> {
      Socket socket = upgrade.call();
      violation.run(socket);
      return RawWsClients.readCloseCode(socket);
    }).compose(code -> {
      ctx.verify(() -> assertEquals(expected, code, "the close code the server sent"));
      return node.awaitClients(PATH, 1);
    }).compose(e -> publishAndAwait(vertx))
      .onComplete(ctx.succeeding(messages -> ctx.verify(() -> {
        assertEquals(List.of("{\"after\":true}"), messages, "the other client still gets what is published");
        andThen.run();
        ctx.completeNow();
      })));
  }

  private Future<List<Object>> publishAndAwait(Vertx vertx) {
    vertx.eventBus().publish("rule.r", new JsonObject().put("after", true));
    return good.awaitMessages(1);
  }

  private static void write(Socket socket, int... bytes) throws IOException {
    byte[] out = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = (byte) bytes[i];
    }
    socket.getOutputStream().write(out);
    socket.getOutputStream().flush();
  }

  @FunctionalInterface
  private interface SocketAction {
    void run(Socket socket) throws IOException;
  }
}
