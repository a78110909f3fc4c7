package io.wsink.pipeline;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.testkit.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A {@link Frame} is encoded once and written to many sockets from the same bytes: every socket must get the message
 * intact, text as text and bytes as bytes, whatever its characters and size.
 */
@ExtendWith(VertxExtension.class)
class FrameTest {

  private static final int CLIENTS = 3;
  private static final int MAX_FRAME_SIZE = 65536;
  // ASCII, 2-, 3- and 4-byte UTF-8 (a surrogate pair), and a character that JSON escaping never touches
  private static final String MIXED = "temp 21.5 °C — 東京 🌡 \u007f end";

  @Test
  void sizeIsTheUtf8LengthOfTextAndTheLengthOfBytes() {
    assertEquals(MIXED.getBytes(StandardCharsets.UTF_8).length, Frame.text(MIXED).size());
    assertEquals(5, Frame.binary(Buffer.buffer(new byte[5])).size());
    assertEquals(0, Frame.text("").size());
  }

  @Test
  void aFrameIsTextOrBytesAndNothingElse() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Frame(42));
    assertEquals("a frame is a String or a Buffer, not 42", e.getMessage());
  }

  @Test
  void oneTextFrameWrittenToSeveralSocketsReachesEachIntactAndInOrder(Vertx vertx, VertxTestContext ctx) {
    String big = "x".repeat(MAX_FRAME_SIZE) + MIXED; // over the frame size: Vert.x splits it into frames
    List<Frame> frames = List.of(Frame.text(MIXED), Frame.text(""), Frame.text(big),
      Frame.binary(Buffer.buffer(new byte[] {0, (byte) 0xff, 1})), Frame.text(MIXED));
    fanOut(vertx, frames).onComplete(ctx.succeeding(received -> ctx.verify(() -> {
      for (List<Object> messages : received) {
        assertEquals(5, messages.size());
        assertEquals(MIXED, messages.get(0), "the same bytes, written again to another socket, are still intact");
        assertEquals("", messages.get(1));
        assertEquals(big, messages.get(2));
        assertEquals(Buffer.buffer(new byte[] {0, (byte) 0xff, 1}), messages.get(3), "bytes go out as a binary frame");
        assertEquals(MIXED, messages.get(4));
      }
      ctx.completeNow();
    })));
  }

  /** Serves a WebSocket endpoint on a free loopback port, writes every frame to each of {@link #CLIENTS} sockets. */
  private static Future<List<List<Object>>> fanOut(Vertx vertx, List<Frame> frames) {
    List<ServerWebSocket> sockets = new ArrayList<>();
    Promise<Void> allAccepted = Promise.promise();
    HttpServer server = vertx.createHttpServer().webSocketHandler(socket -> {
      sockets.add(socket);
      if (sockets.size() == CLIENTS) {
        allAccepted.complete();
      }
    });
    return server.listen(0, "127.0.0.1").compose(s -> {
      List<Future<WsClient>> connected = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        connected.add(WsClient.connect(vertx, "ws://127.0.0.1:" + s.actualPort() + "/f"));
      }
      return Future.all(connected).compose(all -> allAccepted.future())
        .map(v -> connected.stream().map(Future::result).toList());
    }).compose(clients -> {
      for (Frame frame : frames) {
        for (ServerWebSocket socket : sockets) {
          frame.writeTo(socket, MAX_FRAME_SIZE);
        }
      }
      List<Future<List<Object>>> received = clients.stream().map(c -> c.awaitMessages(frames.size())).toList();
      return Future.all(received).map(all -> received.stream().map(Future::result).toList())
        .eventually(() -> WsClient.closeAll(clients));
    }).eventually(server::close);
  }
}
