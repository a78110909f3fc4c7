package io.wsink.rule;

import io.vertx.core.Future;
import io.wsink.store.Store;
import io.wsink.store.StoredRule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The rules of a single node: an in-memory view of the embedded store, written through before each change succeeds. */
public final class StoreRuleRegistry implements RuleRegistry {

  private final Store store;
  private final Map<String, StoredRule> rules = new TreeMap<>();

  private StoreRuleRegistry(Store store) {
    this.store = store;
  }

  public static Future<RuleRegistry> load(Store store) {
    StoreRuleRegistry registry = new StoreRuleRegistry(store);
    return store.loadRules().map(all -> {
      all.forEach(r -> registry.rules.put(r.id(), r));
      return registry;
    });
  }

  @Override
  public Future<List<StoredRule>> list() {
    return Future.succeededFuture(new ArrayList<>(rules.values()));
  }

  @Override
  public Future<StoredRule> get(String id) {
    return Future.succeededFuture(rules.get(id));
  }

  @Override
  public Future<Boolean> create(StoredRule rule) {
    if (rules.containsKey(rule.id())) {
      return Future.succeededFuture(false); // the rule manager runs one operation per id at a time
    }
    return put(rule).map(true);
  }

  @Override
  public Future<Void> put(StoredRule rule) {
    return store.saveRule(rule).onSuccess(v -> rules.put(rule.id(), rule));
  }

  @Override
  public Future<Boolean> remove(String id) {
    if (!rules.containsKey(id)) {
      return Future.succeededFuture(false);
    }
    return store.deleteRule(id).map(v -> rules.remove(id) != null);
  }
}
