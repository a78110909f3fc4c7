package io.wsink.bench;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * Baseline (b), raw client mode, a process of its own: a Vert.x 5 WebSocketClient that dials {@code --target} (the
 * counting server) and pushes the messages over that one connection, respecting its back-pressure
 * ({@link SocketGenerator}). Prints {@code READY {}} once connected, then serves {@link SutCommands}.
 */
public final class RawClientMain {

  /** The same socket budget as wsink's client mode. */
  static final int SOCKET_WRITE_QUEUE_BYTES = 64 * 1024;

  private RawClientMain() {
  }

  public static void main(String[] argv) {
    Proto.runMain("RawClientMain", () -> {
      URI target = URI.create(new Args(argv).require("target"));
      Vertx vertx = Vertx.vertx();
      Pusher pusher = new Pusher(target);
      vertx.deployVerticle(pusher).await(20, TimeUnit.SECONDS);
      Proto.emit("READY", new JsonObject());
      SutCommands.serve(vertx, pusher.generator);
    });
  }

  private static final class Pusher extends VerticleBase {

    private final URI target;
    // a field: Vert.x 5 shuts an unreferenced client down
    private WebSocketClient client;
    private WebSocketBase[] sockets = new WebSocketBase[0];
    private SocketGenerator generator;

    Pusher(URI target) {
      this.target = target;
    }

    @Override
    public Future<?> start() {
      generator = new SocketGenerator(context, () -> sockets);
      client = vertx.createWebSocketClient();
      return client.connect(new WebSocketConnectOptions().setHost(target.getHost()).setPort(target.getPort())
          .setURI(target.getRawPath()))
        .onSuccess(ws -> {
          ws.setWriteQueueMaxSize(SOCKET_WRITE_QUEUE_BYTES);
          ws.exceptionHandler(err -> { });
          ws.closeHandler(v -> {
            sockets = new WebSocketBase[0];
            generator.socketClosed(ws);
          });
          sockets = new WebSocketBase[] {ws};
        });
    }

    @Override
    public Future<?> stop() {
      return client.close();
    }
  }
}
