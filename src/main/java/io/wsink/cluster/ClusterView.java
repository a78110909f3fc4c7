package io.wsink.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.core.spi.cluster.ClusterManager;

import java.util.List;

/**
 * This node's view of the cluster's members, for the data path: sinks read it per frame (from any event loop), so it is
 * a snapshot refreshed once a second by the node rather than a question to Hazelcast each time.
 *
 * <p>One per clustered node, found with {@link #of(Vertx)}; a Vert.x that is not clustered, or that runs no wsink node
 * (a standalone sink, §9), has none.
 */
public final class ClusterView implements Shareable {

  private static final String MAP = "wsink.cluster";
  private static final String KEY = "view";
  static final long REFRESH_MS = 1_000;

  private final ClusterManager manager;
  private final String nodeId;
  private volatile List<String> nodes;

  private ClusterView(ClusterManager manager) {
    this.manager = manager;
    this.nodeId = manager.getNodeId();
    this.nodes = List.copyOf(manager.getNodes());
  }

  /** The view of the wsink node deployed in {@code vertx}, or null when there is none or it is not clustered. */
  public static ClusterView of(Vertx vertx) {
    if (!vertx.isClustered()) {
      return null;
    }
    LocalMap<String, ClusterView> map = vertx.sharedData().getLocalMap(MAP);
    return map.get(KEY);
  }

  /** Creates the node's view and refreshes it every second; {@link #uninstall} undoes it. */
  static ClusterView install(Vertx vertx) {
    ClusterView view = new ClusterView(((VertxInternal) vertx).clusterManager());
    vertx.sharedData().<String, ClusterView>getLocalMap(MAP).put(KEY, view);
    return view;
  }

  static void uninstall(Vertx vertx, ClusterView view) {
    vertx.sharedData().<String, ClusterView>getLocalMap(MAP).remove(KEY, view);
  }

  public String nodeId() {
    return nodeId;
  }

  /** The members when last refreshed, this node included; the same list object until membership changes. */
  public List<String> nodes() {
    return nodes;
  }

  public boolean isMember(String node) {
    return nodes.contains(node);
  }

  /** @return true when membership changed */
  boolean refresh() {
    List<String> now = manager.getNodes();
    if (now.size() == nodes.size() && nodes.containsAll(now)) {
      return false;
    }
    nodes = List.copyOf(now);
    return true;
  }

  /** Whether this node is still part of a running cluster (§6.5 readiness). */
  boolean active() {
    return manager.isActive();
  }
}
