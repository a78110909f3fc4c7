package io.wsink.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link FlushCoalescing}: the messages written to a socket in one event-loop turn leave in one flush (one syscall),
 * not one each, on server and client sockets alike; a message written alone still goes out without waiting for
 * another, and a close still sends every message written before it. The flushes are counted by a handler between the
 * coalescing and the network, so the counts are exact, not timing.
 */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class FlushCoalescingTest {

  private static final int MESSAGES = 200;

  private HttpServer server;
  private WebSocketClient client;

  @BeforeEach
  void createClient(Vertx vertx) {
    client = vertx.createWebSocketClient();
  }

  @AfterEach
  void close(VertxTestContext ctx) {
    Future.join(client.close(), server == null ? Future.succeededFuture() : server.close())
      .onComplete(ar -> ctx.completeNow());
  }

  @Test
  void messagesWrittenInOneTurnToAServerSocketLeaveInOneFlush(Vertx vertx, VertxTestContext ctx) {
    AtomicInteger flushes = new AtomicInteger();
    serve(vertx, ws -> {
      FlushCoalescing.install(ws);
      countFlushes(ws, flushes);
      for (int i = 0; i < MESSAGES; i++) {
        ws.writeTextMessage("m" + i);
      }
    }).compose(port -> receive(port, MESSAGES)).onComplete(ctx.succeeding(received -> ctx.verify(() -> {
      assertEquals(numbered(MESSAGES), received, "every message, in order");
      assertEquals(1, flushes.get(), MESSAGES + " messages written in one turn, flushed once");
      ctx.completeNow();
    })));
  }

  @Test
  void messagesWrittenInOneTurnToAClientSocketLeaveInOneFlush(Vertx vertx, VertxTestContext ctx) {
    List<String> received = new ArrayList<>();
    Promise<Void> all = Promise.promise();
    AtomicInteger flushes = new AtomicInteger();
    serve(vertx, ws -> ws.textMessageHandler(text -> {
      received.add(text);
      if (received.size() == MESSAGES) {
        all.complete();
      }
    })).compose(port -> client.connect(port, "127.0.0.1", "/")).onComplete(ctx.succeeding(ws -> {
      FlushCoalescing.install(ws);
      countFlushes(ws, flushes);
      for (int i = 0; i < MESSAGES; i++) {
        ws.writeTextMessage("m" + i);
      }
    }));
    all.future().onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertEquals(numbered(MESSAGES), received);
      assertEquals(1, flushes.get());
      ctx.completeNow();
    })));
  }

  @Test
  void aMessageWrittenAloneIsNotHeldBackForAnother(Vertx vertx, VertxTestContext ctx) {
    AtomicInteger flushes = new AtomicInteger();
    serve(vertx, ws -> {
      FlushCoalescing.install(ws);
      FlushCoalescing.install(ws); // a second install changes nothing
      countFlushes(ws, flushes);
      ws.writeTextMessage("alone");
      // queued behind the flush that "alone" scheduled: a message of a later task goes out in a flush of its own, and
      // "alone" did not wait for it (one flush for both would mean it had)
      vertx.runOnContext(v -> ws.writeTextMessage("later"));
    }).compose(port -> receive(port, 2)).onComplete(ctx.succeeding(received -> ctx.verify(() -> {
      assertEquals(List.of("alone", "later"), received);
      assertEquals(2, flushes.get());
      ctx.completeNow();
    })));
  }

  @Test
  void aCloseInTheSameTurnStillSendsEveryMessageBeforeIt(Vertx vertx, VertxTestContext ctx) {
    serve(vertx, ws -> {
      FlushCoalescing.install(ws);
      for (int i = 0; i < MESSAGES; i++) {
        ws.writeTextMessage("m" + i);
      }
      ws.close((short) 1000, "done");
    }).compose(port -> client.connect(port, "127.0.0.1", "/")).onComplete(ctx.succeeding(ws -> {
      List<String> received = new ArrayList<>();
      ws.textMessageHandler(received::add);
      ws.closeHandler(v -> ctx.verify(() -> {
        assertEquals(numbered(MESSAGES), received);
        assertEquals((short) 1000, ws.closeStatusCode());
        ctx.completeNow();
      }));
    }));
  }

  private Future<Integer> serve(Vertx vertx, Consumer<ServerWebSocket> onSocket) {
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
      .webSocketHandler(onSocket::accept)
      .listen()
      .map(s -> {
        server = s;
        return s.actualPort();
      });
  }

  private Future<List<String>> receive(int port, int count) {
    return client.connect(port, "127.0.0.1", "/").compose(ws -> {
      List<String> received = new ArrayList<>();
      Promise<List<String>> all = Promise.promise();
      ws.textMessageHandler(text -> {
        received.add(text);
        if (received.size() == count) {
          all.complete(received);
        }
      });
      return all.future();
    });
  }

  /** Counts the flushes that get past every other handler, i.e. those that reach the socket. */
  private static void countFlushes(WebSocketBase ws, AtomicInteger flushes) {
    ((WebSocketInternal) ws).channelHandlerContext().pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
      @Override
      public void flush(ChannelHandlerContext ctx) {
        flushes.incrementAndGet();
        ctx.flush();
      }
    });
  }

  private static List<String> numbered(int count) {
    List<String> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add("m" + i);
    }
    return out;
  }
}
