package io.wsink.sink;

import io.vertx.core.json.JsonObject;

/**
 * The eKuiper metrics of one sink (§6.1 status keys, without their {@code sink_websocket_<i>_0_} prefix). Confined to
 * the sink verticle's event loop, so plain fields suffice.
 */
final class SinkMetrics {

  long recordsIn;
  long recordsOut;
  long dropped;
  long exceptions;
  String lastException = "";
  long lastExceptionTime;
  long processLatencyUs;
  long lastInvocation;

  void received() {
    recordsIn++;
    lastInvocation = System.currentTimeMillis();
  }

  void sent(long receivedNanos) {
    recordsOut++;
    processLatencyUs = (System.nanoTime() - receivedNanos) / 1000;
  }

  void exception(String message) {
    exceptions++;
    lastException = message;
    lastExceptionTime = System.currentTimeMillis();
  }

  JsonObject toJson(long bufferLength) {
    return new JsonObject()
      .put("records_in_total", recordsIn)
      .put("records_out_total", recordsOut)
      .put("records_dropped_total", dropped)
      .put("exceptions_total", exceptions)
      .put("last_exception", lastException)
      .put("last_exception_time", lastExceptionTime)
      .put("process_latency_us", processLatencyUs)
      .put("buffer_length", bufferLength)
      .put("last_invocation", lastInvocation);
  }
}
