package io.wsink.testkit;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;

/**
 * A Vert.x WebSocket client for tests that records every message it receives (text as String, binary as Buffer) and
 * lets a test await a number of messages or the close, instead of sleeping. Safe to use from any thread.
 */
public final class WsClient {

  private final WebSocketClient client; // kept referenced: an unreferenced client is closed by a Cleaner
  private final List<Object> messages = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final Promise<Short> closed = Promise.promise();
  private WebSocket socket;

  private record Waiter(Predicate<List<Object>> condition, Promise<List<Object>> promise) {
  }

  private WsClient(Vertx vertx, WebSocketClientOptions options) {
    this.client = vertx.createWebSocketClient(options);
  }

  /** Client options with limits far above the data server's, so that only the server's limits apply. */
  public static WebSocketClientOptions defaultOptions() {
    return new WebSocketClientOptions().setMaxMessageSize(16 * 1024 * 1024).setMaxFrameSize(16 * 1024 * 1024);
  }

  /** Connect options for {@code url} (ws://host:port/path?query), to add headers to. */
  public static WebSocketConnectOptions connectOptions(String url) {
    URI uri = URI.create(url);
    return new WebSocketConnectOptions().setHost(uri.getHost()).setPort(uri.getPort())
      .setURI(uri.getRawPath() + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : ""));
  }

  /** Connects to {@code url} (ws://host:port/path). */
  public static Future<WsClient> connect(Vertx vertx, String url) {
    return connect(vertx, defaultOptions(), connectOptions(url));
  }

  /**
   * Connects with the given client options (TLS, limits) and connect options (address, headers). A refused upgrade
   * fails with Vert.x's {@code UpgradeRejectedException}, which carries the HTTP status.
   */
  public static Future<WsClient> connect(Vertx vertx, WebSocketClientOptions clientOptions,
                                         WebSocketConnectOptions connectOptions) {
    WsClient ws = new WsClient(vertx, clientOptions);
    return ws.client.connect(connectOptions).onFailure(err -> ws.client.close()).map(socket -> {
        ws.socket = socket;
        socket.textMessageHandler(ws::received);
        socket.binaryMessageHandler(ws::received);
        socket.closeHandler(v -> {
          ws.closed.tryComplete(socket.closeStatusCode());
          ws.client.close();
        });
        return ws;
      });
  }

  private synchronized void received(Object message) {
    messages.add(message);
    waiters.removeIf(w -> {
      if (w.condition.test(messages)) {
        w.promise.tryComplete(List.copyOf(messages));
        return true;
      }
      return false;
    });
  }

  /** Completes with all messages so far once at least {@code n} have arrived. */
  public Future<List<Object>> awaitMessages(int n) {
    return awaitUntil(all -> all.size() >= n);
  }

  public synchronized Future<List<Object>> awaitUntil(Predicate<List<Object>> condition) {
    if (condition.test(messages)) {
      return Future.succeededFuture(List.copyOf(messages));
    }
    Promise<List<Object>> promise = Promise.promise();
    waiters.add(new Waiter(condition, promise));
    return promise.future();
  }

  /** The close code the server sent (null when none). */
  public Future<Short> closed() {
    return closed.future();
  }

  public synchronized List<Object> messages() {
    return List.copyOf(messages);
  }

  public WebSocket socket() {
    return socket;
  }

  public Future<Void> send(String text) {
    return socket.writeTextMessage(text);
  }

  public Future<Void> send(Buffer data) {
    return socket.writeBinaryMessage(data);
  }

  public Future<Void> close() {
    return socket.isClosed() ? Future.succeededFuture() : socket.close().eventually(client::close);
  }

  /** Closes every one of {@code clients}; never fails (for a test's clean-up). */
  public static Future<Void> closeAll(Collection<WsClient> clients) {
    return Future.join(clients.stream().map(c -> c.close().recover(e -> Future.succeededFuture())).toList())
      .<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }
}
