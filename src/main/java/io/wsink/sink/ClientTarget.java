package io.wsink.sink;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.wsink.pipeline.FlushCoalescing;
import io.wsink.pipeline.Frame;
import io.wsink.server.ConnectionAbort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Client mode (§4.1): one outbound WebSocket to {@code addr}, redialled with exponential backoff after any failure.
 *
 * <p>Frames wait in a buffer of {@code bufferLength} while the connection is down or the socket is full (the oldest is
 * dropped, and counted, when it overflows). Frames handed to a socket that dies before Netty wrote them go back to the
 * front of the buffer, so nothing the sink accepted is lost to a reconnect. Writes are serialised: everything here
 * runs on the sink verticle's event loop.
 */
final class ClientTarget implements SinkTarget {

  private static final Logger LOG = LoggerFactory.getLogger(ClientTarget.class);

  static final int STATUS_CONNECTED = 1;
  static final int STATUS_CONNECTING = 0;
  static final int STATUS_DOWN = -1;

  static final long BACKOFF_INITIAL_MS = 100;
  static final long BACKOFF_MAX_MS = 30_000;
  static final double BACKOFF_JITTER = 0.2;
  private static final long FLUSH_GRACE_MS = 5_000;
  private static final int CONNECT_TIMEOUT_MS = 10_000;
  /** How long the remote server has to answer our Close before the connection is aborted (bounds every stop). */
  private static final long CLOSING_TIMEOUT_MS = 5_000;
  private static final int SOCKET_BUDGET = 64 * 1024;

  /** One frame on its way out; {@code done} guards against counting a frame twice when it was requeued. */
  private static final class Pending {
    final Frame frame;
    final Promise<Integer> ack;
    final long receivedNanos;
    boolean done;

    Pending(Frame frame, Promise<Integer> ack, long receivedNanos) {
      this.frame = frame;
      this.ack = ack;
      this.receivedNanos = receivedNanos;
    }
  }

  private final Vertx vertx;
  private final WebSocketActionProps props;
  private final SinkMetrics metrics;
  private final ArrayDeque<Pending> buffer = new ArrayDeque<>();
  private final ArrayDeque<Pending> inflight = new ArrayDeque<>();
  // a field, never a local: an unreferenced client is shut down by a Cleaner in Vert.x 5
  private WebSocketClient client;
  private WebSocket ws;
  private int status = STATUS_CONNECTING;
  private int failures;
  private boolean gaveUp;
  private boolean stopping;
  private long redialTimer = -1;
  private long pingTimer = -1;
  private long lastSeen;
  private String lastError = "";
  /** The cache's resend, or null when there is no cache: then nobody waits for the target, and nothing is signalled. */
  private Runnable readyHandler;
  private Future<WebSocket> dialing;
  private boolean readySignalled;
  private long reconnects;

  ClientTarget(Vertx vertx, WebSocketActionProps props, SinkMetrics metrics) {
    this.vertx = vertx;
    this.props = props;
    this.metrics = metrics;
  }

  static WebSocketClientOptions clientOptions(WebSocketActionProps props) {
    WebSocketClientOptions options = new WebSocketClientOptions()
      .setConnectTimeout(CONNECT_TIMEOUT_MS)
      .setClosingTimeout(2);
    if (props.ssl()) {
      options.setSsl(true);
      props.tls().applyTo(options);
    }
    return options;
  }

  static WebSocketConnectOptions connectOptions(WebSocketActionProps props) {
    WebSocketConnectOptions options = new WebSocketConnectOptions()
      .setHost(props.host())
      .setPort(props.port())
      .setURI(props.uri())
      .setSsl(props.ssl())
      .setAllowOriginHeader(false)
      .setTimeout(CONNECT_TIMEOUT_MS);
    for (Map.Entry<String, List<String>> header : props.requestHeader().entrySet()) {
      for (String value : header.getValue()) {
        options.addHeader(header.getKey(), value);
      }
    }
    return options;
  }

  /**
   * The connectivity check (§4.3, §6.3): dial, ping, close. Fails with the dial or TLS error.
   */
  static Future<Void> probe(Vertx vertx, WebSocketActionProps props) {
    WebSocketClient probeClient = vertx.createWebSocketClient(clientOptions(props));
    return probeClient.connect(connectOptions(props))
      .compose(ws -> ws.writePing(Buffer.buffer("wsink")).compose(v -> ws.close((short) 1000, "connection check")))
      .recover(err -> Future.failedFuture(dialError(props, err)))
      .eventually(() -> probeClient.close());
  }

