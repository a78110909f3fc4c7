package io.wsink.bench;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

/**
 * wsink's producer, driven as a user drives it: a verticle that sends each message as a JsonObject row to the rule's
 * {@code from} address with event-bus {@code request}, and keeps at most {@code window} requests unacknowledged. The
 * sink acknowledges once the frame was handed to the socket(s) (§3), so the window is the back-pressure: a producer
 * never gets more than {@code window} messages ahead of the sockets. Failure replies are counted, never retried.
 */
final class EventBusGenerator extends VerticleBase implements SutCommands.Producer {

  /** Most requests sent in one event-loop turn. */
  private static final int BURST = 64;
  private static final long STOP_DRAIN_MS = 10_000;
  private static final DeliveryOptions REQUEST = new DeliveryOptions().setSendTimeout(10_000);

  private final String address;
  private final int window;
  private Pacer pacer;
  private int size;
  private boolean running;
  private long ticker = -1;
  private int outstanding;
  private long seq;
  private long sent;
  private long acked;
  private long failed;
  private String lastFailure = "";
  private Promise<Void> drained;
  /** Request-to-acknowledgement time: how long the sink holds a message before it is on the socket(s). */
  private LatencyHistogram ackLatency = new LatencyHistogram();

  EventBusGenerator(String address, int window) {
    this.address = address;
    this.window = window;
  }

  @Override
  public Future<Void> begin(int size, long ratePerSecond) {
    return OnContext.call(context, () -> {
      this.size = size;
      sent = 0;
      acked = 0;
      failed = 0;
      lastFailure = "";
      ackLatency = new LatencyHistogram();
      running = true;
      pacer = new Pacer(ratePerSecond, System.nanoTime());
      if (pacer.paced()) {
        ticker = vertx.setPeriodic(1, id -> fill());
      }
      fill();
      return null;
    });
  }

  /** Stops sending, waits (bounded) for the acknowledgements still due, and reports. */
  @Override
  public Future<JsonObject> end() {
    return OnContext.call(context, () -> {
      running = false;
      if (ticker >= 0) {
        vertx.cancelTimer(ticker);
        ticker = -1;
      }
      drained = Promise.promise();
      if (outstanding == 0) {
        drained.complete();
      }
      return drained.future();
    }).compose(f -> f.timeout(STOP_DRAIN_MS, java.util.concurrent.TimeUnit.MILLISECONDS).recover(err -> Future.succeededFuture()))
      .compose(v -> OnContext.call(context, () -> new JsonObject().put("nextSeq", seq).put("sent", sent)
        .put("acked", acked).put("failed", failed).put("lastFailure", lastFailure).put("outstanding", outstanding)
        .put("ackLatencyUs", ackLatency.toJson())));
  }

  private void fill() {
    if (!running) {
      return;
    }
    int due = pacer.due(System.nanoTime(), Math.min(BURST, window - outstanding));
    for (int i = 0; i < due; i++) {
      long now = System.nanoTime();
      JsonObject row = BenchMessage.row(seq++, now, size);
      outstanding++;
      sent++;
      vertx.eventBus().request(address, row, REQUEST).onComplete(reply -> acknowledged(reply, now));
    }
    pacer.issued(due);
  }

  private void acknowledged(AsyncResult<Message<Object>> reply, long sentAt) {
    outstanding--;
    ackLatency.record(System.nanoTime() - sentAt);
    if (reply.succeeded()) {
      acked++;
    } else {
      failed++;
      lastFailure = reply.cause() instanceof ReplyException re ? re.failureCode() + " " + re.getMessage()
        : String.valueOf(reply.cause());
    }
    if (!running) {
      if (outstanding == 0 && drained != null) {
        drained.tryComplete();
      }
      return;
    }
    if (!pacer.paced()) {
      fill();
    }
  }
}
