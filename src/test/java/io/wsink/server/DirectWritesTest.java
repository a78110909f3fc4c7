package io.wsink.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.pipeline.FlushCoalescing;
import io.wsink.pipeline.Frame;
import io.wsink.sink.Overflow;
import io.wsink.testkit.Poll;
import io.wsink.testkit.RawWsClients;
import io.wsink.testkit.RawWsClients.ServerFrame;
import io.wsink.testkit.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link ClientConnection} writes a frame that fits in one frame straight to its socket's channel, encoded once for
 * every socket ({@link Frame#serverFrame}), unless the connection negotiated an extension. Sockets of a plain Vert.x
 * server with the data server's handlers ({@link ReservedBitsCheck}, {@link FlushCoalescing}); the connections are used
 * on the server's event loop, as the endpoint uses them. What reaches each channel's network end is recorded, so the
 * sharing of one buffer is observed, not inferred.
 */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class DirectWritesTest {

  private static final String PATH = "/direct";
  private static final int MAX_FRAME = 65536;
  private static final int BUDGET = 65536;
  // ASCII, 2-, 3- and 4-byte UTF-8 (a surrogate pair)
  private static final String MIXED = "temp 21.5 °C — 東京 🌡 \u007f end";

  private Vertx vertx;
  private HttpServer server;
  private Context serverContext;
  /** The accepted sockets, in order; touched on the server's event loop only. */
  private final List<Served> served = new ArrayList<>();
  private final List<WsClient> clients = new ArrayList<>();
  private final RawWsClients raw = new RawWsClients();

  /** One accepted socket, its connection and the buffers that reached its channel's network end. */
  private record Served(ServerWebSocket ws, ClientConnection connection, Writes writes) {
  }

  @AfterEach
  void close(VertxTestContext ctx) throws IOException {
    raw.close();
    WsClient.closeAll(clients).transform(x -> server == null ? Future.succeededFuture() : server.close())
      .onComplete(ar -> ctx.completeNow());
  }

  @Test
  void everyClientGetsEveryMessageIntactAndInOrderAtEveryLengthBoundary(Vertx vertx, VertxTestContext ctx) {
    this.vertx = vertx;
    List<Object> messages = new ArrayList<>();
    // 7-bit lengths up to 125, 16-bit from 126 to 65535, 64-bit from 65536 (the frame size limit)
    for (int length : new int[] {0, 1, 125, 126, 127, 65535, 65536}) {
      messages.add("t".repeat(length));
      messages.add(Buffer.buffer(bytes(length)));
    }
    messages.add(MIXED);
    messages.add("€".repeat(42)); // 126 bytes in 42 characters: the length is counted in bytes
    messages.add("é".repeat(32768)); // 65536 bytes: a 64-bit length, still one frame
    int clientCount = 12;
    serve(new HttpServerOptions())
      .compose(port -> connect(port, clientCount, WsClient.defaultOptions()))
      // one turn: each socket takes its budget, the rest waits in the connection's queue and drains as it writes
      .compose(v -> onServer(() -> {
        offerToAll(messages, holder(16 * 1024 * 1024));
        return served.stream().map(s -> s.connection().writesDirectly()).toList();
      }))
      .compose(direct -> {
        assertEquals(Collections.nCopies(clientCount, true), direct, "no extension: every socket directly");
        return everyClientGets(messages);
      })
      .compose(v -> onServer(() -> served.stream().allMatch(s -> s.connection().idle() && s.connection().pendingBytes() == 0)))
      .map(idle -> {
        assertTrue(idle, "every queue written out");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aFrameIsEncodedOnceIntoOneBufferThatEverySocketWrites(Vertx vertx, VertxTestContext ctx) {
    this.vertx = vertx;
    List<Object> messages = List.of("first", Buffer.buffer(bytes(300)), "x".repeat(70), MIXED);
    int clientCount = 6;
    serve(new HttpServerOptions())
      .compose(port -> connect(port, clientCount, WsClient.defaultOptions()))
      .compose(v -> onServer(() -> {
        offerToAll(messages, holder(1024 * 1024));
        return null;
      }))
      .compose(v -> everyClientGets(messages))
      .compose(v -> onServer(() -> served.stream().map(s -> List.copyOf(s.writes().addresses)).toList()))
      .map(addresses -> {
        List<Long> first = addresses.get(0);
        assertEquals(messages.size(), first.size(), "one buffer per message reaches the network: " + first);
        assertFalse(first.contains(0L), "direct buffers, with a memory address: " + first);
        assertEquals(messages.size(), first.stream().distinct().count(), "a buffer per message: " + first);
        for (List<Long> other : addresses) {
          assertEquals(first, other, "every socket writes the same buffer of each message, encoded once");
        }
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aFullSocketQueuesFramesAndWritesThemAllOnceItDrains(Vertx vertx, VertxTestContext ctx) {
    this.vertx = vertx;
    Endpoint.HolderState holder = holder(64 * 1024 * 1024); // room for all: nothing is dropped here
    serve(new HttpServerOptions())
      .compose(port -> vertx.executeBlocking(() -> raw.upgrade(port, PATH, 4096), false))
      .compose(socket -> awaitServed(1)
        .compose(v -> fillUntilQueued(holder, 0))
        .compose(fill -> {
          // the socket reported full: its channel is not writable, and Vert.x's own signal cannot tell (its queue is
          // bypassed), so wsink's queue holds the rest
          assertTrue(fill.queued() > 256 * 1024, "frames wait in wsink's queue: " + fill);
          assertFalse(fill.channelWritable(), fill.toString());
          assertFalse(fill.vertxQueueFull(), fill.toString());
          // the reader reads now: everything queued is written as the socket drains, in order, once
          return vertx.executeBlocking(() -> readNumbered(socket, fill.sent()), false).map(fill);
        }))
      .compose(fill -> onServer(() -> {
        ClientConnection c = served.get(0).connection();
        return c.pendingBytes() == 0 && c.idle();
      }))
      .map(idle -> {
        assertTrue(idle, "the queue is written out");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aMessageLargerThanAFrameArrivesWholeAndInItsPlace(Vertx vertx, VertxTestContext ctx) {
    this.vertx = vertx;
    String big = "x".repeat(3 * MAX_FRAME) + MIXED; // Vert.x splits it into frames
    List<Object> messages = List.of("s1", big, "s2", Buffer.buffer(bytes(2 * MAX_FRAME + 5)), "s3", MIXED);
    serve(new HttpServerOptions())
      .compose(port -> connect(port, 3, WsClient.defaultOptions()))
      .compose(v -> onServer(() -> {
        offerToAll(messages, holder(16 * 1024 * 1024));
        return null;
      }))
      .compose(v -> everyClientGets(messages))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aCloseFollowsEveryFrameWrittenBeforeItAndNothingFollowsTheClose(Vertx vertx, VertxTestContext ctx) {
    this.vertx = vertx;
    List<Object> messages = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      messages.add("m" + i);
    }
    serve(new HttpServerOptions())
      .compose(port -> connect(port, 1, WsClient.defaultOptions()))
      .compose(v -> onServer(() -> {
        Endpoint.HolderState holder = holder(1024 * 1024);
        offerToAll(messages, holder);
        ClientConnection c = served.get(0).connection();
        c.close((short) 1000, "done");
        return c.offer(Frame.text("after the close"), holder);
      }))
      .compose(offeredAfterClose -> {
        assertFalse(offeredAfterClose, "nothing is written after the close");
        return clients.get(0).closed();
      })
      .map(code -> {
        assertEquals((short) 1000, code);
        assertEquals(messages, clients.get(0).messages(), "every frame before the Close, nothing after it");
        return null;
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aClientThatNegotiatedCompressionGetsCompressedMessagesThroughVertx(Vertx vertx, VertxTestContext ctx) {
    this.vertx = vertx;
    String compressible = "abc".repeat(1000);
    List<Object> messages = List.of(compressible, MIXED, Buffer.buffer(bytes(500)), compressible);
    List<WebSocketClientOptions> options = List.of(
      WsClient.defaultOptions().setTryUsePerMessageCompression(true),
      WsClient.defaultOptions().setTryUsePerFrameCompression(true),
      WsClient.defaultOptions());
    serve(new HttpServerOptions())
      .compose(port -> connectEach(port, options)
        .compose(v -> vertx.executeBlocking(() -> raw.upgradeWith(port, PATH,
          "Sec-WebSocket-Extensions: permessage-deflate"), false)))
      .compose(deflating -> awaitServed(4)
        .compose(v -> onServer(() -> {
          offerToAll(messages, holder(1024 * 1024));
          return served.stream().map(s -> (s.connection().writesDirectly() ? "direct" : "vertx") + " for "
            + s.ws().headers().get("Sec-WebSocket-Extensions")).toList();
        }))
        .compose(modes -> {
          assertEquals(4, modes.size(), modes.toString());
          assertTrue(modes.get(0).startsWith("vertx for permessage-deflate"), modes.toString());
          assertTrue(modes.get(1).startsWith("vertx for ") && modes.get(1).contains("deflate-frame"), modes.toString());
          assertEquals("direct for null", modes.get(2), "no extension offered: directly");
          assertEquals("vertx for permessage-deflate", modes.get(3), modes.toString());
          String answer = deflating.head().toLowerCase(Locale.ROOT);
          assertTrue(answer.contains("sec-websocket-extensions: permessage-deflate"), deflating.head());
          assertTrue(clients.get(0).socket().headers().get("Sec-WebSocket-Extensions").contains("permessage-deflate"));
          return vertx.executeBlocking(() -> readDeflated(deflating.socket(), messages.size()), false);
        })
        .compose(rawMessages -> {
          assertEquals(compressible, rawMessages.get(0).text(), "inflated");
          assertTrue(rawMessages.get(0).compressed(), "the compressible text went out compressed (RSV1)");
          assertEquals(MIXED, rawMessages.get(1).text());
          assertEquals(compressible, rawMessages.get(3).text());
          return everyClientGets(messages);
        }))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void overTlsEverySocketStillGetsEveryMessageIntact(Vertx vertx, VertxTestContext ctx) {
    this.vertx = vertx;
    // many small frames in one turn: SslHandler coalesces them, and must not do it into the shared buffer
    List<Object> messages = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      messages.add(i % 3 == 0 ? Buffer.buffer(bytes(i * 7)) : "m" + i + " " + MIXED.repeat(i % 5));
    }
    messages.add("y".repeat(20_000));
    messages.add("last");
    SelfSignedCertificate cert = SelfSignedCertificate.create();
    serve(new HttpServerOptions().setSsl(true).setKeyCertOptions(cert.keyCertOptions()))
      .compose(port -> connect(port, 4, WsClient.defaultOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)))
      .compose(v -> onServer(() -> {
        offerToAll(messages, holder(1024 * 1024));
        return served.stream().allMatch(s -> s.connection().writesDirectly());
      }))
      .compose(direct -> {
        assertTrue(direct, "TLS is no extension: directly");
        return everyClientGets(messages);
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  // ---- the server side -------------------------------------------------------------------------------------------

  /** Serves {@link #PATH} on a free loopback port; every accepted socket gets a connection as the data server's do. */
  private Future<Integer> serve(HttpServerOptions options) {
    return vertx.createHttpServer(options.setHost("127.0.0.1").setPort(0).setMaxWebSocketFrameSize(MAX_FRAME))
      .webSocketHandler(ws -> {
        serverContext = Vertx.currentContext();
        ReservedBitsCheck.install(ws);
        FlushCoalescing.install(ws);
        Writes writes = new Writes();
        ((WebSocketInternal) ws).channelHandlerContext().pipeline().addFirst(writes); // next to the network
        served.add(new Served(ws, new ClientConnection(vertx, ws, BUDGET, MAX_FRAME, System.currentTimeMillis(),
          () -> { }), writes));
      })
      .listen()
      .map(s -> {
        server = s;
        return s.actualPort();
      });
  }

  private static Endpoint.HolderState holder(int queueBytes) {
    return new Endpoint.HolderState(new EndpointHolder("test", 0, Overflow.DROP_NEWEST, queueBytes));
  }

  /** Offers every message to every socket, as the endpoint's fan-out does; call it on the server's event loop. */
  private void offerToAll(List<Object> messages, Endpoint.HolderState holder) {
    for (Object message : messages) {
      Frame frame = new Frame(message);
      for (Served s : served) {
        assertTrue(s.connection().offer(frame, holder), "offered");
      }
    }
  }

  /** Runs {@code work} on the server's event loop, where the connections live. */
  private <T> Future<T> onServer(Callable<T> work) {
    Promise<T> done = Promise.promise();
    serverContext.runOnContext(v -> {
      try {
        done.complete(work.call());
      } catch (Throwable e) {
        done.fail(e);
      }
    });
    return done.future();
  }

  private Future<Void> awaitServed(int n) {
    return Poll.until(vertx, n + " sockets accepted", () -> serverContext == null ? Future.succeededFuture(0)
      : onServer(served::size), count -> count >= n).mapEmpty();
  }

  /** How far {@link #fillUntilQueued} got. */
  private record Fill(int sent, long queued, boolean channelWritable, boolean vertxQueueFull) {
  }

  /**
   * Offers numbered 1 KiB frames to the only socket, 64 per event-loop turn (so that Netty flushes and drains between
   * turns), until more than 256 KiB wait in wsink's queue: the socket's buffers, kernel's included, are full then.
   */
  private Future<Fill> fillUntilQueued(Endpoint.HolderState holder, int sent) {
    return onServer(() -> {
      Served s = served.get(0);
      int n = sent;
      for (int i = 0; i < 64; i++, n++) {
        assertTrue(s.connection().offer(Frame.text(numbered(n)), holder), "offered");
      }
      return new Fill(n, s.connection().pendingBytes(),
        ((WebSocketInternal) s.ws()).channelHandlerContext().channel().isWritable(), s.ws().writeQueueFull());
    }).compose(fill -> fill.queued() > 256 * 1024 || fill.sent() >= 40_000 ? Future.succeededFuture(fill)
      : fillUntilQueued(holder, fill.sent()));
  }

  private static String numbered(int n) {
    StringBuilder sb = new StringBuilder(1024).append(String.format(Locale.ROOT, "%06d", n));
    return sb.append(".".repeat(1024 - sb.length())).toString();
  }

  /** Reads {@code count} numbered text frames and checks that they come in order, each once. */
  private static Void readNumbered(Socket socket, int count) throws IOException {
    socket.setReceiveBufferSize(1 << 20);
    DataInputStream in = new DataInputStream(socket.getInputStream());
    for (int i = 0; i < count; i++) {
      ServerFrame f = RawWsClients.readFrame(in);
      assertEquals(1, f.opcode(), "a text frame");
      assertEquals(numbered(i), f.text(), "frame " + i);
    }
    return null;
  }

  /** A message read by a raw client that negotiated permessage-deflate: its text, and whether RSV1 was set. */
  private record Deflated(String text, boolean compressed) {
  }

  /** Reads {@code count} unfragmented data frames, inflating those with RSV1 (RFC 7692 §7.2.2, with context takeover). */
  private static List<Deflated> readDeflated(Socket socket, int count) throws IOException, DataFormatException {
    DataInputStream in = new DataInputStream(socket.getInputStream());
    Inflater inflater = new Inflater(true);
    List<Deflated> out = new ArrayList<>();
    while (out.size() < count) {
      int b0 = in.readUnsignedByte();
      int b1 = in.readUnsignedByte();
      long len = b1 & 0x7f;
      if (len == 126) {
        len = in.readUnsignedShort();
      } else if (len == 127) {
        len = in.readLong();
      }
      byte[] payload = new byte[(int) len];
      in.readFully(payload);
      assertEquals(0x80, b0 & 0x80, "unfragmented");
      boolean compressed = (b0 & 0x40) != 0;
      if (compressed) {
        inflater.setInput(concat(payload, new byte[] {0, 0, (byte) 0xff, (byte) 0xff}));
        ByteArrayOutputStream inflated = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        int n;
        while ((n = inflater.inflate(chunk)) > 0) {
          inflated.write(chunk, 0, n);
        }
        payload = inflated.toByteArray();
      }
      out.add(new Deflated(new String(payload, StandardCharsets.UTF_8), compressed));
    }
    return out;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  // ---- the clients -----------------------------------------------------------------------------------------------

  private Future<Void> connect(int port, int count, WebSocketClientOptions options) {
    List<WebSocketClientOptions> all = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      all.add(options);
    }
    return connectEach(port, all);
  }

  /** Connects one client per options, one after the other (so the server accepts them in this order). */
  private Future<Void> connectEach(int port, List<WebSocketClientOptions> options) {
    Future<Void> chain = Future.succeededFuture();
    for (WebSocketClientOptions o : options) {
      chain = chain.compose(v -> WsClient.connect(vertx, o, WsClient.connectOptions("ws://127.0.0.1:" + port + PATH))
        .map(c -> {
          clients.add(c);
          return null;
        }))
        .compose(v -> awaitServed(clients.size()));
    }
    return chain;
  }

  /** Waits until every client has as many messages as {@code messages}, then checks each client's against them. */
  private Future<Void> everyClientGets(List<Object> messages) {
    List<Future<List<Object>>> all = clients.stream().map(c -> c.awaitMessages(messages.size())).toList();
    return Future.all(all).map(x -> {
      all.forEach(got -> assertMessages(messages, got.result()));
      return null;
    });
  }

  private static void assertMessages(List<Object> expected, List<Object> got) {
    assertEquals(expected.size(), got.size(), "message count");
    for (int i = 0; i < expected.size(); i++) {
      Object e = expected.get(i);
      Object g = got.get(i);
      assertEquals(e.getClass() == String.class ? String.class : Buffer.class,
        g instanceof String ? String.class : Buffer.class, "message " + i + ": text stays text, bytes stay bytes");
      if (!e.equals(g)) {
        throw new AssertionError("message " + i + " differs: expected " + describe(e) + ", got " + describe(g));
      }
    }
  }

  private static String describe(Object m) {
    String s = m.toString();
    return (m instanceof String ? "text" : "bytes") + " of " + (m instanceof String t
      ? t.getBytes(StandardCharsets.UTF_8).length : ((Buffer) m).length()) + " bytes: "
      + (s.length() > 40 ? s.substring(0, 40) + "…" : s);
  }

  private static byte[] bytes(int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (i * 31 + 7);
    }
    return b;
  }

  /** Records the memory address of every buffer that reaches the network end of a channel. */
  private static final class Writes extends ChannelOutboundHandlerAdapter {

    final List<Long> addresses = new ArrayList<>();

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof ByteBuf buf && buf.isReadable()) {
        addresses.add(buf.hasMemoryAddress() ? buf.memoryAddress() : 0L);
      }
      ctx.write(msg, promise);
    }
  }
}
