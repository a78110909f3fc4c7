package io.wsink.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import io.wsink.pipeline.Frame;

import java.util.ArrayDeque;

/**
 * One client socket of an endpoint, with its own bounded queue (§4.2): a slow client never delays the others and never
 * holds more than its holders' {@code clientQueueBytes} in wsink's queue. Runs on the server verticle's event loop only.
 *
 * <p>Without a WebSocket extension a frame that fits in one frame goes straight to the socket's channel, encoded once
 * for every client ({@link Frame#serverFrame}); the channel's writability then says when the socket is full (see
 * {@link DirectWrites}). Otherwise frames go through Vert.x as before.
 */
final class ClientConnection {

  /** Close code for a client dropped by {@code overflow: disconnect}: policy violation. */
  static final short TOO_SLOW = 1008;
  /** How long a client has to answer our Close (as the data server's own WebSocket closing timeout). */
  static final long CLOSING_TIMEOUT_MS = 2_000;

  private record Queued(Frame frame, Endpoint.HolderState holder) {
  }

  private final Vertx vertx;
  private final ServerWebSocket ws;
  private final int socketBudget;
  private final int maxFrameSize;
  private final ArrayDeque<Queued> pending = new ArrayDeque<>();
  /** Told once this client, blocking under {@code overflow: block}, is back under its limit or gone. */
  private final Runnable unblocked;
  private long pendingBytes;
  /** Under {@code overflow: block}, the queue limit this client went over, or -1 while it blocks nobody. */
  private long blockedAbove = -1;
  private long lastSeen;
  private boolean closing;
  /** The connection's event loop: drains run there, as tasks. */
  private final Context context;
  /** Vert.x's handler context of the socket when frames go to its channel directly, else null. */
  private final ChannelHandlerContext direct;
  /** For direct writes: a failed write means a closed channel, which Vert.x reports; nothing to allocate per write. */
  private final ChannelPromise noPromise;
  /** Messages still being written through Vert.x on a direct socket: frames after them wait, to stay behind them. */
  private int throughVertx;
  private boolean drainScheduled;

  ClientConnection(Vertx vertx, ServerWebSocket ws, int socketBudget, int maxFrameSize, long now, Runnable unblocked) {
    this.vertx = vertx;
    this.ws = ws;
    this.socketBudget = socketBudget;
    this.maxFrameSize = maxFrameSize;
    this.lastSeen = now;
    this.unblocked = unblocked;
    this.context = vertx.getOrCreateContext();
    // Netty's own buffer takes up to socketBudget (its high water mark) before the socket counts as full; the rest
    // waits in our bounded queue
    ws.setWriteQueueMaxSize(socketBudget);
    ws.drainHandler(v -> drain());
    ChannelHandlerContext chctx = ws instanceof WebSocketInternal internal ? internal.channelHandlerContext() : null;
    if (chctx != null && DirectWrites.applies(chctx)) {
      direct = chctx;
      noPromise = new VoidChannelPromise(chctx.channel(), false);
      DirectWrites.install(chctx, this::scheduleDrain);
    } else {
      direct = null;
      noPromise = null;
    }
  }

  ServerWebSocket socket() {
    return ws;
  }

  /** Whether frames that fit in one frame go to the socket's channel directly (no extension negotiated). */
  boolean writesDirectly() {
    return direct != null;
  }

  void seen(long now) {
    lastSeen = now;
  }

  long lastSeen() {
    return lastSeen;
  }

  long pendingBytes() {
    return pendingBytes;
  }

  boolean idle() {
    return pending.isEmpty() && (ws.isClosed() || writable());
  }

  /**
   * Whether the socket takes a frame now (call it only while open: Vert.x's check throws on a closed socket). Direct
   * writes bypass Vert.x's queue, whose {@code writeQueueFull()} would never tell: the channel's writability does.
   */
  private boolean writable() {
    if (direct == null) {
      return !ws.writeQueueFull();
    }
    return throughVertx == 0 && direct.channel().isWritable();
  }

  /** The drain runs as a task: when the channel says writable, Vert.x's handler has yet to hear it and drain its own. */
  private void scheduleDrain() {
    if (!drainScheduled) {
      drainScheduled = true;
      context.runOnContext(v -> {
        drainScheduled = false;
        drain();
      });
    }
  }

