package io.wsink.testkit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Rule definitions (§5) of websocket actions for tests, and lookups in what the rules API answers. */
public final class Rules {

  /** Prefix of the metrics of a rule's first action in {@code GET /rules/{id}/status}. */
  public static final String SINK0 = "sink_websocket_0_0_";

  private Rules() {
  }

  /** Rule {@code id} with one server-mode action on endpoint {@code path}. */
  public static JsonObject rule(String id, String path) {
    return rule(id, serverProps(path));
  }

  /** Rule {@code id} with one websocket action per properties object, in order. */
  public static JsonObject rule(String id, JsonObject... websockets) {
    JsonArray actions = new JsonArray();
    for (JsonObject websocket : websockets) {
      actions.add(new JsonObject().put("websocket", websocket));
    }
    return new JsonObject().put("id", id).put("actions", actions);
  }

  /** Server-mode action properties: {@code {"path": path}}. */
  public static JsonObject serverProps(String path) {
    return new JsonObject().put("path", path);
  }

  /** Client-mode action properties that dial {@code ws://127.0.0.1:<port>/in}. */
  public static JsonObject clientProps(int port) {
    return new JsonObject().put("addr", "127.0.0.1:" + port).put("path", "/in");
  }

  /** The entry of rule {@code id} in a {@code GET /rules} list; fails naming the list when there is none. */
  public static JsonObject byId(JsonArray list, String id) {
    return list.stream().map(JsonObject.class::cast).filter(o -> id.equals(o.getString("id"))).findFirst()
      .orElseThrow(() -> new AssertionError("no rule " + id + " in " + list.encode()));
  }
}
