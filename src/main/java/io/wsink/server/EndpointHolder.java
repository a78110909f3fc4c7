package io.wsink.server;

import io.vertx.core.json.JsonObject;
import io.wsink.sink.Overflow;
import io.wsink.sink.WebSocketActionProps;

/**
 * Something that keeps a server-mode endpoint alive: a running rule action or a REST registration (§4.2). It also
 * brings the per-client settings for the frames it sends there.
 *
 * @param id           unique per endpoint: {@code rest}, {@code rule:<id>} (action 0), {@code rule:<id>#<i>}, and
 *                     {@code rule:<id>#<i>.<n>} for instance n > 0 of an action with {@code concurrency}
 * @param pingInterval ms between pings, 0 = none; the endpoint pings at the shortest interval of its holders
 */
public record EndpointHolder(String id, long pingInterval, Overflow overflow, int queueBytes) {

  public static final String REST = "rest";

  /** The holder a REST registration (§6.2) creates: eKuiper's defaults. */
  public static EndpointHolder rest() {
    return new EndpointHolder(REST, WebSocketActionProps.DEFAULT_PING_INTERVAL, Overflow.DROP_OLDEST,
      WebSocketActionProps.DEFAULT_CLIENT_QUEUE_BYTES);
  }

  public static String ruleHolderId(String ruleId, int action, int instance) {
    if (instance > 0) {
      return "rule:" + ruleId + "#" + action + "." + instance;
    }
    return action == 0 ? "rule:" + ruleId : "rule:" + ruleId + "#" + action;
  }

  public boolean isRule() {
    return id.startsWith("rule:");
  }

  JsonObject toJson() {
    return new JsonObject().put("id", id).put("pingInterval", pingInterval).put("overflow", overflow.value())
      .put("queueBytes", queueBytes);
  }

  static EndpointHolder fromJson(JsonObject json) {
    return new EndpointHolder(json.getString("id"), json.getLong("pingInterval"), Overflow.parse(json.getString("overflow")),
      json.getInteger("queueBytes"));
  }
}
