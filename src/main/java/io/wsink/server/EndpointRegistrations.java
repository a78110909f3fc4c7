package io.wsink.server;

import io.vertx.core.Future;
import io.wsink.store.Store;

import java.util.List;

/**
 * The REST registrations of endpoints (§6.2), which outlive restarts: in the node's store, or, in a cluster (§7),
 * cluster-wide, where every node holds each registration on its own data server and keeps it in its own store.
 */
public interface EndpointRegistrations {

  Future<List<String>> load();

  Future<Void> save(String path);

  Future<Void> delete(String path);

  /** The registrations of a single node: its store. */
  static EndpointRegistrations of(Store store) {
    return new EndpointRegistrations() {
      @Override
      public Future<List<String>> load() {
        return store.loadEndpoints();
      }

      @Override
      public Future<Void> save(String path) {
        return store.saveEndpoint(path);
      }

      @Override
      public Future<Void> delete(String path) {
        return store.deleteEndpoint(path);
      }
    };
  }
}
