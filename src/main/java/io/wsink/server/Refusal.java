package io.wsink.server;

/**
 * Why the data server answered a request with an HTTP error instead of a WebSocket (§4.2, §8). Each reason has its own
 * counter in the data server's {@code list} reply (see {@link AccessCounters}).
 */
enum Refusal {
  /** A browser page from an origin not in {@code allowedOrigins}. */
  ORIGIN(403, "origin"),
  /** {@code tokens} is set and the request presents none of them. */
  TOKEN(401, "token"),
  /** No endpoint has that path (or the data server is stopping). */
  NO_ENDPOINT(404, "noEndpoint"),
  /** A plain HTTP request to an endpoint, which only takes WebSocket upgrades. */
  NOT_WEBSOCKET(400, "notWebSocket"),
  /** {@code maxConnections} WebSocket connections are open already. */
  MAX_CONNECTIONS(503, "maxConnections");

  private final int status;
  private final String key;

  Refusal(int status, String key) {
    this.status = status;
    this.key = key;
  }

  /** The HTTP status of the answer. */
  int status() {
    return status;
  }

  /** The name of its counter. */
  String key() {
    return key;
  }
}
