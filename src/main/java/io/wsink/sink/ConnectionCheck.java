package io.wsink.sink;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.wsink.server.EndpointInfo;
import io.wsink.server.EndpointRegistry;

/**
 * {@code checkConnection} (§4.3) and the connectivity check of the REST API (§6.3): can this action reach somebody now?
 * Changes nothing: it registers no endpoint and keeps no connection.
 */
public final class ConnectionCheck {

  public static final String SERVER_NOT_INITIALIZED = "http server is not initialized";

  private ConnectionCheck() {
  }

  public static String noEndpoint(String path) {
    return "websocket has no endpoint " + path;
  }

  public static String noConnection(String path) {
    return "websocket endpoint " + path + " has no connection";
  }

  /**
   * Client mode: dial, ping, close. Server mode: the endpoint is registered and has a connected client.
   *
   * @return a future failed with the user-facing reason when the check fails
   */
  public static Future<Void> check(Vertx vertx, EndpointRegistry endpoints, WebSocketActionProps props) {
    if (props.clientMode()) {
      return ClientTarget.probe(vertx, props);
    }
    return endpoints.list().compose(snapshot -> {
      if (!snapshot.running()) {
        return Future.failedFuture(SERVER_NOT_INITIALIZED);
      }
      EndpointInfo endpoint = snapshot.endpoints().stream().filter(e -> e.endpoint().equals(props.path())).findFirst()
        .orElse(null);
      if (endpoint == null) {
        return Future.failedFuture(noEndpoint(props.path()));
      }
      if (endpoint.clients() == 0) {
        return Future.failedFuture(noConnection(props.path()));
      }
      return Future.succeededFuture();
    });
  }
}
