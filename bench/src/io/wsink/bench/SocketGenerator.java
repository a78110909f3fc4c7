package io.wsink.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.json.JsonObject;

import java.util.function.Supplier;

/**
 * The raw baseline's producer: encodes each message once and writes it to every connected socket, on the sockets'
 * own event loop, and pauses while any socket's write queue is full ({@code writeQueueFull()} / {@code drainHandler}),
 * so that nothing is ever dropped or queued without bound.
 */
final class SocketGenerator implements SutCommands.Producer {

  /**
   * Socket writes per event-loop turn (messages × sockets): then the loop gets to run I/O and other tasks. Counted in
   * writes, not messages, so that a turn stays short at N = 1000 too (64 messages would be 64 000 writes, seconds of a
   * blocked event loop on a busy machine). wsink's data server writes one message to every client per turn.
   */
  private static final int WRITES_PER_TURN = 1024;
  /** Most messages per turn, whatever N: a paced generator that fell behind catches up over several ticks. */
  private static final int MAX_MESSAGES_PER_TURN = 64;

  private final Context context;
  private final Supplier<WebSocketBase[]> sockets;
  private Pacer pacer;
  private int size;
  private boolean running;
  private WebSocketBase awaitingDrainOf;
  private long ticker = -1;
  private long seq;
  private long sent;
  private long pauses;

  /** @param context the event loop of every socket {@code sockets} supplies */
  SocketGenerator(Context context, Supplier<WebSocketBase[]> sockets) {
    this.context = context;
    this.sockets = sockets;
  }

  @Override
  public Future<Void> begin(int size, long ratePerSecond) {
    return OnContext.call(context, () -> {
      this.size = size;
      sent = 0;
      pauses = 0;
      running = true;
      pacer = new Pacer(ratePerSecond, System.nanoTime());
      if (pacer.paced()) {
        ticker = context.owner().setPeriodic(1, id -> pump());
      } else {
        pump();
      }
      return null;
    });
  }

  @Override
  public Future<JsonObject> end() {
    return OnContext.call(context, () -> {
      running = false;
      if (ticker >= 0) {
        context.owner().cancelTimer(ticker);
        ticker = -1;
      }
      return new JsonObject().put("nextSeq", seq).put("sent", sent).put("drainPauses", pauses);
    });
  }

  /** A socket went away: if the generator waited for it to drain, it must not wait forever. */
  void socketClosed(WebSocketBase ws) {
    if (awaitingDrainOf == ws) {
      resume();
    }
  }

  private void pump() {
    if (!running || awaitingDrainOf != null) {
      return;
    }
    WebSocketBase[] targets = sockets.get();
    int burst = Math.max(1, Math.min(MAX_MESSAGES_PER_TURN, WRITES_PER_TURN / Math.max(1, targets.length)));
    int due = pacer.due(System.nanoTime(), burst);
    for (int i = 0; i < due; i++) {
      String text = BenchMessage.row(seq++, System.nanoTime(), size).encode();
      for (WebSocketBase ws : targets) {
        if (!ws.isClosed()) {
          ws.writeTextMessage(text);
        }
      }
      pacer.issued(1);
      sent++;
      WebSocketBase full = firstFull(targets);
      if (full != null) {
        awaitDrain(full);
        return;
      }
    }
    if (!pacer.paced()) {
      context.runOnContext(v -> pump());
    }
  }

  private static WebSocketBase firstFull(WebSocketBase[] targets) {
    for (WebSocketBase ws : targets) {
      if (!ws.isClosed() && ws.writeQueueFull()) { // writeQueueFull() throws on a closed socket
        return ws;
      }
    }
    return null;
  }

  private void awaitDrain(WebSocketBase ws) {
    awaitingDrainOf = ws;
    pauses++;
    ws.drainHandler(v -> resume());
  }

  private void resume() {
    if (awaitingDrainOf == null) {
      return;
    }
    awaitingDrainOf.drainHandler(null);
    awaitingDrainOf = null;
    if (!pacer.paced()) {
      pump(); // a paced generator goes on at its next tick
    }
  }
}
