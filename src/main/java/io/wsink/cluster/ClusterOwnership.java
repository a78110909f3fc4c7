package io.wsink.cluster;

import io.vertx.core.Future;
import io.vertx.core.shareddata.AsyncMap;
import io.wsink.rule.RuleOwnership;

import java.util.HashMap;
import java.util.Map;

/**
 * One owner per rule (§7), kept in a cluster-wide map of rule id to node id. A node claims a rule with an atomic
 * put-if-absent, or an atomic replace of an owner that is no longer a member; Hazelcast's membership (its failure
 * detection) decides who is a member. Nothing else is needed: whoever wins the map entry runs the rule.
 */
final class ClusterOwnership implements RuleOwnership {

  private final AsyncMap<String, String> owners;
  private final ClusterView view;
  private final ReplicatedTable rules;

  ClusterOwnership(AsyncMap<String, String> owners, ClusterView view, ReplicatedTable rules) {
    this.owners = owners;
    this.view = view;
    this.rules = rules;
  }

  @Override
  public Future<Boolean> claim(String ruleId) {
    String me = view.nodeId();
    return owners.get(ruleId).compose(owner -> {
      if (owner == null) {
        return owners.putIfAbsent(ruleId, me).map(previous -> previous == null || previous.equals(me));
      }
      if (owner.equals(me)) {
        return Future.succeededFuture(true);
      }
      view.refresh(); // a node that joined a moment ago is alive even if the last periodic look missed it
      if (view.isMember(owner)) {
        return Future.succeededFuture(false);
      }
      return owners.replaceIfPresent(ruleId, owner, me);
    });
  }

  @Override
  public Future<Void> release(String ruleId) {
    return owners.removeIfPresent(ruleId, view.nodeId()).mapEmpty();
  }

  @Override
  public Future<Map<String, String>> runningElsewhere() {
    return owners.entries().map(all -> {
      Map<String, String> elsewhere = new HashMap<>();
      all.forEach((rule, node) -> {
        if (!node.equals(view.nodeId()) && view.isMember(node)) {
          elsewhere.put(rule, node);
        }
      });
      return elsewhere;
    });
  }

  @Override
  public void changed(String ruleId, boolean restart) {
    rules.announce(ruleId, restart);
  }

  @Override
  public String nodeId() {
    return view.nodeId();
  }
}