  static String dialError(WebSocketActionProps props, Throwable err) {
    Throwable root = err;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String why = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    String top = err.getMessage();
    if (root != err && top != null && !top.equals(why) && !top.contains(why)) {
      why = top + " (" + why + ")";
    }
    return "cannot connect to " + props.url() + ": " + why;
  }

  @Override
  public Future<Void> start() {
    client = vertx.createWebSocketClient(clientOptions(props));
    dial();
    if (props.pingInterval() > 0) {
      pingTimer = vertx.setPeriodic(props.pingInterval(), id -> ping());
    }
    return Future.succeededFuture();
  }

  private void dial() {
    redialTimer = -1;
    status = STATUS_CONNECTING;
    dialing = client.connect(connectOptions(props));
    dialing.onComplete(ar -> {
      dialing = null;
      if (stopping) {
        if (ar.succeeded()) {
          ws = ar.result(); // stop() waits for this dial, then closes it with its close code
        }
        return;
      }
      if (ar.failed()) {
        lastError = dialError(props, ar.cause());
        LOG.warn("{}", lastError);
        scheduleRedial();
        return;
      }
      connected(ar.result());
    });
  }

  private void connected(WebSocket socket) {
    if (failures > 0 || reconnects > 0) {
      LOG.info("reconnected to {}", props.url());
    } else {
      LOG.info("connected to {}", props.url());
    }
    ws = socket;
    failures = 0;
    lastError = "";
    status = STATUS_CONNECTED;
    lastSeen = System.currentTimeMillis();
    socket.setWriteQueueMaxSize(SOCKET_BUDGET);
    FlushCoalescing.install(socket); // one write syscall per loop turn, not one per message
    socket.drainHandler(v -> pump());
    socket.pongHandler(b -> lastSeen = System.currentTimeMillis());
    socket.textMessageHandler(t -> lastSeen = System.currentTimeMillis());
    socket.binaryMessageHandler(b -> lastSeen = System.currentTimeMillis());
    socket.exceptionHandler(err -> lastError = "connection to " + props.url() + " failed: " + err.getMessage());
    socket.closeHandler(v -> disconnected(socket));
    pump();
    signalReady();
  }

  /**
   * Tells the ready handler, on a later turn of the event loop and once per turn: a write that completes at once must
   * not recurse into the cache's resend, which writes again.
   */
  private void signalReady() {
    if (readyHandler != null && !readySignalled) {
      readySignalled = true;
      vertx.runOnContext(v -> {
        readySignalled = false;
        readyHandler.run();
      });
    }
  }

  /** Called when the target can take more again (connected, or a write went out): the cache resends then. */
  void readyHandler(Runnable handler) {
    this.readyHandler = handler;
  }

  /** Connected, and the buffer has room: a frame sent now goes out without waiting behind a reconnect. */
  boolean canTakeMore() {
    return ws != null && !ws.isClosed() && bufferLength() < props.bufferLength();
  }

  private void disconnected(WebSocket socket) {
    if (ws != socket) {
      return;
    }
    ws = null;
    // frames Netty had not written yet go back to the front, in their order
    Iterator<Pending> back = inflight.descendingIterator();
    while (back.hasNext()) {
      Pending p = back.next();
      if (!p.done) {
        buffer.addFirst(p);
      }
    }
    inflight.clear();
    trimBuffer();
    if (stopping) {
      return;
    }
    Short code = socket.closeStatusCode();
    lastError = "connection to " + props.url() + " closed" + (code != null ? " with " + code : "")
      + (socket.closeReason() != null && !socket.closeReason().isEmpty() ? " (" + socket.closeReason() + ")" : "");
    LOG.warn("{}; redialling", lastError);
    reconnects++;
    scheduleRedial();
  }

  private void scheduleRedial() {
    status = STATUS_DOWN;
    if (props.maxConnRetry() >= 0 && failures >= props.maxConnRetry()) {
      gaveUp = true;
      lastError = "gave up after " + failures + " redial attempt(s) (maxConnRetry " + props.maxConnRetry() + "): "
        + lastError;
      LOG.error("{}", lastError);
      for (Pending p : buffer) {
        drop(p, "dropped: " + lastError);
      }
      buffer.clear();
      return;
    }
    long delay = backoff(failures++);
    redialTimer = vertx.setTimer(delay, id -> dial());
  }

