package io.wsink.sink;

import io.micrometer.core.instrument.Timer;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;

/**
 * The eKuiper metrics of one sink (§6.1 status keys, without their {@code sink_websocket_<i>_<n>_} prefix). Confined to
 * the sink verticle's event loop, so plain fields suffice. They are the one count of what the sink did: the status
 * shows them, and the Prometheus meters ({@link SinkMeters}) show the status.
 */
final class SinkMetrics {

  static final String RECORDS_IN = "records_in_total";
  static final String RECORDS_OUT = "records_out_total";
  static final String RECORDS_DROPPED = "records_dropped_total";
  static final String EXCEPTIONS = "exceptions_total";
  static final String BUFFER_LENGTH = "buffer_length";
  /** Client mode: 1 connected, 0 connecting, -1 down. */
  static final String CONNECTION_STATUS = "connection_status";
  static final String CONNECTION_RECONNECTS = "connection_reconnects";
  /** Client mode with enableCache: payloads the store has committed. */
  static final String CACHE_DISK_LENGTH = "cache_disk_length";
  /** Server mode: clients connected to the endpoint. */
  static final String CLIENTS = "clients";
  /** Server mode: clients closed because they fell behind ({@code overflow: disconnect}). */
  static final String CLIENTS_DISCONNECTED = "clients_disconnected_total";

  long recordsIn;
  long recordsOut;
  long dropped;
  long exceptions;
  String lastException = "";
  long lastExceptionTime;
  long processLatencyUs;
  long lastInvocation;
  /** The distribution of the send latency, recorded as it happens (a distribution cannot be read off a count); or null. */
  private Timer sendLatency;

  void recordLatencyIn(Timer timer) {
    this.sendLatency = timer;
  }

  void received() {
    recordsIn++;
    lastInvocation = System.currentTimeMillis();
  }

  void sent(long receivedNanos) {
    recordsOut++;
    long nanos = System.nanoTime() - receivedNanos;
    processLatencyUs = nanos / 1000;
    if (sendLatency != null) {
      sendLatency.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  void exception(String message) {
    exceptions++;
    lastException = message;
    lastExceptionTime = System.currentTimeMillis();
  }

  JsonObject toJson(long bufferLength) {
    return new JsonObject()
      .put(RECORDS_IN, recordsIn)
      .put(RECORDS_OUT, recordsOut)
      .put(RECORDS_DROPPED, dropped)
      .put(EXCEPTIONS, exceptions)
      .put("last_exception", lastException)
      .put("last_exception_time", lastExceptionTime)
      .put("process_latency_us", processLatencyUs)
      .put(BUFFER_LENGTH, bufferLength)
      .put("last_invocation", lastInvocation);
  }
}
