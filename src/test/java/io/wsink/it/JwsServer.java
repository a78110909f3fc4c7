package io.wsink.it;

import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The remote server of a client-mode rule: a third-party WebSocket server (Java-WebSocket) on 127.0.0.1 that records
 * what arrives and how connections end. It can be stopped and started again on the same port; what it recorded
 * survives. (TLS servers are {@link TlsWsServer}.)
 */
final class JwsServer implements AutoCloseable {

  private final List<String> messages = new ArrayList<>();
  private final List<String> paths = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();
  private final List<Integer> closeCodes = new ArrayList<>();
  private int opened;
  private final java.util.Set<WebSocket> open = new java.util.HashSet<>();
  private int mostOpen;
  private volatile int port;
  private WebSocketServer server;

  private JwsServer() {
  }

  /** A plain ws:// server on a free loopback port, started. */
  static JwsServer plain(ItResources resources) {
    return resources.track(new JwsServer()).start(0);
  }

  int port() {
    return port;
  }

  /**
   * Starts listening on {@code port} (0: any free one) and waits, at most 10 s, until it does. (The monitor is not
   * held while waiting: the server's callbacks need it.)
   */
  JwsServer start(int wantedPort) {
    synchronized (this) {
      if (server != null) {
        throw new IllegalStateException("already started");
      }
    }
    CompletableFuture<Void> started = new CompletableFuture<>();
    WebSocketServer s = new WebSocketServer(new InetSocketAddress("127.0.0.1", wantedPort)) {
      @Override
      public void onOpen(WebSocket conn, ClientHandshake handshake) {
        opened(conn);
      }

      @Override
      public void onClose(WebSocket conn, int code, String reason, boolean remote) {
        closedWith(conn, code);
      }

      @Override
      public void onMessage(WebSocket conn, String message) {
        received(message);
      }

      @Override
      public void onMessage(WebSocket conn, ByteBuffer message) {
        received(StandardCharsets.UTF_8.decode(message).toString());
      }

      @Override
      public void onError(WebSocket conn, Exception ex) {
        error(ex);
        if (conn == null) {
          started.completeExceptionally(ex); // the server itself failed (e.g. cannot bind)
        }
      }

      @Override
      public void onStart() {
        started.complete(null);
      }
    };
    s.setReuseAddr(true);
    s.setConnectionLostTimeout(0);
    s.setDaemon(true);
    s.start();
    try {
      started.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      fail("the test WebSocket server could not start on 127.0.0.1:" + wantedPort + ": " + e.getCause());
    } catch (TimeoutException e) {
      fail("the test WebSocket server did not start within 10 s on 127.0.0.1:" + wantedPort);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail("interrupted");
    }
    synchronized (this) {
      server = s;
      port = s.getPort();
    }
    return this;
  }

  /** Closes every connection (1001, going away) and stops listening, waiting at most 5 s. */
  void stop() {
    WebSocketServer s;
    synchronized (this) { // not held during stop(): the server's onClose callbacks need this monitor
      s = server;
      server = null;
    }
    if (s == null) {
      return;
    }
    try {
      ItResources.trace("stopping the test server on port " + port);
      s.stop(5_000);
      ItResources.trace("stopped the test server on port " + port);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }

  private synchronized void opened(WebSocket conn) {
    opened++;
    paths.add(conn.getResourceDescriptor());
    open.add(conn);
    mostOpen = Math.max(mostOpen, open.size());
    notifyAll();
  }

  private synchronized void closedWith(WebSocket conn, int code) {
    closeCodes.add(code);
    open.remove(conn);
    notifyAll();
  }

  private synchronized void received(String message) {
    messages.add(message);
    notifyAll();
  }

  private synchronized void error(Exception e) {
    errors.add(String.valueOf(e));
  }

  /** Connections opened so far (handshake completed), over every start. */
  synchronized int opened() {
    return opened;
  }

  /** The most connections that were open at the same moment. */
  synchronized int mostOpenAtOnce() {
    return mostOpen;
  }

  /** The request URI (path and query) of every connection, in order. */
  synchronized List<String> paths() {
    return List.copyOf(paths);
  }

  /** The close code of every connection that ended, in order. */
  synchronized List<Integer> closeCodes() {
    return List.copyOf(closeCodes);
  }

  /** Waits (at most {@code timeout}) until {@code n} connections have ended; returns their close codes. */
  synchronized List<Integer> awaitCloses(int n, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (closeCodes.size() < n) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        fail("test server on port " + port + ": " + closeCodes.size() + " of " + n + " connection(s) closed after "
          + timeout.toMillis() + " ms: " + closeCodes);
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

  synchronized List<String> messages() {
    return List.copyOf(messages);
  }

  synchronized List<String> errors() {
    return List.copyOf(errors);
  }

  List<String> awaitMessages(int n, Duration timeout) {
    return awaitUntil(all -> all.size() >= n, "at least " + n + " message(s)", timeout);
  }

  /** Waits (at most {@code timeout}) until the messages so far satisfy {@code condition}; returns them. */
  synchronized List<String> awaitUntil(Predicate<List<String>> condition, String what, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.test(messages)) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        fail("test server on port " + port + ": gave up waiting for " + what + " after " + timeout.toMillis()
          + " ms; received " + messages.size() + ": " + JwsClient.abbreviate(messages) + "; connections opened: "
          + opened + "; errors: " + errors);
      }
      try {
        wait(left); // notified by every message
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted while waiting for " + what);
      }
    }
    return List.copyOf(messages);
  }
}
