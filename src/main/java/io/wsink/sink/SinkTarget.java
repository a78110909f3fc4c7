package io.wsink.sink;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.wsink.pipeline.Frame;

/** Where one action's frames go: a remote server (client mode) or an endpoint of the data server (server mode). */
interface SinkTarget {

  /** Gets ready to send; a client-mode target succeeds at once and keeps dialling in the background. */
  Future<Void> start();

  /**
   * Sends one frame, in order with the frames before it.
   *
   * @param ack           null, or completed with the number of sockets the frame was handed to, or failed with why not
   * @param receivedNanos {@link System#nanoTime()} when the message arrived, for the latency metric
   */
  void send(Frame frame, Promise<Integer> ack, long receivedNanos);

  /**
   * Where the sink should handle its messages: {@code own} (the sink verticle's context), or a context on which this
   * target delivers more cheaply. Asked once, after {@link #start} succeeded.
   */
  default Context workContext(Context own) {
    return own;
  }

  /** Frames waiting in this target. */
  int bufferLength();

  /** Adds the target's own status keys ({@code connection_status} or {@code clients}, drops) to {@code status}. */
  Future<Void> addStatus(JsonObject status);

  /** Writes out what is queued (at most the grace period), then closes with {@code closeCode}. */
  Future<Void> stop(short closeCode);
}
