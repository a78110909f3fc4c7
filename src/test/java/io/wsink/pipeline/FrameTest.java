package io.wsink.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  @Test
  void aServerFrameIsFinOpcodeUnmaskedLengthAndPayloadAtEveryLengthBoundary() {
    EmbeddedChannel channel = new EmbeddedChannel();
    try {
      // 7-bit lengths up to 125, 16-bit from 126 to 65535, 64-bit from 65536
      for (int length : new int[] {0, 1, 125, 126, 127, 65535, 65536, 70000}) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
          data[i] = (byte) (i * 31 + 7);
        }
        checkServerFrame(channel, Frame.binary(Buffer.buffer(data)), 0x82, data);
        String text = "a".repeat(length);
        checkServerFrame(channel, Frame.text(text), 0x81, text.getBytes(StandardCharsets.UTF_8));
      }
      // the length is that of the UTF-8 bytes, not of the characters: 32768 two-byte characters need 64 bits
      String twoByte = "é".repeat(32768);
      checkServerFrame(channel, Frame.text(twoByte), 0x81, twoByte.getBytes(StandardCharsets.UTF_8));
      checkServerFrame(channel, Frame.text(MIXED), 0x81, MIXED.getBytes(StandardCharsets.UTF_8));
    } finally {
      channel.finishAndReleaseAll();
    }
  }

  @Test
  void aServerFrameIsEncodedOncePerTurnSharedAndReleasedWhenTheTurnAndItsWritesAreDone() {
    EmbeddedChannel channel = new EmbeddedChannel();
    try {
      Frame frame = Frame.text(MIXED);
      ByteBuf first = frame.serverFrame(channel.alloc(), channel.eventLoop());
      ByteBuf second = frame.serverFrame(channel.alloc(), channel.eventLoop());
      // one buffer: the frame's own reference and one for each duplicate handed out
      assertEquals(3, first.refCnt(), "two writes of one frame in one turn share one buffer");
      if (first.hasMemoryAddress()) {
        assertEquals(first.memoryAddress(), second.memoryAddress(), "the same memory");
      }
      assertTrue(first.isDirect(), "a direct buffer: the socket writes it without a copy");
      // full, and unable to grow: no handler on its way (SslHandler coalesces into the first buffer) can write into it
      assertEquals(first.capacity(), first.maxCapacity());
      assertFalse(first.isWritable());
      assertEquals(1, first.ensureWritable(1, false), "cannot grow");

      channel.runPendingTasks(); // the turn ends: the frame lets go of its reference
      assertEquals(2, first.refCnt(), "only the writes hold it now");
      first.release();
      second.release();
      assertEquals(0, second.refCnt(), "released once the last write is done");

      // a client that had it queued writes it in a later turn: encoded again, released again
      ByteBuf later = frame.serverFrame(channel.alloc(), channel.eventLoop());
      assertEquals(2, later.refCnt());
      assertArrayEquals(ByteBufUtil.getBytes(later, 2, later.readableBytes() - 2), MIXED.getBytes(StandardCharsets.UTF_8));
      channel.runPendingTasks();
      later.release();
      assertEquals(0, later.refCnt());
    } finally {
      channel.finishAndReleaseAll();
    }
  }

  @Test
  void aServerFrameIsEncodedOnItsSocketsEventLoopOnly() {
    EmbeddedChannel channel = new EmbeddedChannel();
    try {
      DefaultEventLoop other = new DefaultEventLoop();
      try {
        IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> Frame.text("x").serverFrame(channel.alloc(), other));
        assertTrue(e.getMessage().startsWith("a frame is encoded on its socket's event loop"), e.getMessage());
      } finally {
        other.shutdownGracefully();
      }
    } finally {
      channel.finishAndReleaseAll();
    }
  }

  /** Checks the whole wire frame of {@code frame}: header byte, the shortest length encoding, the payload. */
  private static void checkServerFrame(EmbeddedChannel channel, Frame frame, int firstByte, byte[] payload) {
    ByteBuf wire = frame.serverFrame(channel.alloc(), channel.eventLoop());
    try {
      int length = payload.length;
      int header = length < 126 ? 2 : length < 65536 ? 4 : 10;
      assertEquals(header + length, wire.readableBytes(), "frame of " + length + " bytes");
      assertEquals(firstByte, wire.getUnsignedByte(0), "FIN, no RSV bit, the opcode");
      int second = wire.getUnsignedByte(1);
      assertEquals(0, second & 0x80, "a server frame is not masked");
      long encodedLength = switch (header) {
        case 2 -> second;
        case 4 -> {
          assertEquals(126, second);
          yield wire.getUnsignedShort(2);
        }
        default -> {
          assertEquals(127, second);
          yield wire.getLong(2);
        }
      };
      assertEquals(length, encodedLength, "length of " + length + " bytes");
      assertArrayEquals(payload, ByteBufUtil.getBytes(wire, header, length), "payload of " + length + " bytes");
    } finally {
      wire.release();
      channel.runPendingTasks();
    }
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
