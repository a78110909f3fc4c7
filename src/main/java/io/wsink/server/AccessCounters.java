package io.wsink.server;

import io.vertx.core.json.JsonObject;

import java.util.EnumMap;
import java.util.Map;

/**
 * What the data server refused or cut off, per reason, since it was deployed: the figures behind the {@code access}
 * object of its {@code list} reply (for metrics). Confined to the server verticle's event loop.
 */
final class AccessCounters {

  private final Map<Refusal, Long> refused = new EnumMap<>(Refusal.class);
  private long closedMessageTooBig;
  private long closedInvalidText;
  private long tlsHandshakeFailures;

  AccessCounters() {
    for (Refusal reason : Refusal.values()) {
      refused.put(reason, 0L);
    }
  }

  void refused(Refusal reason) {
    refused.merge(reason, 1L, Long::sum);
  }

  /** A client sent a frame or message larger than the limits and was closed with 1009. */
  void closedMessageTooBig() {
    closedMessageTooBig++;
  }

  /** A client sent a text message that is not UTF-8 and was closed with 1007. */
  void closedInvalidText() {
    closedInvalidText++;
  }

  /** A TLS handshake failed, e.g. a client without an accepted certificate when client certificates are required. */
  void tlsHandshakeFailed() {
    tlsHandshakeFailures++;
  }

  /**
   * {@code {"connections": n, "maxConnections": m, "refused": {"origin": .., "token": .., ...},
   * "closedMessageTooBig": n, "closedInvalidText": n, "tlsHandshakeFailures": n}}
   */
  JsonObject toJson(ConnectionSlots slots) {
    JsonObject byReason = new JsonObject();
    refused.forEach((reason, count) -> byReason.put(reason.key(), count));
    return new JsonObject()
      .put("connections", slots.taken())
      .put("maxConnections", slots.limit())
      .put("refused", byReason)
      .put("closedMessageTooBig", closedMessageTooBig)
      .put("closedInvalidText", closedInvalidText)
      .put("tlsHandshakeFailures", tlsHandshakeFailures);
  }
}
