package io.wsink.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.testkit.TestNode;
import io.wsink.testkit.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.wsink.testkit.Rules.rule;
import static io.wsink.testkit.Rules.serverProps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Server mode on a whole node, with the frames encoded once for every client: many clients, plain and with
 * permessage-deflate or deflate-frame, each get every message intact and in order, text as text and bytes as bytes, at
 * every header length boundary, in multi-byte UTF-8, and above the data server's frame size (64 KiB by default).
 */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class EncodedFanOutTest {

  private static final String PATH = "/encoded";
  private static final String RULE = "encoded";
  private static final int PLAIN_CLIENTS = 20;
  private static final int MAX_FRAME = 65536;
  private static final String MIXED = "temp 21.5 °C — 東京 🌡 \u007f end";

  @TempDir
  Path dir;

  private Vertx vertx;
  private TestNode node;
  private final List<WsClient> clients = new ArrayList<>();

  @BeforeEach
  void startNode(Vertx vertx, VertxTestContext ctx) {
    this.vertx = vertx;
    TestNode.start(vertx, dir).onSuccess(n -> node = n).onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void closeClients(VertxTestContext ctx) {
    WsClient.closeAll(clients).onComplete(ar -> ctx.completeNow());
  }

  @Test
  void everyClientPlainOrCompressedGetsEveryMessageIntactAndInOrder(VertxTestContext ctx) {
    List<Object> messages = new ArrayList<>();
    for (int length : new int[] {1, 125, 126, 127, 65535, 65536}) {
      messages.add("t".repeat(length));
      messages.add(Buffer.buffer(bytes(length)));
    }
    messages.add("");
    messages.add(Buffer.buffer());
    messages.add(MIXED);
    messages.add("€".repeat(42)); // 126 bytes, 42 characters
    messages.add("é".repeat(32768)); // 65536 bytes: 64-bit length, one frame
    messages.add("x".repeat(3 * MAX_FRAME) + MIXED); // several frames, through Vert.x
    messages.add("after the large one");
    messages.add(Buffer.buffer(bytes(MAX_FRAME + 1)));
    messages.add(MIXED.repeat(100));

    List<WebSocketClientOptions> options = new ArrayList<>();
    for (int i = 0; i < PLAIN_CLIENTS; i++) {
      options.add(WsClient.defaultOptions());
    }
    options.add(WsClient.defaultOptions().setTryUsePerMessageCompression(true));
    options.add(WsClient.defaultOptions().setTryUsePerFrameCompression(true));

    JsonObject props = serverProps(PATH).put("clientQueueBytes", 16 * 1024 * 1024);
    node.createRule(rule(RULE, props))
      .compose(v -> Future.all(options.stream().map(o -> WsClient.connect(vertx, o,
        WsClient.connectOptions(node.dataUrl(PATH))).onSuccess(clients::add)).toList()))
      .compose(v -> node.awaitClients(PATH, options.size()))
      .compose(v -> {
        long compressed = clients.stream().filter(c -> c.socket().headers().contains("Sec-WebSocket-Extensions"))
          .count();
        assertEquals(2, compressed, "two clients negotiated compression");
        for (Object message : messages) {
          vertx.eventBus().publish("rule." + RULE, message);
        }
        return Future.all(clients.stream().map(c -> c.awaitMessages(messages.size())).toList());
      })
      .map(v -> {
        for (WsClient client : clients) {
          List<Object> got = client.messages();
          assertEquals(messages.size(), got.size(), "every message once");
          for (int i = 0; i < messages.size(); i++) {
            Object expected = messages.get(i);
            Object actual = got.get(i);
            String which = "message " + i;
            assertEquals(expected instanceof String, actual instanceof String, which + ": text stays text");
            assertTrue(expected.equals(actual), () -> which + " differs: expected " + describe(expected)
              + ", got " + describe(actual));
          }
        }
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  private static String describe(Object m) {
    int length = m instanceof String s ? s.getBytes(StandardCharsets.UTF_8).length : ((Buffer) m).length();
    String text = m.toString();
    return (m instanceof String ? "text" : "bytes") + " of " + length + " bytes: "
      + (text.length() > 40 ? text.substring(0, 40) + "…" : text);
  }

  private static byte[] bytes(int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (i * 31 + 7);
    }
    return b;
  }
}
