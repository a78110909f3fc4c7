package io.wsink.server;

import io.netty.channel.Channel;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Hard close of a connection whose peer stopped reading.
 *
 * <p>Vert.x closes a connection only after its pending writes are flushed, so a WebSocket Close queued behind data a
 * stalled peer never reads would keep the socket, its buffers and its client slot forever. This closes the channel
 * below Vert.x's graceful close (an internal API: there is no public way to abort in Vert.x 5.0).
 */
final class ConnectionAbort {

  private ConnectionAbort() {
  }

  static void abort(HttpConnection connection) {
    if (connection instanceof ConnectionBase base) {
      Channel channel = base.channel();
      channel.eventLoop().execute(() -> channel.unsafe().close(channel.voidPromise()));
    } else {
      connection.close();
    }
  }
}
