package io.wsink.cluster;

import io.wsink.rule.RuleOwnership;
import io.wsink.rule.RuleRegistry;
import io.wsink.server.EndpointRegistrations;
import io.wsink.store.Store;

/**
 * Where a node's rules and endpoint registrations live and who runs its rules: its own store and itself, or, in a
 * cluster (§7), the cluster's tables and owners.
 *
 * @param cluster the node's cluster membership, or null for a node on its own
 */
public record Membership(RuleRegistry rules, RuleOwnership ownership, EndpointRegistrations registrations,
                         ClusterNode cluster) {

  public static Membership single(RuleRegistry rules, Store store) {
    return new Membership(rules, RuleOwnership.SINGLE_NODE, EndpointRegistrations.of(store), null);
  }
}
