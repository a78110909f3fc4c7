package io.wsink.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;

/**
 * RFC 6455 §5.2: a frame with RSV1, RSV2 or RSV3 set that no negotiated extension defines fails the connection (1002).
 *
 * <p>Vert.x 5.0.7 builds every server connection's frame decoder with Netty's {@code allowExtensions} on as soon as
 * the server supports WebSocket compression at all (per-message and per-frame deflate are both on by default), so the
 * decoder lets reserved bits through whether or not this connection negotiated an extension, and Vert.x ignores them.
 * This handler sits right before Vert.x's own, after the decoders of the extensions this connection did negotiate
 * (permessage-deflate takes RSV1 off the frames it inflates): any reserved bit still set here belongs to no extension.
 * It reports the violation as Netty's decoder does, a {@link CorruptedWebSocketFrameException} with 1002 that reaches
 * the socket's exception handler, and drops the client's frames from then on, except its Close.
 */
final class ReservedBitsCheck extends ChannelInboundHandlerAdapter {

  private static final String NAME = "wsinkReservedBitsCheck";
  /** Vert.x's name for its own handler, the last of the pipeline. */
  private static final String VERTX_HANDLER = "handler";

  private boolean failed;

  private ReservedBitsCheck() {
  }

  /**
   * Installs the check on an accepted server socket. Call it in the accept callback, on the connection's event loop,
   * before the socket can have read a frame.
   */
  static void install(ServerWebSocket ws) {
    ChannelPipeline pipeline = ((WebSocketInternal) ws).channelHandlerContext().pipeline();
    pipeline.addBefore(VERTX_HANDLER, NAME, new ReservedBitsCheck());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof WebSocketFrame frame)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (!failed && frame.rsv() != 0) {
      failed = true;
      int rsv = frame.rsv();
      ReferenceCountUtil.release(frame);
      ctx.fireExceptionCaught(new CorruptedWebSocketFrameException(WebSocketCloseStatus.PROTOCOL_ERROR,
        "reserved bits " + Integer.toBinaryString(rsv) + " set without a negotiated extension that defines them"));
      return;
    }
    if (failed && !(frame instanceof CloseWebSocketFrame && frame.rsv() == 0)) {
      ReferenceCountUtil.release(frame); // the connection is being failed: only its closing handshake goes on
      return;
    }
    ctx.fireChannelRead(frame);
  }
}
