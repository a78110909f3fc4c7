package io.wsink.bench;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;

/**
 * The receiving end for client mode, a process of its own: a minimal Vert.x WebSocket server on 127.0.0.1 that
 * measures what each connected client sends (see {@link Receiver}). Prints {@code READY {"port":P}}, then
 * {@code CONNECTED {...}} when the first client connects.
 */
public final class CountingServerMain {

  private CountingServerMain() {
  }

  public static void main(String[] argv) {
    Proto.runMain("CountingServerMain", () -> {
      Vertx vertx = Vertx.vertx();
      Receiver receiver = new Receiver();
      CountingServer server = new CountingServer(receiver);
      vertx.deployVerticle(server).await(20, TimeUnit.SECONDS);
      Proto.emit("READY", new JsonObject().put("port", server.port()).put("path", "/count"));
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

  private static final class CountingServer extends VerticleBase {

    private final Receiver receiver;
    private HttpServer server;

    CountingServer(Receiver receiver) {
      this.receiver = receiver;
    }

    int port() {
      return server.actualPort();
    }

    @Override
    public Future<?> start() {
      return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .webSocketHandler(ws -> {
          ConnectionStats stats = receiver.register(context);
          ws.frameHandler(frame -> {
            if (frame.isText() || frame.isBinary()) {
              stats.onMessage(frame.binaryData());
            }
          });
          ws.closeHandler(v -> stats.closed());
          ws.exceptionHandler(err -> { });
          if (receiver.size() == 1) {
            Proto.emit("CONNECTED", new JsonObject().put("opened", 1));
          }
        })
        .listen()
        .onSuccess(s -> server = s);
    }
  }
}
