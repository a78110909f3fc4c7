package io.wsink.rule;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsink.Addresses;
import io.wsink.config.NearestName;
import io.wsink.sink.PropertyException;
import io.wsink.sink.WebSocketActionProps;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A validated rule (§3): the event-bus address it consumes and its websocket actions.
 *
 * @param actions    the properties of each websocket action, in order (node names websocket_0, websocket_1, …)
 * @param parsed     the same, parsed
 * @param triggered  false: created stopped (eKuiper's {@code triggered})
 * @param definition the JSON as the user gave it (what GET /rules/{id} returns)
 */
public record Rule(String id, String from, List<JsonObject> actions, List<WebSocketActionProps> parsed, boolean triggered,
                   JsonObject definition) {

  public static final Pattern ID = Pattern.compile("^[A-Za-z0-9_-]{1,128}$");
  /** Longest {@code from} address accepted: it names an event-bus address, not a document. */
  static final int MAX_ADDRESS = 256;
  private static final List<String> KEYS = List.of("id", "name", "from", "actions", "options", "triggered", "tags");

  /** A rule without resources (see {@link #parse(JsonObject, Map)}). */
  public static Rule parse(JsonObject json) {
    return parse(json, Map.of());
  }

  /**
   * @param resources the node's named property sets ({@code conf/sinks/websocket.yaml}) for actions with
   *                  {@code resourceId}
   * @throws RuleException naming the first problem
   */
  public static Rule parse(JsonObject json, Map<String, JsonObject> resources) {
    for (String key : json.fieldNames()) {
      if (!KEYS.contains(key)) {
        if (key.equals("sql")) {
          throw new RuleException("wsink has no SQL engine: remove \"sql\" and publish rows to the rule's \"from\""
            + " event-bus address (default rule.<id>)");
        }
        if (key.equals("graph")) {
          throw new RuleException("graph rules are not supported: give \"from\" and \"actions\" instead");
        }
        String near = NearestName.suggest(key, KEYS);
        throw new RuleException("unknown rule property \"" + key + "\"" + (near != null ? " (did you mean \"" + near + "\"?)"
          : "; a rule has " + String.join(", ", KEYS)));
      }
    }
    Object idValue = json.getValue("id");
    if (!(idValue instanceof String id) || id.isEmpty()) {
      throw new RuleException("property \"id\" is required: a string of 1 to 128 letters, digits, _ or -");
    }
    if (!ID.matcher(id).matches()) {
      throw new RuleException("rule id \"" + abbreviate(id) + "\" is invalid: use 1 to 128 letters, digits, _ or -");
    }
    Object fromValue = json.getValue("from");
    String from;
    if (fromValue == null) {
      from = Addresses.defaultFrom(id);
    } else if (fromValue instanceof String s && !s.isBlank()) {
      if (Addresses.isInternal(s)) {
        throw new RuleException("property \"from\" cannot be \"" + abbreviate(s) + "\": addresses starting with "
          + Addresses.INTERNAL_PREFIX + " are wsink's own");
      }
      if (s.length() > MAX_ADDRESS || s.chars().anyMatch(Character::isISOControl)) {
        throw new RuleException("property \"from\" must be at most " + MAX_ADDRESS
          + " characters without control characters; got \"" + abbreviate(s) + "\"");
      }
      from = s;
    } else {
      throw new RuleException("property \"from\" must be a non-empty string: the event-bus address the rule consumes");
    }
    Object triggered = json.getValue("triggered") == null ? Boolean.TRUE : json.getValue("triggered");
    if (!(triggered instanceof Boolean)) {
      throw new RuleException("property \"triggered\" must be a boolean");
    }
    if (json.getValue("options") != null && !(json.getValue("options") instanceof JsonObject)) {
      throw new RuleException("property \"options\" must be an object");
    }
    if (json.getValue("name") != null && !(json.getValue("name") instanceof String)) {
      throw new RuleException("property \"name\" must be a string");
    }
    if (json.getValue("tags") != null && !(json.getValue("tags") instanceof JsonArray tags
      && tags.stream().allMatch(String.class::isInstance))) {
      throw new RuleException("property \"tags\" must be an array of strings");
    }
    Object actionsValue = json.getValue("actions");
    if (!(actionsValue instanceof JsonArray actionArray) || actionArray.isEmpty()) {
      throw new RuleException("property \"actions\" must be a non-empty array of actions, e.g."
        + " [{\"websocket\": {\"path\": \"/data\"}}]");
    }
    List<JsonObject> actions = new ArrayList<>();
    List<WebSocketActionProps> parsed = new ArrayList<>();
    for (int i = 0; i < actionArray.size(); i++) {
      Object item = actionArray.getValue(i);
      if (!(item instanceof JsonObject action) || action.size() != 1) {
        throw new RuleException("actions[" + i + "] must be an object with exactly one key, the action type, e.g."
          + " {\"websocket\": {\"path\": \"/data\"}}");
      }
      String type = action.fieldNames().iterator().next();
      if (!type.equals("websocket")) {
        throw new RuleException("action type \"" + type + "\" (actions[" + i + "]) is not provided by wsink: "
          + "wsink only sends over WebSocket, use \"websocket\"");
      }
      Object props = action.getValue(type);
      if (!(props instanceof JsonObject properties)) {
        throw new RuleException("the websocket action (actions[" + i + "]) must be an object of properties");
      }
      JsonObject effective = withResource(properties, resources);
      try {
        parsed.add(WebSocketActionProps.parse(effective));
      } catch (PropertyException e) {
        throw new RuleException(actionArray.size() > 1 ? nodeName(i) + ": " + e.getMessage() : e.getMessage());
      }
      actions.add(effective);
    }
    return new Rule(id, from, List.copyOf(actions), List.copyOf(parsed), (Boolean) triggered, json.copy());
  }

  /**
   * {@code resourceId}: the named entry of {@code conf/sinks/websocket.yaml}, overridden by the action's own properties
   * (names compared case-insensitively); without one, the properties as they are.
   */
  static JsonObject withResource(JsonObject properties, Map<String, JsonObject> resources) {
    String key = properties.fieldNames().stream().filter("resourceId"::equalsIgnoreCase).findFirst().orElse(null);
    if (key == null || "".equals(properties.getValue(key))) {
      return properties;
    }
    if (!(properties.getValue(key) instanceof String id)) {
      throw new RuleException("property \"" + key + "\" must be a string: the name of an entry of conf/sinks/websocket.yaml");
    }
    JsonObject resource = resources.get(id);
    if (resource == null) {
      throw new RuleException("resourceId \"" + abbreviate(id) + "\" is not defined in conf/sinks/websocket.yaml"
        + (resources.isEmpty() ? " (it defines none)" : "; defined: " + String.join(", ", resources.keySet())));
    }
    JsonObject merged = resource.copy();
    for (Map.Entry<String, Object> e : properties) {
      if (e.getKey().equals(key)) {
        continue;
      }
      merged.fieldNames().removeIf(name -> name.equalsIgnoreCase(e.getKey()));
      merged.put(e.getKey(), e.getValue());
    }
    return merged;
  }

  /** eKuiper's name of the i-th websocket action, also the infix of its status keys. */
  public static String nodeName(int index) {
    return "websocket_" + index;
  }

  static String abbreviate(String text) {
    String printable = text.replaceAll("\\p{Cntrl}", "?");
    return printable.length() > 60 ? printable.substring(0, 60) + "…" : printable;
  }
}
