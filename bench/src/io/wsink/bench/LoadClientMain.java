package io.wsink.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Java load client for server mode, a process of its own: opens {@code --conns} WebSocket connections to
 * {@code --url} and measures what arrives on each (see {@link Receiver} for the commands).
 *
 * <p>{@code java LoadClientMain --url ws://127.0.0.1:P/bench --conns N [--loops 2] [--concurrency 256] [--paused]}
 * prints {@code CONNECTED {"opened":n,"failed":f,"refused":{"503":r,...}}} once every connection was tried (at most
 * 110 s); {@code refused} counts the upgrades the server answered with an HTTP status instead of 101. With
 * {@code --paused} the connections read nothing after the upgrade (slow clients: their TCP windows fill).
 */
public final class LoadClientMain {

  private static final long CONNECT_DEADLINE_MS = 110_000; // 10 000 handshakes on a busy 2-core machine

  private LoadClientMain() {
  }

  public static void main(String[] argv) {
    Proto.runMain("LoadClientMain", () -> {
      Args args = new Args(argv);
      URI url = URI.create(args.require("url"));
      int conns = args.getInt("conns", 1);
      int loops = Math.max(1, Math.min(args.getInt("loops", 2), conns));
      int concurrency = args.getInt("concurrency", 256);
      boolean paused = args.has("paused");

      Vertx vertx = Vertx.vertx();
      Receiver receiver = new Receiver();
      AtomicInteger opened = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      Map<Integer, AtomicInteger> refused = new ConcurrentHashMap<>();
      // one connecting verticle per event loop, so that the connections (and their handlers) spread over the loops;
      // two loops by default, one per core of the bench machine, which the server under test needs too
      int[] shares = new int[loops];
      for (int i = 0; i < conns; i++) {
        shares[i % loops]++;
      }
      Future<?>[] deployed = new Future<?>[loops];
      for (int i = 0; i < loops; i++) {
        deployed[i] = vertx.deployVerticle(new Connector(url, shares[i], Math.max(1, concurrency / loops), paused,
          receiver, opened, failed, refused), new DeploymentOptions());
      }
      try {
        Future.join(java.util.List.of(deployed)).await(CONNECT_DEADLINE_MS, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        // reported as a short count below
      }
      JsonObject byStatus = new JsonObject();
      refused.forEach((status, n) -> byStatus.put(Integer.toString(status), n.get()));
      Proto.emit("CONNECTED", new JsonObject().put("opened", opened.get()).put("failed", failed.get())
        .put("refused", byStatus));
      Proto.serve((command, a) -> {
        if (receiver.handle(command, a)) {
          return true;
        }
        if (command.equals("exit")) {
          return false;
        }
        Proto.emit("ERROR", "unknown command " + command);
        return true;
      });
      vertx.close().await(10, TimeUnit.SECONDS);
    });
  }

  /** Opens its share of the connections, at most {@code concurrency} handshakes at a time, on its own event loop. */
  private static final class Connector extends VerticleBase {

    private final URI url;
    private final int count;
    private final int concurrency;
    private final boolean paused;
    private final Receiver receiver;
    private final AtomicInteger opened;
    private final AtomicInteger failed;
    private final Map<Integer, AtomicInteger> refused;
    private final Promise<Void> done = Promise.promise();
    // a field: Vert.x 5 shuts an unreferenced client down
    private WebSocketClient client;
    private int started;
    private int settled;

    Connector(URI url, int count, int concurrency, boolean paused, Receiver receiver, AtomicInteger opened,
              AtomicInteger failed, Map<Integer, AtomicInteger> refused) {
      this.url = url;
      this.count = count;
      this.concurrency = concurrency;
      this.paused = paused;
      this.receiver = receiver;
      this.opened = opened;
      this.failed = failed;
      this.refused = refused;
    }

    @Override
    public Future<?> start() {
      WebSocketClientOptions options = new WebSocketClientOptions()
        .setMaxConnections(count + 16) // the default (50 per server) would queue the rest
        .setConnectTimeout(20_000);
      if (paused) {
        options.setReceiveBufferSize(4096); // a small window: what the server sends piles up on its side
      }
      client = vertx.createWebSocketClient(options);
      if (count == 0) {
        done.complete();
      }
      for (int i = 0; i < Math.min(concurrency, count); i++) {
        openNext();
      }
      return done.future();
    }

    private void openNext() {
      if (started >= count) {
        return;
      }
      started++;
      WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setHost(url.getHost()).setPort(url.getPort()).setURI(url.getRawPath()).setTimeout(20_000);
      client.connect(options).onComplete(ar -> {
        if (ar.succeeded()) {
          attach(ar.result());
          opened.incrementAndGet();
        } else {
          failed.incrementAndGet();
          if (ar.cause() instanceof UpgradeRejectedException rejected) {
            refused.computeIfAbsent(rejected.getStatus(), s -> new AtomicInteger()).incrementAndGet();
          }
        }
        settled++;
        if (settled == count) {
          done.complete();
        } else {
          openNext();
        }
      });
    }

    private void attach(WebSocket ws) {
      if (paused) {
        ws.pause(); // nothing more is read: the server sees a client that stopped reading
        return;
      }
      ConnectionStats stats = receiver.register(context);
      ws.frameHandler(frame -> {
        if (frame.isText() || frame.isBinary()) {
          stats.onMessage(frame.binaryData());
        }
      });
      ws.closeHandler(v -> stats.closed());
      ws.exceptionHandler(err -> { }); // counted through closeHandler; a reset at exit is expected
    }

    @Override
    public Future<?> stop() {
      return client.close();
    }
  }
}
