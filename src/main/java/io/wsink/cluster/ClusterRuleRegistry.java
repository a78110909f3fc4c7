package io.wsink.cluster;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.wsink.rule.RuleRegistry;
import io.wsink.store.StoredRule;

import java.util.Comparator;
import java.util.List;

/** The rules of a cluster (§7): a {@link ReplicatedTable} of stored rules, by id. */
final class ClusterRuleRegistry implements RuleRegistry {

  private final ReplicatedTable table;

  ClusterRuleRegistry(ReplicatedTable table) {
    this.table = table;
  }

  static JsonObject toJson(StoredRule rule) {
    return new JsonObject().put("definition", rule.definition()).put("running", rule.running());
  }

  static StoredRule fromJson(String id, JsonObject json) {
    return new StoredRule(id, json.getJsonObject("definition"), json.getBoolean("running"));
  }

  @Override
  public Future<List<StoredRule>> list() {
    return table.entries().map(all -> all.entrySet().stream().map(e -> fromJson(e.getKey(), e.getValue()))
      .sorted(Comparator.comparing(StoredRule::id)).toList());
  }

  @Override
  public Future<StoredRule> get(String id) {
    return table.get(id).map(json -> json == null ? null : fromJson(id, json));
  }

  @Override
  public Future<Boolean> create(StoredRule rule) {
    return table.create(rule.id(), toJson(rule));
  }

  @Override
  public Future<Void> put(StoredRule rule) {
    return table.put(rule.id(), toJson(rule));
  }

  @Override
  public Future<Boolean> remove(String id) {
    return table.remove(id);
  }
}