  /** Whether this client is over its queue limit under {@code overflow: block}: acknowledgements wait for it. */
  boolean blocking() {
    return blockedAbove >= 0;
  }

  /**
   * Queues or writes one frame.
   *
   * @return true when the frame was written or queued for this client, false when its overflow policy dropped it
   */
  boolean offer(Frame frame, Endpoint.HolderState holder) {
    if (closing || ws.isClosed()) {
      return false;
    }
    if (pending.isEmpty() && writable()) {
      write(frame);
      return true;
    }
    int size = frame.size();
    // the socket's own buffer holds up to socketBudget too: together they stay within clientQueueBytes
    long limit = Math.max(0, holder.holder().queueBytes() - socketBudget);
    if (pendingBytes + size > limit) {
      switch (holder.holder().overflow()) {
        case BLOCK -> {
          // queued anyway: the producer's acknowledgements now wait (see Endpoint). Frames sent without one cannot be
          // held back, so past twice the limit the oldest go, as under drop-oldest
          if (!dropOldestUntilRoom(size, limit + holder.holder().queueBytes(), holder)) {
            return false;
          }
          if (blockedAbove < 0) {
            blockedAbove = limit;
          }
        }
        case DROP_NEWEST -> {
          holder.dropped++;
          return false;
        }
        case DISCONNECT -> {
          holder.disconnected++;
          holder.dropped++;
          close(TOO_SLOW, "client too slow: more than " + limit + " bytes queued");
          return false;
        }
        case DROP_OLDEST -> {
          if (!dropOldestUntilRoom(size, limit, holder)) {
            return false;
          }
        }
      }
    }
    pending.add(new Queued(frame, holder));
    pendingBytes += size;
    return true;
  }

  /**
   * Drops the oldest queued frames (each counted against its holder) until {@code size} more bytes fit in {@code limit}.
   *
   * @return false when the frame alone is larger than the limit: it is dropped (and counted) instead
   */
  private boolean dropOldestUntilRoom(int size, long limit, Endpoint.HolderState holder) {
    while (!pending.isEmpty() && pendingBytes + size > limit) {
      Queued oldest = pending.poll();
      pendingBytes -= oldest.frame().size();
      oldest.holder().dropped++;
    }
    if (pendingBytes + size > limit) {
      holder.dropped++;
      return false;
    }
    return true;
  }

  private void drain() {
    while (!pending.isEmpty() && !ws.isClosed() && writable()) {
      Queued next = pending.poll();
      pendingBytes -= next.frame().size();
      write(next.frame());
    }
    if (blockedAbove >= 0 && pendingBytes <= blockedAbove) {
      unblock();
    }
  }

  private void unblock() {
    if (blockedAbove >= 0) {
      blockedAbove = -1;
      unblocked.run();
    }
  }

  /** What is still queued is dropped and counted; a client that is gone blocks nobody. */
  private void dropPending() {
    for (Queued q : pending) {
      q.holder().dropped++;
    }
    pending.clear();
    pendingBytes = 0;
    unblock();
  }

  private void write(Frame frame) {
    if (direct == null) {
      frame.writeTo(ws, maxFrameSize);
    } else if (frame.size() <= maxFrameSize) {
      direct.writeAndFlush(frame.serverFrame(direct.alloc(), direct.executor()), noPromise);
    } else {
      // split into frames by Vert.x, through its queue: what follows waits until it is written, never overtakes it
      throughVertx++;
      frame.writeTo(ws, maxFrameSize).onComplete(ar -> {
        throughVertx--;
        scheduleDrain();
      });
    }
  }

  /** Whether this connection is being closed or is closed. */
  boolean closing() {
    return closing;
  }

  /** The peer went away: what was still queued for it is dropped and counted. */
  void closed() {
    closing = true;
    dropPending();
  }

  /** Closes the socket; what is still queued is dropped (and counted against the holders that sent it). */
  Future<Void> close(short code, String reason) {
    if (closing) {
      return Future.succeededFuture();
    }
    closing = true;
    dropPending();
    return ConnectionAbort.close(vertx, ws, code, reason, CLOSING_TIMEOUT_MS);
  }
}
