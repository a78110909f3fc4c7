package io.wsink.server;

import io.netty.channel.Channel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.internal.http.WebSocketInternal;

/**
 * Bounded WebSocket close, for peers that stopped reading.
 *
 * <p>Vert.x writes a Close frame behind the data already queued and closes the connection only after a flush, so a peer
 * that stopped reading would keep the socket, its buffers and whoever awaits the close forever. After the closing
 * timeout this closes the channel below Vert.x's graceful close (an internal API: Vert.x 5.0 has no public abort).
 */
public final class ConnectionAbort {

  private ConnectionAbort() {
  }

  /**
   * Sends Close with {@code code}; completes when the peer answered or, at the latest, after {@code timeoutMs}, when
   * the connection is aborted.
   */
  public static Future<Void> close(Vertx vertx, WebSocketBase ws, short code, String reason, long timeoutMs) {
    if (ws.isClosed()) {
      return Future.succeededFuture();
    }
    long timer = vertx.setTimer(timeoutMs, id -> {
      if (!ws.isClosed()) {
        abort(ws);
      }
    });
    return ws.close(code, reason).recover(err -> Future.succeededFuture()).andThen(ar -> vertx.cancelTimer(timer));
  }

  /** Closes the socket's channel at once, whatever is still queued on it. */
  public static void abort(WebSocketBase ws) {
    if (ws instanceof WebSocketInternal impl) {
      Channel channel = impl.channelHandlerContext().channel();
      channel.eventLoop().execute(() -> channel.unsafe().close(channel.voidPromise()));
    } else {
      ws.close();
    }
  }
}
