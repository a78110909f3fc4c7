package io.wsink.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;

import java.util.Map;

/**
 * Writing encoded frames straight to a data-server socket's channel ({@link io.wsink.pipeline.Frame#serverFrame}),
 * below Vert.x: when it is safe, and the drain signal it needs.
 *
 * <p>Such writes bypass Vert.x's outbound queue, so Vert.x's {@code writeQueueFull()} and drain handler no longer see
 * them; the channel's own writability (its water mark is the socket's write queue size) and its change events do.
 */
final class DirectWrites extends ChannelInboundHandlerAdapter {

  private static final String NAME = "wsinkDirectWrites";
  /** Vert.x's name for its own handler, the last of the pipeline. */
  private static final String VERTX_HANDLER = "handler";

  private final Runnable onWritable;

  private DirectWrites(Runnable onWritable) {
    this.onWritable = onWritable;
  }

  /**
   * Whether frames may be written to the channel of {@code ctx} (Vert.x's handler) directly: on the calling thread,
   * its event loop, and with no WebSocket extension negotiated, or still being negotiated (permessage-deflate and
   * deflate-frame transform each connection's frames in their encoder, which a raw buffer passes untouched).
   */
  static boolean applies(ChannelHandlerContext ctx) {
    if (!ctx.executor().inEventLoop()) {
      return false;
    }
    for (Map.Entry<String, ChannelHandler> entry : ctx.pipeline()) {
      ChannelHandler handler = entry.getValue();
      if (handler instanceof WebSocketExtensionEncoder || handler instanceof WebSocketServerExtensionHandler) {
        return false;
      }
    }
    return true;
  }

  /**
   * Installs the drain signal before Vert.x's handler: {@code onWritable} runs whenever the channel becomes writable
   * again. Call it on the channel's event loop; {@code onWritable} should only schedule the work, since Vert.x's handler
   * has not seen the change yet when it runs.
   */
  static void install(ChannelHandlerContext ctx, Runnable onWritable) {
    ctx.pipeline().addBefore(VERTX_HANDLER, NAME, new DirectWrites(onWritable));
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      onWritable.run();
    }
    ctx.fireChannelWritabilityChanged();
  }
}
