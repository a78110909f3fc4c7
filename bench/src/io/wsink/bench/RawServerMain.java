package io.wsink.bench;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Baseline (a), raw server mode, a process of its own: the smallest Vert.x 5 program that does what wsink's server mode
 * does — one HttpServer on 127.0.0.1 whose WebSocket clients on {@value #PATH} all get every message, from a generator
 * on the same event loop that respects every socket's back-pressure ({@link SocketGenerator}). Also answers
 * {@code GET /ping}, for the idle-connections cell. Prints {@code READY {"port":P,"path":"/bench"}}, then serves
 * {@link SutCommands}.
 *
 * <p>{@code --via-event-bus} (a diagnostic, {@code bench/run.sh --diagnose}): the messages come instead from the same
 * {@link EventBusGenerator} wsink gets, on its own event loop, as event-bus requests; the server writes each to every
 * socket and acknowledges it once no socket is above its write-queue mark. The difference to the plain baseline is what
 * an event-bus hop between verticles costs; the difference to wsink is what wsink itself adds.
 */
public final class RawServerMain {

  static final String PATH = "/bench";
  /** Netty's write-buffer mark per socket, the same as wsink's per-client socket budget with default settings. */
  static final int SOCKET_WRITE_QUEUE_BYTES = 64 * 1024;
  static final String FRAMES = "raw.frames";

  private RawServerMain() {
  }

  public static void main(String[] argv) {
    Proto.runMain("RawServerMain", () -> {
      Args args = new Args(argv);
      boolean viaEventBus = args.has("via-event-bus");
      Vertx vertx = Vertx.vertx();
      FanOutServer server = new FanOutServer(viaEventBus);
      vertx.deployVerticle(server).await(20, TimeUnit.SECONDS);
      SutCommands.Producer producer = server.generator;
      if (viaEventBus) {
        EventBusGenerator generator = new EventBusGenerator(FRAMES, args.getInt("window", 256));
        vertx.deployVerticle(generator).await(20, TimeUnit.SECONDS);
        producer = generator;
      }
      Proto.emit("READY", new JsonObject().put("port", server.port()).put("path", PATH).put("pingPort", server.port()));
      SutCommands.serve(vertx, producer);
    });
  }

  private static final class FanOutServer extends VerticleBase {

    private static final WebSocketBase[] NONE = new WebSocketBase[0];
    private final boolean viaEventBus;
    // copy-on-write: read for every message, changed only when a client comes or goes
    private WebSocketBase[] sockets = NONE;
    private SocketGenerator generator;
    private HttpServer server;
    /** Via the event bus: requests written but not acknowledged, because a socket is above its mark. */
    private final List<Message<JsonObject>> held = new ArrayList<>();
    private WebSocketBase awaitingDrainOf;

    FanOutServer(boolean viaEventBus) {
      this.viaEventBus = viaEventBus;
    }

    int port() {
      return server.actualPort();
    }

    @Override
    public Future<?> start() {
      generator = new SocketGenerator(context, () -> sockets);
      Future<Void> consuming = viaEventBus
        ? vertx.eventBus().<JsonObject>localConsumer(FRAMES, this::onFrame).completion() : Future.succeededFuture();
      return consuming.compose(v -> vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(req -> req.response().setStatusCode(req.path().equals("/ping") ? 200 : 404).end())
        .webSocketHandler(this::attach)
        .listen()
        .onSuccess(s -> server = s));
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
        if (awaitingDrainOf == ws) {
          releaseHeld();
        }
      });
    }

    /** Via the event bus: one message, written to every socket; acknowledged now, or once every socket drained. */
    private void onFrame(Message<JsonObject> msg) {
      String text = msg.body().encode();
      for (WebSocketBase ws : sockets) {
        if (!ws.isClosed()) {
          ws.writeTextMessage(text);
        }
      }
      held.add(msg);
      if (awaitingDrainOf == null) {
        releaseHeld();
      }
    }

    private void releaseHeld() {
      if (awaitingDrainOf != null) {
        awaitingDrainOf.drainHandler(null);
        awaitingDrainOf = null;
      }
      for (WebSocketBase ws : sockets) {
        if (!ws.isClosed() && ws.writeQueueFull()) {
          awaitingDrainOf = ws;
          ws.drainHandler(v -> releaseHeld());
          return;
        }
      }
      held.forEach(m -> m.reply(1));
      held.clear();
    }

    private static WebSocketBase[] append(WebSocketBase[] all, WebSocketBase one) {
      WebSocketBase[] out = Arrays.copyOf(all, all.length + 1);
      out[all.length] = one;
      return out;
    }
  }
}
