package io.wsink.testkit;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A WebSocket server on 127.0.0.1 for client-mode tests that records, across restarts on the same port, every message
 * (text as String, binary as Buffer), each handshake's URI and headers, the client certificate's subject ("none"
 * without one), pings, and the close code of each connection (null when the client sent none). Safe to read from any
 * thread; awaits fail after {@link #AWAIT_MS} with what was recorded.
 */
public final class RecordingServer {

  /** Longest wait for one expected event. */
  public static final long AWAIT_MS = 10_000;

  private final Vertx vertx;
  private final String name;
  private final List<Object> messages = new ArrayList<>();
  private final List<String> uris = new ArrayList<>();
  private final List<MultiMap> headers = new ArrayList<>();
  private final List<String> peers = new ArrayList<>();
  private final List<Short> closeCodes = new ArrayList<>();
  private final Conditions<RecordingServer> conditions;
  private final List<ServerWebSocket> sockets = new ArrayList<>();
  private int pings;
  private boolean pauseReading;
  private HttpServer server; // referenced until closed

  /** @param name how failures name this server */
  public RecordingServer(Vertx vertx, String name) {
    this.vertx = vertx;
    this.name = name;
    this.conditions = new Conditions<>(vertx, this, AWAIT_MS);
  }

  /** Listens on a free port; completes with it. */
  public Future<Integer> listen() {
    return listen(0);
  }

  public Future<Integer> listen(int port) {
    return listen(port, new HttpServerOptions().setHost("127.0.0.1"));
  }

  /** Listens with {@code options} (e.g. TLS) on {@code port}; completes with the actual port. */
  public Future<Integer> listen(int port, HttpServerOptions options) {
    server = vertx.createHttpServer(new HttpServerOptions(options).setPort(port)).webSocketHandler(this::accepted);
    return server.listen().map(HttpServer::actualPort);
  }

  /** Stops listening (what was recorded stays); harmless when not listening. */
  public Future<Void> close() {
    HttpServer s = server;
    server = null;
    return s == null ? Future.succeededFuture() : s.close();
  }

  /** From now on, accepted sockets are paused, so that TCP back-pressure holds the client's frames in its queue. */
  public synchronized void pauseReading() {
    pauseReading = true;
  }

  /** Resumes reading on every accepted socket. */
  public synchronized void resumeReading() {
    sockets.forEach(ServerWebSocket::resume);
  }

  private void accepted(ServerWebSocket ws) {
    String peer;
    try {
      peer = ((X509Certificate) ws.peerCertificates().get(0)).getSubjectX500Principal().getName();
    } catch (SSLPeerUnverifiedException | RuntimeException e) {
      peer = "none";
    }
    synchronized (this) {
      peers.add(peer);
      if (pauseReading) {
        ws.pause();
      }
      sockets.add(ws);
    }
    connected(ws.uri(), ws.headers());
    ws.frameHandler(frame -> {
      if (frame.isPing()) {
        pinged();
      }
    });
    ws.textMessageHandler(text -> record(() -> messages.add(text)));
    ws.binaryMessageHandler(data -> record(() -> messages.add(data)));
    ws.closeHandler(v -> record(() -> closeCodes.add(ws.closeStatusCode())));
  }

  /** Records a handshake; also for peers of a test that do the handshake by hand. */
  public void connected(String uri, MultiMap handshakeHeaders) {
    record(() -> {
      uris.add(uri);
      headers.add(MultiMap.caseInsensitiveMultiMap().addAll(handshakeHeaders));
    });
  }

  /** Records a ping; also for peers of a test that read frames by hand. */
  public void pinged() {
    record(() -> pings++);
  }

  /** Applies {@code change} to the records, then tells the waiters. */
  private synchronized void record(Runnable change) {
    change.run();
    conditions.changed();
  }

  public synchronized int connections() {
    return uris.size();
  }

  public synchronized int pings() {
    return pings;
  }

  public synchronized List<Object> messages() {
    return List.copyOf(messages);
  }

  public synchronized List<String> uris() {
    return List.copyOf(uris);
  }

  public synchronized List<MultiMap> headers() {
    return List.copyOf(headers);
  }

  public synchronized List<String> peers() {
    return List.copyOf(peers);
  }

  /** One entry per closed connection, in order; null where the client sent no code. */
  public synchronized List<Short> closeCodes() {
    return new ArrayList<>(closeCodes);
  }

  /** Completes with all messages so far once at least {@code n} have arrived. */
  public Future<List<Object>> awaitMessages(int n) {
    return awaitUntil(n + " message(s)", s -> s.messages.size() >= n).map(v -> messages());
  }

  /** Completes once {@code condition} holds; fails after {@link #AWAIT_MS} naming {@code what} and the records. */
  public synchronized Future<Void> awaitUntil(String what, Predicate<RecordingServer> condition) {
    return conditions.await(name + ": " + what, condition, this::toString);
  }

  @Override
  public synchronized String toString() {
    return "connections " + uris + ", messages " + messages + ", pings " + pings + ", closes " + closeCodes;
  }
}
