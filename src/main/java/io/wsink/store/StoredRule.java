package io.wsink.store;

import io.vertx.core.json.JsonObject;

import java.util.Objects;

/**
 * A rule as persisted: its id, the rule JSON exactly as the user gave it, and the state the user last asked
 * for ({@code running} true = started, false = stopped), so a restart brings it back the same way.
 */
public record StoredRule(String id, JsonObject definition, boolean running) {

  public StoredRule {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(definition, "definition");
  }
}
