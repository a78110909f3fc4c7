package io.wsink.bench;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Baseline (a), raw server mode, a process of its own: the smallest Vert.x 5 program that does what wsink's server mode
 * does — one HttpServer on 127.0.0.1 whose WebSocket clients on {@value #PATH} all get every message, from a generator
 * on the same event loop that respects every socket's back-pressure ({@link SocketGenerator}). Also answers
 * {@code GET /ping}, for the idle-connections cell. Prints {@code READY {"port":P,"path":"/bench"}}, then serves
 * {@link SutCommands}.
 */
public final class RawServerMain {

  static final String PATH = "/bench";
  /** Netty's write-buffer mark per socket, the same as wsink's per-client socket budget with default settings. */
  static final int SOCKET_WRITE_QUEUE_BYTES = 64 * 1024;

  private RawServerMain() {
  }

  public static void main(String[] argv) throws Exception {
    Vertx vertx = Vertx.vertx();
    FanOutServer server = new FanOutServer();
    vertx.deployVerticle(server).await(20, TimeUnit.SECONDS);
    Proto.emit("READY", new JsonObject().put("port", server.port()).put("path", PATH).put("pingPort", server.port()));
    SutCommands.serve(vertx, server.generator);
    System.exit(0);
  }

  private static final class FanOutServer extends VerticleBase {

    private static final WebSocketBase[] NONE = new WebSocketBase[0];
    // copy-on-write: read for every message, changed only when a client comes or goes
    private WebSocketBase[] sockets = NONE;
    private SocketGenerator generator;
    private HttpServer server;

    int port() {
      return server.actualPort();
    }

    @Override
    public Future<?> start() {
      generator = new SocketGenerator(context, () -> sockets);
      return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(req -> req.response().setStatusCode(req.path().equals("/ping") ? 200 : 404).end())
        .webSocketHandler(this::attach)
        .listen()
        .onSuccess(s -> server = s);
    }

    private void attach(ServerWebSocket ws) {
      if (!ws.path().equals(PATH)) {
        ws.close((short) 1008, "unknown path");
        return;
      }
      ws.setWriteQueueMaxSize(SOCKET_WRITE_QUEUE_BYTES);
      sockets = append(sockets, ws);
      ws.exceptionHandler(err -> { });
      ws.closeHandler(v -> {
        sockets = Arrays.stream(sockets).filter(s -> s != ws).toArray(WebSocketBase[]::new);
        generator.socketClosed(ws);
      });
    }

    private static WebSocketBase[] append(WebSocketBase[] all, WebSocketBase one) {
      WebSocketBase[] out = Arrays.copyOf(all, all.length + 1);
      out[all.length] = one;
      return out;
    }
  }
}
