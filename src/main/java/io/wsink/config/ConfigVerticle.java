package io.wsink.config;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.wsink.api.RestVerticle;
import io.wsink.cluster.ClusterNode;
import io.wsink.cluster.Membership;
import io.wsink.ops.NodeMetrics;
import io.wsink.rule.StoreRuleRegistry;
import io.wsink.server.EventBusEndpointRegistry;
import io.wsink.server.ServerVerticle;
import io.wsink.store.SqliteStore;
import io.wsink.store.Store;

/**
 * The root of a wsink node: loads and validates the configuration once, opens the store, then deploys the data server,
 * joins the cluster when Vert.x is clustered (§7), and deploys the REST API (which restores the rules). Undeploying it
 * stops everything it started; the store closes last.
 */
public final class ConfigVerticle extends VerticleBase {

  /** Local map entry that marks the one node of a Vert.x instance (both would serve the same control address). */
  private static final String NODE_KEY = "wsink.node";

  /** Settings loaded before Vert.x existed (by Main, which needs them to build it); null: load them here. */
  private final WsinkSettings preloaded;
  private Store store;
  private NodeMetrics metrics;
  private ClusterNode cluster;
  private boolean registered;

  /** Loads the configuration ({@code confDir}, files, environment, system properties and its own config). */
  public ConfigVerticle() {
    this(null);
  }

  /**
   * Uses {@code settings}, already loaded from this verticle's config (Main loads them before it builds its Vert.x), so
   * the configuration is not read twice; {@code confDir} still locates {@code sinks/websocket.yaml}.
   */
  public ConfigVerticle(WsinkSettings settings) {
    this.preloaded = settings;
  }

  @Override
  public Future<?> start() {
    String existing = vertx.sharedData().<String, String>getLocalMap(NODE_KEY).putIfAbsent(NODE_KEY, deploymentID());
    if (existing != null) {
      return Future.failedFuture(new IllegalStateException("a wsink node is already deployed in this Vert.x instance"
        + " (deployment " + existing + "); deploy one node per Vert.x instance"));
    }
    registered = true;
    return startNode().onFailure(err -> {
      vertx.sharedData().<String, String>getLocalMap(NODE_KEY).remove(NODE_KEY, deploymentID());
      registered = false;
    });
  }

  private Future<?> startNode() {
    Future<WsinkSettings> loaded = preloaded != null ? Future.succeededFuture(preloaded)
      : ConfigLoader.load(vertx, config());
    return loaded.compose(settings -> {
      if (settings.cluster().enabled() && !vertx.isClustered()) {
        return Future.failedFuture(new ConfigException("configuration", "cluster.enabled",
          "is true, but this Vert.x instance is not clustered: build it with Vertx.builder().withClusterManager("
            + "new HazelcastClusterManager()).buildClustered() (java -jar wsink.jar --cluster does), or set it to false"));
      }
      String confDir = config().getString(ConfigLoader.CONF_DIR_KEY, ConfigLoader.DEFAULT_CONF_DIR);
      return SinkResources.load(vertx, confDir).compose(resources -> SqliteStore.open(vertx, settings.store().dir())
        .compose(opened -> {
        store = opened;
        metrics = NodeMetrics.of(vertx, settings.metrics());
        EventBusEndpointRegistry endpoints = new EventBusEndpointRegistry(vertx);
        if (vertx.isClustered()) {
          ClusterNode.prepare(vertx);
        }
        // a clustered node starts its data server first: the cluster's endpoint registrations are held on it
        return vertx.deployVerticle(new ServerVerticle(settings.source(), false))
          .compose(id -> vertx.isClustered()
            ? ClusterNode.join(vertx, opened, endpoints).map(node -> {
                cluster = node;
                return node.membership();
              })
            : StoreRuleRegistry.load(opened).map(rules -> Membership.single(rules, opened)))
          .compose(membership -> vertx.deployVerticle(
            new RestVerticle(settings.rest(), settings.sink(), resources, membership, endpoints, opened, metrics)))
          .recover(err -> closeCluster().transform(x -> opened.close()).transform(x -> Future.failedFuture(err)));
      }));
    });
  }

  /** Runs after the children are undeployed: the REST API (which stops the rules first) and the data server. */
  @Override
  public Future<?> stop() {
    if (registered) {
      vertx.sharedData().<String, String>getLocalMap(NODE_KEY).remove(NODE_KEY, deploymentID());
    }
    if (metrics != null) {
      metrics.close();
    }
    return closeCluster().transform(ar -> store == null ? Future.succeededFuture() : store.close());
  }

  private Future<Void> closeCluster() {
    ClusterNode node = cluster;
    cluster = null;
    return (node == null ? Future.<Void>succeededFuture() : node.stop()).onComplete(ar -> ClusterNode.leave(vertx));
  }
}