  /** 100 ms doubling to 30 s, ±20 % jitter (§4 maxConnRetry). */
  static long backoff(int attempt) {
    double base = Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * Math.pow(2, Math.min(attempt, 30)));
    double jitter = 1 + BACKOFF_JITTER * (2 * ThreadLocalRandom.current().nextDouble() - 1);
    return Math.max(1, Math.round(base * jitter));
  }

  @Override
  public void send(Frame frame, Promise<Integer> ack, long receivedNanos) {
    Pending p = new Pending(frame, ack, receivedNanos);
    if (gaveUp || stopping) {
      metrics.exception(gaveUp ? "websocket client connection closed: " + lastError : "rule stopping");
      drop(p, gaveUp ? "dropped: " + lastError : "dropped: the rule is stopping");
      return;
    }
    buffer.add(p);
    trimBuffer();
    pump();
  }

  private void trimBuffer() {
    while (buffer.size() > props.bufferLength()) {
      drop(buffer.poll(), "dropped: the sink buffer (bufferLength " + props.bufferLength() + ") is full");
    }
  }

  private void drop(Pending p, String why) {
    metrics.dropped++;
    if (p.ack != null) {
      p.ack.tryFail(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, AckFailure.DROPPED, why));
    }
  }

  private void stopped(Pending p) {
    p.done = true;
    metrics.dropped++;
    if (p.ack != null) {
      p.ack.tryFail(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, AckFailure.STOPPED,
        "the rule stopped before the payload was written"));
    }
  }

  private void pump() {
    while (ws != null && !ws.isClosed() && !ws.writeQueueFull() && !buffer.isEmpty()) {
      Pending p = buffer.poll();
      inflight.add(p);
      Future<Void> written = p.frame.writeTo(ws, WebSocketClientOptions.DEFAULT_MAX_FRAME_SIZE);
      written.onComplete(ar -> {
        if (ar.succeeded() && !p.done) {
          p.done = true;
          inflight.remove(p);
          metrics.sent(p.receivedNanos);
          if (p.ack != null) {
            p.ack.tryComplete(1);
          }
          signalReady();
        }
        // a failed write is requeued by disconnected(), which always follows
      });
    }
  }

  private void ping() {
    WebSocket socket = ws;
    if (socket == null || socket.isClosed()) {
      return;
    }
    if (System.currentTimeMillis() - lastSeen > 3 * props.pingInterval()) {
      lastError = "no answer from " + props.url() + " to ping for " + 3 * props.pingInterval() + " ms";
      LOG.warn("{}; closing", lastError);
      // bounded: a peer that stopped reading never takes our Close, so it is aborted and redialled
      ConnectionAbort.close(vertx, socket, (short) 1001, "ping timeout", CLOSING_TIMEOUT_MS);
      return;
    }
    socket.writePing(Buffer.buffer("wsink"));
  }

  @Override
  public int bufferLength() {
    return buffer.size() + inflight.size();
  }

  @Override
  public Future<Void> addStatus(JsonObject status) {
    status.put(SinkMetrics.CONNECTION_STATUS, this.status)
      .put("connection_last_error", lastError)
      .put(SinkMetrics.CONNECTION_RECONNECTS, reconnects);
    return Future.succeededFuture();
  }

  /**
   * Writes out what is buffered — redialling meanwhile if the connection is down — for at most the grace period, then
   * closes with {@code closeCode}; what could not be written by then is dropped and counted.
   */
  @Override
  public Future<Void> stop(short closeCode) {
    if (pingTimer >= 0) {
      vertx.cancelTimer(pingTimer);
    }
    Promise<Void> flushed = Promise.promise();
    long deadline = System.currentTimeMillis() + FLUSH_GRACE_MS;
    if (bufferLength() == 0 || gaveUp) {
      flushed.complete();
    } else {
      vertx.setPeriodic(10, id -> {
        if (bufferLength() == 0 || gaveUp || System.currentTimeMillis() >= deadline) {
          vertx.cancelTimer(id);
          flushed.complete();
        }
      });
    }
    return flushed.future().compose(v -> {
      stopping = true;
      if (redialTimer >= 0) {
        vertx.cancelTimer(redialTimer);
      }
      // a dial in flight settles first (bounded by the connect timeout), so its socket gets a proper Close too
      return dialing == null ? closeAndRelease(closeCode) : dialing.transform(ar -> closeAndRelease(closeCode));
    });
  }

  private Future<Void> closeAndRelease(short closeCode) {
    WebSocket socket = ws;
    ws = null;
    Future<Void> closed = socket == null ? Future.succeededFuture()
      : ConnectionAbort.close(vertx, socket, closeCode, closeCode == 1000 ? "rule stopped" : "going away",
        CLOSING_TIMEOUT_MS);
    return closed.eventually(() -> {
      // what neither the buffer nor a dying socket wrote out is lost: count it and tell who waits
      for (Pending p : inflight) {
        if (!p.done) {
          stopped(p);
        }
      }
      inflight.clear();
      buffer.forEach(this::stopped);
      buffer.clear();
      return client.close();
    });
  }

}
