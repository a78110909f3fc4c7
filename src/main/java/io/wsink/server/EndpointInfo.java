package io.wsink.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * What the data server knows about one endpoint.
 *
 * @param maxQueuedBytes the most bytes ever waiting in wsink's queue for one client of this endpoint
 */
public record EndpointInfo(String endpoint, int clients, List<String> holders, long maxQueuedBytes) {

  public JsonObject toJson() {
    return new JsonObject().put("endpoint", endpoint).put("clients", clients).put("holders", new JsonArray(holders))
      .put("maxQueuedBytes", maxQueuedBytes);
  }

  static EndpointInfo fromJson(JsonObject json) {
    return new EndpointInfo(json.getString("endpoint"), json.getInteger("clients"),
      json.getJsonArray("holders").stream().map(String.class::cast).toList(), json.getLong("maxQueuedBytes"));
  }
}
