package io.wsink.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.wsink.Addresses;

/** The {@link EndpointRegistry} of one node: requests to that node's {@link ServerVerticle} over the local event bus. */
public final class EventBusEndpointRegistry implements EndpointRegistry {

  // holding may have to start the data server; the rest is a map lookup
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true).setSendTimeout(15_000);

  private final Vertx vertx;

  public EventBusEndpointRegistry(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public Future<Void> hold(String path, EndpointHolder holder) {
    return request(ServerVerticle.HOLD, path).put("holder", holder.toJson()).send().mapEmpty();
  }

  @Override
  public Future<Void> release(String path, String holderId) {
    return request(ServerVerticle.RELEASE, path).put("holder", holderId).send().mapEmpty();
  }

  @Override
  public Future<Snapshot> list() {
    return request(ServerVerticle.LIST, null).send().map(json -> new Snapshot(json.getBoolean("running"),
      json.getJsonArray("endpoints").stream().map(o -> EndpointInfo.fromJson((JsonObject) o)).toList()));
  }

  @Override
  public Future<EndpointInfo> get(String path) {
    return list().map(s -> s.endpoints().stream().filter(e -> e.endpoint().equals(path)).findFirst().orElse(null));
  }

  @Override
  public Future<HolderStats> stats(String path, String holderId) {
    return request(ServerVerticle.STATS, path).put("holder", holderId).send()
      .map(json -> new HolderStats(json.getInteger("clients"), json.getLong("dropped"), json.getLong("disconnected")));
  }

  private Request request(String op, String path) {
    return new Request(new JsonObject().put("op", op).put("path", path));
  }

  private final class Request {
    private final JsonObject body;

    private Request(JsonObject body) {
      this.body = body;
    }

    Request put(String key, Object value) {
      body.put(key, value);
      return this;
    }

    Future<JsonObject> send() {
      return vertx.eventBus().<JsonObject>request(Addresses.SERVER_CONTROL, body, LOCAL).map(Message::body);
    }
  }

}
