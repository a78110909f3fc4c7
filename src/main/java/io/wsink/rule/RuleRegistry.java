package io.wsink.rule;

import io.vertx.core.Future;
import io.wsink.store.StoredRule;

import java.util.List;

/**
 * The rule definitions of the node and the state each was last asked to be in. The rule manager reads and writes rules
 * only through this interface, so that a cluster-wide registry can replace the local one.
 */
public interface RuleRegistry {

  Future<List<StoredRule>> list();

  /** The rule, or null. */
  Future<StoredRule> get(String id);

  /**
   * Adds the rule unless one with its id exists — atomically, even when several nodes of a cluster create the same id
   * at once; durable when the future succeeds.
   *
   * @return false when a rule with that id exists
   */
  Future<Boolean> create(StoredRule rule);

  /** Creates or replaces; durable when the future succeeds. */
  Future<Void> put(StoredRule rule);

  /** @return false when there was no such rule */
  Future<Boolean> remove(String id);
}
