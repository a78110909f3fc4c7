package io.wsink.it;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A slow remote server for client-mode rules: a Vert.x WebSocket server on 127.0.0.1 that reads nothing until
 * {@link #release} (so the client's frames pile up in the kernel buffers and then in the client's own queue), and then
 * only a few messages per tick of a timer. Records the text messages and the close code of every connection (1006 when
 * the connection ended without a Close frame).
 */
final class PacedWsServer implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  private final List<String> messages = new ArrayList<>();
  private final List<Integer> closeCodes = new ArrayList<>();
  private final List<ServerWebSocket> sockets = new ArrayList<>();
  private int perTick;
  private HttpServer server;

  private PacedWsServer() {
  }

  /** Starts listening on a free loopback port (at most 10 s), reading nothing yet. */
  static PacedWsServer start(ItResources resources) {
    PacedWsServer s = resources.track(new PacedWsServer());
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0)
      .setMaxWebSocketMessageSize(1024 * 1024);
    try {
      s.server = s.vertx.createHttpServer(options).webSocketHandler(s::opened).listen().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      fail("the paced test WebSocket server could not start: " + e);
    }
    return s;
  }

  int port() {
    return server.actualPort();
  }

  private synchronized void opened(ServerWebSocket ws) {
    ws.pause();
    sockets.add(ws);
    ws.textMessageHandler(this::received);
    ws.closeHandler(v -> closed(ws.closeStatusCode()));
    if (perTick > 0) {
      ws.fetch(perTick);
    }
  }

  /** From now on, reads at most {@code messages} messages per {@code tickMs} on every connection. */
  void release(int messagesPerTick, long tickMs) {
    synchronized (this) {
      perTick = messagesPerTick;
    }
    vertx.setPeriodic(tickMs, id -> {
      synchronized (this) {
        sockets.forEach(ws -> ws.fetch(perTick));
      }
    });
  }

  private synchronized void received(String message) {
    messages.add(message);
    notifyAll();
  }

  private synchronized void closed(Short code) {
    closeCodes.add(code == null ? 1005 : code.intValue());
    notifyAll();
  }

  /** WebSockets accepted so far. */
  synchronized int connections() {
    return sockets.size();
  }

  synchronized List<String> messages() {
    return List.copyOf(messages);
  }

  /** Waits (at most {@code timeout}) until {@code n} connections have ended; returns their close codes. */
  synchronized List<Integer> awaitCloses(int n, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (closeCodes.size() < n) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        fail("paced test server: " + closeCodes.size() + " of " + n + " connection(s) closed after "
          + timeout.toMillis() + " ms; " + messages.size() + " message(s) read");
      }
      try {
        wait(left); // notified by every close
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted while waiting for closes");
      }
    }
    return List.copyOf(closeCodes);
  }

  @Override
  public void close() {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the paced test server's Vert.x did not close within 10 s", e);
    }
  }
}
