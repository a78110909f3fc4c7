package io.wsink.sink;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.wsink.pipeline.Payload;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code batchSize} / {@code lingerInterval} (§5.2): collects rows into result sets of {@code batchSize} rows, or of what
 * arrived within {@code lingerInterval} ms of the first row of a batch — whichever comes first. A raw payload ends the
 * batch before it (order is kept) and goes out on its own. Confined to the sink verticle's event loop.
 */
final class Batcher {

  /**
   * What leaves the batcher: one payload and, per row, the acknowledgement of the message that row completes (null
   * for the other rows); a raw payload has one entry.
   */
  interface Output {
    void send(Payload payload, List<Promise<Integer>> rowAcks, long receivedNanos);
  }

  private final Vertx vertx;
  private final int batchSize;
  private final long lingerMs;
  private final Output out;
  private final List<JsonObject> rows = new ArrayList<>();
  private final List<Promise<Integer>> acks = new ArrayList<>();
  private long firstReceived;
  private long lingerTimer = -1;

  Batcher(Vertx vertx, int batchSize, long lingerMs, Output out) {
    this.vertx = vertx;
    this.batchSize = batchSize;
    this.lingerMs = lingerMs;
    this.out = out;
  }

  /** Rows are batched; a message's acknowledgement goes with its last row. */
  void add(Payload payload, Promise<Integer> ack, long receivedNanos) {
    if (!(payload instanceof Payload.Rows r)) {
      flush();
      out.send(payload, java.util.Collections.singletonList(ack), receivedNanos);
      return;
    }
    List<JsonObject> incoming = r.rows();
    if (incoming.isEmpty()) {
      if (ack != null) {
        ack.tryComplete(0);
      }
      return;
    }
    for (int i = 0; i < incoming.size(); i++) {
      if (rows.isEmpty()) {
        firstReceived = receivedNanos;
        if (lingerMs > 0) {
          lingerTimer = vertx.setTimer(lingerMs, id -> {
            lingerTimer = -1;
            flush();
          });
        }
      }
      rows.add(incoming.get(i));
      acks.add(i == incoming.size() - 1 ? ack : null);
      if (batchSize > 0 && rows.size() >= batchSize) {
        flush();
      }
    }
  }

  int pending() {
    return rows.size();
  }

  /** Sends what is collected, if anything. */
  void flush() {
    if (lingerTimer >= 0) {
      vertx.cancelTimer(lingerTimer);
      lingerTimer = -1;
    }
    if (rows.isEmpty()) {
      return;
    }
    Payload batch = new Payload.Rows(rows);
    List<Promise<Integer>> done = new ArrayList<>(acks);
    rows.clear();
    acks.clear();
    out.send(batch, done, firstReceived);
  }
}
