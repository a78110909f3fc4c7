package io.wsink.server;

import io.vertx.core.Future;

import java.util.List;

/**
 * The server-mode endpoints of a node and who holds them. Rules and the REST API use only this interface; the data
 * server behind it is reached over the event bus, so a cluster-wide implementation can take its place.
 */
public interface EndpointRegistry {

  /** Registers {@code holder} on {@code path}, creating the endpoint (and starting the data server) when needed. */
  Future<Void> hold(String path, EndpointHolder holder);

  /** Removes one holder; the last one's departure closes the endpoint's clients with 1001 and removes the endpoint. */
  Future<Void> release(String path, String holderId);

  /** Whether the data server is listening, and its endpoints. */
  Future<Snapshot> list();

  /** One endpoint, or null when it is not registered. */
  Future<EndpointInfo> get(String path);

  Future<HolderStats> stats(String path, String holderId);

  /** @param running whether the data server is listening at all */
  record Snapshot(boolean running, List<EndpointInfo> endpoints) {
  }
}
