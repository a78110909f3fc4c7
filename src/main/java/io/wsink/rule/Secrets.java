package io.wsink.rule;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Secrets in rule definitions (§8): shown as {@code ******} by the API, and a {@code ******} sent back on update keeps
 * the stored value, as eKuiper does.
 */
final class Secrets {

  static final String MASK = "******";
  private static final Set<String> SECRET_PROPERTIES = Set.of("privatekeyraw");
  private static final Set<String> SECRET_HEADERS = Set.of("authorization", "cookie");

  private Secrets() {
  }

  /** A copy of the definition with every secret replaced by {@link #MASK}. */
  static JsonObject mask(JsonObject definition) {
    JsonObject copy = definition.copy();
    forEachAction(copy, null, (props, old) -> {
      for (String key : List.copyOf(props.fieldNames())) {
        if (SECRET_PROPERTIES.contains(key.toLowerCase(Locale.ROOT)) && props.getValue(key) instanceof String s
          && !s.isEmpty()) {
          props.put(key, MASK);
        }
      }
      JsonObject headers = headers(props);
      if (headers != null) {
        for (String name : List.copyOf(headers.fieldNames())) {
          Object value = headers.getValue(name);
          if (SECRET_HEADERS.contains(name.toLowerCase(Locale.ROOT)) && value != null) {
            headers.put(name, value instanceof JsonArray a ? new JsonArray(a.stream().map(x -> MASK).toList()) : MASK);
          }
        }
      }
    });
    return copy;
  }

  /** The new definition with each {@link #MASK} replaced by the value at the same place in {@code stored}. */
  static JsonObject restore(JsonObject definition, JsonObject stored) {
    JsonObject copy = definition.copy();
    forEachAction(copy, stored, (props, old) -> {
      if (old == null) {
        return;
      }
      for (String key : List.copyOf(props.fieldNames())) {
        if (MASK.equals(props.getValue(key)) && old.getValue(key) != null) {
          props.put(key, old.getValue(key));
        }
      }
      JsonObject headers = headers(props);
      JsonObject oldHeaders = headers(old);
      if (headers != null && oldHeaders != null) {
        for (String name : List.copyOf(headers.fieldNames())) {
          Object value = headers.getValue(name);
          boolean masked = MASK.equals(value)
            || value instanceof JsonArray a && !a.isEmpty() && a.stream().allMatch(MASK::equals);
          if (masked && oldHeaders.getValue(name) != null) {
            headers.put(name, oldHeaders.getValue(name));
          }
        }
      }
    });
    return copy;
  }

  private interface ActionVisitor {
    void visit(JsonObject props, JsonObject oldProps);
  }

  /** Visits the websocket properties of each action, with the stored action at the same index (or null). */
  private static void forEachAction(JsonObject definition, JsonObject stored, ActionVisitor visitor) {
    if (!(definition.getValue("actions") instanceof JsonArray actions)) {
      return;
    }
    JsonArray oldActions = stored != null && stored.getValue("actions") instanceof JsonArray a ? a : new JsonArray();
    for (int i = 0; i < actions.size(); i++) {
      if (actions.getValue(i) instanceof JsonObject action && action.getValue("websocket") instanceof JsonObject props) {
        JsonObject old = i < oldActions.size() && oldActions.getValue(i) instanceof JsonObject oa
          && oa.getValue("websocket") instanceof JsonObject op ? op : null;
        visitor.visit(props, old);
      }
    }
  }

  private static JsonObject headers(JsonObject props) {
    for (Map.Entry<String, Object> e : props) {
      if (e.getKey().equalsIgnoreCase("requestHeader") && e.getValue() instanceof JsonObject headers) {
        return headers;
      }
    }
    return null;
  }
}
