package io.wsink.config;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.wsink.api.RestVerticle;
import io.wsink.rule.StoreRuleRegistry;
import io.wsink.server.EventBusEndpointRegistry;
import io.wsink.server.ServerVerticle;
import io.wsink.store.SqliteStore;
import io.wsink.store.Store;

/**
 * The root of a wsink node: loads and validates the configuration once, opens the store, then deploys the data server
 * and the REST API (which restores the rules). Undeploying it stops everything it started; the store closes last.
 */
public final class ConfigVerticle extends VerticleBase {

  private Store store;

  @Override
  public Future<?> start() {
    return ConfigLoader.load(vertx, config()).compose(settings -> {
      if (settings.cluster().enabled() && !vertx.isClustered()) {
        return Future.failedFuture(new ConfigException("configuration", "cluster.enabled",
          "clustering is not available in this version of wsink; set it to false"));
      }
      return SqliteStore.open(vertx, settings.store().dir()).compose(opened -> {
        store = opened;
        return StoreRuleRegistry.load(opened)
          .compose(rules -> vertx.deployVerticle(new ServerVerticle(settings.source(), false))
            .compose(id -> vertx.deployVerticle(
              new RestVerticle(settings.rest(), rules, new EventBusEndpointRegistry(vertx), opened))))
          .recover(err -> opened.close().transform(x -> Future.failedFuture(err)));
      });
    });
  }

  /** Runs after the children (data server, REST API and the rules' sinks) are undeployed. */
  @Override
  public Future<?> stop() {
    return store == null ? Future.succeededFuture() : store.close();
  }
}
