package io.wsink.rule;

import io.vertx.core.Future;

import java.util.Map;

/**
 * Which node runs which rule. On a single node every rule runs here ({@link #SINGLE_NODE}); in a cluster (§7) each rule
 * runs on exactly one node, which claims it, and another node claims it when that node leaves.
 */
public interface RuleOwnership {

  /** A node on its own: it runs every rule, and has nobody to tell about changes. */
  RuleOwnership SINGLE_NODE = new SingleNode();

  /** {@link #SINGLE_NODE}'s kind; a test's ownership can start from it. */
  class SingleNode implements RuleOwnership {
    @Override
    public Future<Boolean> claim(String ruleId) {
      return Future.succeededFuture(true);
    }

    @Override
    public Future<Void> release(String ruleId) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Map<String, String>> runningElsewhere() {
      return Future.succeededFuture(Map.of());
    }

    @Override
    public void changed(String ruleId, boolean restart) {
    }

    @Override
    public String nodeId() {
      return null;
    }
  }

  /** Whether this node is to run the rule: true when it owns it already, or took it over from nobody or a node gone. */
  Future<Boolean> claim(String ruleId);

  /** This node no longer runs the rule (stopped, dropped, or the node is leaving): another node may claim it. */
  Future<Void> release(String ruleId);

  /** The rules that a live node other than this one runs, with that node's id. */
  Future<Map<String, String>> runningElsewhere();

  /** Tells the other nodes that the rule was changed here ({@code restart}: restarted), so its owner acts on it. */
  void changed(String ruleId, boolean restart);

  /** This node's id in the cluster, or null on a single node. */
  String nodeId();
}
