package io.wsink.it;

import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;

import java.net.URI;
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
 * A third-party WebSocket client (Java-WebSocket) that records every message it receives, in order, and lets a test
 * await a number of messages or the close frame instead of sleeping.
 */
final class JwsClient implements AutoCloseable {

  /** How the connection ended: the close code and reason, and whether the server closed it. */
  record Close(int code, String reason, boolean remote) {
  }

  private final URI uri;
  private final List<String> messages = new ArrayList<>();
  private final CompletableFuture<Close> closed = new CompletableFuture<>();
  private final WebSocketClient client;

  private JwsClient(URI uri) {
    this.uri = uri;
    this.client = new WebSocketClient(uri) {
      @Override
      public void onOpen(ServerHandshake handshake) {
        // connectBlocking() returns once the handshake is done
      }

      @Override
      public void onMessage(String message) {
        received(message);
      }

      @Override
      public void onMessage(ByteBuffer bytes) {
        received(StandardCharsets.UTF_8.decode(bytes).toString());
      }

      @Override
      public void onClose(int code, String reason, boolean remote) {
        closed.complete(new Close(code, reason, remote));
      }

      @Override
      public void onError(Exception ex) {
        // followed by onClose
      }
    };
    // the library's own pinger is off: wsink pings, and Java-WebSocket answers with pongs on its own
    client.setConnectionLostTimeout(0);
  }

  /** Connects (handshake included) within 10 s, or fails the test. */
  static JwsClient connect(ItResources resources, String url) {
    JwsClient ws = resources.track(new JwsClient(URI.create(url)));
    try {
      if (!ws.client.connectBlocking(10, TimeUnit.SECONDS)) {
        fail("could not open a WebSocket to " + url + ": " + ws.closed.getNow(null));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail("interrupted while connecting to " + url);
    }
    return ws;
  }

  /** Tries to connect and returns how it ended: the close that followed a refused handshake. */
  static Close connectRefused(ItResources resources, String url) {
    JwsClient ws = resources.track(new JwsClient(URI.create(url)));
    try {
      if (ws.client.connectBlocking(10, TimeUnit.SECONDS)) {
        fail("the WebSocket handshake with " + url + " succeeded, but it should have been refused");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail("interrupted while connecting to " + url);
    }
    return ws.awaitClose(Duration.ofSeconds(10));
  }

  private synchronized void received(String message) {
    messages.add(message);
    notifyAll();
  }

  synchronized List<String> messages() {
    return List.copyOf(messages);
  }

  /** Waits (at most {@code timeout}) until at least {@code n} messages arrived; returns all of them. */
  List<String> awaitMessages(int n, Duration timeout) {
    return awaitUntil(all -> all.size() >= n, "at least " + n + " message(s)", timeout);
  }

  /** Waits (at most {@code timeout}) until the messages so far satisfy {@code condition}; returns them. */
  synchronized List<String> awaitUntil(Predicate<List<String>> condition, String what, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.test(messages)) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        fail(uri + ": gave up waiting for " + what + " after " + timeout.toMillis() + " ms; received "
          + messages.size() + ": " + abbreviate(messages) + (closed.isDone() ? "; closed: " + closed.join() : ""));
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

  /** Waits (at most {@code timeout}) for the connection to end. */
  Close awaitClose(Duration timeout) {
    try {
      return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return fail(uri + ": not closed within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      return fail(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted while waiting for the close of " + uri);
    }
  }

  boolean isOpen() {
    return client.isOpen();
  }

  void send(String text) {
    client.send(text);
  }

  @Override
  public void close() {
    client.close();
  }

  /**
   * Asserts that {@code actual} is exactly {@code expected} (same messages, same order, nothing twice), reporting the
   * first difference rather than both lists.
   */
  static void assertMessages(List<String> expected, List<String> actual, String what) {
    if (expected.equals(actual)) {
      return;
    }
    int i = 0;
    while (i < expected.size() && i < actual.size() && expected.get(i).equals(actual.get(i))) {
      i++;
    }
    fail(what + ": expected " + expected.size() + " messages, got " + actual.size() + "; first difference at index "
      + i + ": expected " + (i < expected.size() ? expected.get(i) : "nothing") + " but got "
      + (i < actual.size() ? actual.get(i) : "nothing"));
  }

  static String abbreviate(List<String> messages) {
    if (messages.size() <= 6) {
      return messages.toString();
    }
    return "[" + String.join(", ", messages.subList(0, 3)) + ", … , "
      + String.join(", ", messages.subList(messages.size() - 3, messages.size())) + "]";
  }
}
