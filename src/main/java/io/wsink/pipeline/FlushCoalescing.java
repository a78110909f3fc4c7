package io.wsink.pipeline;

import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.internal.http.WebSocketInternal;

/**
 * One socket write (syscall) per event-loop turn instead of one per message. Vert.x flushes every message written
 * outside a read; a sink that writes many messages in one turn of its event loop would pay a syscall for each. Netty's
 * {@link FlushConsolidationHandler} holds those flushes and flushes once, in a task queued behind the work already
 * waiting on the loop, so no message waits for a later message or a timer: it only shares its syscall with the
 * messages written in the same turn. Every 256 held flushes it flushes at once, bounding what one flush carries.
 */
public final class FlushCoalescing {

  private static final String NAME = "wsinkFlushCoalescing";
  /** Flushes held before one goes through at once. */
  private static final int MAX_HELD_FLUSHES = 256;

  private FlushCoalescing() {
  }

  /** Installs it on a socket; call it on the socket's event loop, before writing to it. */
  public static void install(WebSocketBase socket) {
    var pipeline = ((WebSocketInternal) socket).channelHandlerContext().pipeline();
    if (pipeline.get(NAME) == null) {
      // first in the pipeline: it sees the flushes of every handler, the WebSocket encoders included
      pipeline.addFirst(NAME, new FlushConsolidationHandler(MAX_HELD_FLUSHES, true));
    }
  }
}
