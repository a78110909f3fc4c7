package io.wsink.it;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The remote server of a wss:// client-mode rule: a Vert.x (Netty TLS) WebSocket server on 127.0.0.1 presenting a
 * TestCerts certificate, optionally requiring a client certificate signed by a CA, that records what arrives and the
 * subject of every client certificate. (Java-WebSocket's TLS server, SSLSocketChannel2, stalled handshakes on a
 * loaded machine in this suite and failed its stop with a RejectedExecutionException; Netty's TLS did neither.)
 */
final class TlsWsServer implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  private final List<String> messages = new ArrayList<>();
  private final List<String> paths = new ArrayList<>();
  private final List<String> clientSubjects = new ArrayList<>();
  private int opened;
  private HttpServer server;

  private TlsWsServer() {
  }

  /**
   * Starts a wss:// server on a free loopback port presenting {@code cert}/{@code key} (PEM files).
   *
   * @param clientCa null: no client certificate asked for; else the PEM CA that the client certificate a client must
   *                 present is signed by (the handshake fails without one)
   */
  static TlsWsServer start(ItResources resources, Path cert, Path key, Path clientCa) {
    TlsWsServer s = resources.track(new TlsWsServer());
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
      .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString()));
    if (clientCa != null) {
      options.setClientAuth(ClientAuth.REQUIRED)
        .setTrustOptions(new PemTrustOptions().addCertPath(clientCa.toString()));
    }
    try {
      s.server = s.vertx.createHttpServer(options).webSocketHandler(s::opened).listen().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      fail("the test TLS WebSocket server could not start: " + e);
    }
    return s;
  }

  int port() {
    return server.actualPort();
  }

  private synchronized void opened(ServerWebSocket ws) {
    opened++;
    paths.add(ws.uri());
    SSLSession session = ws.sslSession();
    try {
      Certificate[] peer = session == null ? new Certificate[0] : session.getPeerCertificates();
      clientSubjects.add(((X509Certificate) peer[0]).getSubjectX500Principal().getName());
    } catch (SSLPeerUnverifiedException e) {
      clientSubjects.add("none");
    }
    ws.textMessageHandler(this::received);
    ws.binaryMessageHandler(b -> received(b.toString(StandardCharsets.UTF_8)));
    notifyAll();
  }

  private synchronized void received(String message) {
    messages.add(message);
    notifyAll();
  }

  /** WebSockets opened (TLS and WebSocket handshakes completed). */
  synchronized int opened() {
    return opened;
  }

  /** The request URI of every WebSocket, in order. */
  synchronized List<String> paths() {
    return List.copyOf(paths);
  }

  /** The subject of the client certificate of every WebSocket ("none" when the client sent none). */
  synchronized List<String> clientSubjects() {
    return List.copyOf(clientSubjects);
  }

  synchronized List<String> messages() {
    return List.copyOf(messages);
  }

  /** Waits (at most {@code timeout}) until at least {@code n} messages arrived; returns all of them. */
  synchronized List<String> awaitMessages(int n, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (messages.size() < n) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        fail("TLS test server: gave up waiting for " + n + " message(s) after " + timeout.toMillis()
          + " ms; received " + messages + "; WebSockets opened: " + opened);
      }
      try {
        wait(left); // notified by every message
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted while waiting for messages");
      }
    }
    return List.copyOf(messages);
  }

  @Override
  public void close() {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the test TLS server's Vert.x did not close within 10 s", e);
    }
  }
}
