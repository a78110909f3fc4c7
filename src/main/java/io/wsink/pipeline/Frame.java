package io.wsink.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.internal.buffer.BufferInternal;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;

/**
 * One WebSocket message ready to go out: a {@link String} for a text frame or a {@link Buffer} for a binary one.
 * Encoded once, then handed unchanged to every socket it goes to: a text frame's UTF-8 bytes are made on first use and
 * shared by every write ({@link #writeTo}), so a fan-out to N clients encodes the text once, not N times. A frame is
 * used on one event loop (the sink's, or the data server's), so the lazily made bytes need no synchronisation.
 *
 * <p>For the data server's sockets there is also the whole wire frame ({@link #serverFrame}): header and payload in one
 * direct buffer, made once per event-loop turn and shared by every socket written in that turn.
 */
public final class Frame {

  private static final int OPCODE_TEXT = 0x1;
  private static final int OPCODE_BINARY = 0x2;
  private static final int FIN = 0x80;

  private final Object payload;
  private byte[] utf8;
  /** The wire frame of the current event-loop turn, or null; this frame's own reference, released at the turn's end. */
  private ByteBuf wire;

  /** @param payload a String (text frame) or a Buffer (binary frame) */
  public Frame(Object payload) {
    if (!(payload instanceof String) && !(payload instanceof Buffer)) {
      throw new IllegalArgumentException("a frame is a String or a Buffer, not " + payload);
    }
    this.payload = payload;
  }

  public static Frame text(String text) {
    return new Frame(text);
  }

  public static Frame binary(Buffer data) {
    return new Frame(data);
  }

  public Object payload() {
    return payload;
  }

  public boolean isText() {
    return payload instanceof String;
  }

  public String text() {
    return (String) payload;
  }

  public Buffer binary() {
    return (Buffer) payload;
  }

  /** Bytes of the payload on the wire (UTF-8 for text): what counts against a client's queue. */
  public int size() {
    return payload instanceof String ? utf8().length : ((Buffer) payload).length();
  }

  /** The UTF-8 bytes of a text frame, encoded on first use and then shared. */
  private byte[] utf8() {
    if (utf8 == null) {
      utf8 = ((String) payload).getBytes(StandardCharsets.UTF_8);
    }
    return utf8;
  }

  /**
   * Writes this message to {@code socket}. A text message goes out as the frame {@code writeTextMessage} would make,
   * but from the shared bytes: Vert.x wraps them without copying, and never writes into them. A message larger than
   * {@code maxFrameSize} (the socket's own setting) is written through Vert.x's method, which splits it into frames.
   */
  public Future<Void> writeTo(WebSocketBase socket, int maxFrameSize) {
    if (payload instanceof String text) {
      byte[] bytes = utf8();
      if (bytes.length <= maxFrameSize) {
        return socket.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, bytes, true));
      }
      return socket.writeTextMessage(text);
    }
    return socket.writeBinaryMessage((Buffer) payload);
  }

  /**
   * This message as one whole server frame (RFC 6455 §5.2: FIN, opcode, unmasked length, payload), to write as it is
   * to a socket's channel, below Vert.x and its WebSocket encoder: only for a connection without an extension (which
   * would have to transform the payload) and a payload that fits in one frame.
   *
   * <p>The frame is encoded once per turn of {@code loop} and shared: every call returns a retained duplicate of the
   * same buffer, which the caller owns (Netty releases it once written or failed). This frame's own reference is
   * released by a task queued on {@code loop}, i.e. after the fan-out that made it; a later call (a client that had it
   * queued) encodes it again, once for its turn. So no buffer outlives its turn but through the writes that hold it.
   *
   * @param alloc the channel's allocator
   * @param loop  the channel's event loop, which must be the calling thread (a frame is confined to one event loop)
   */
  public ByteBuf serverFrame(ByteBufAllocator alloc, EventExecutor loop) {
    if (!loop.inEventLoop()) {
      throw new IllegalStateException("a frame is encoded on its socket's event loop, not on " + Thread.currentThread());
    }
    if (wire != null) {
      return wire.retainedDuplicate();
    }
    ByteBuf encoded = encode(alloc);
    ByteBuf duplicate = encoded.retainedDuplicate();
    wire = encoded;
    try {
      loop.execute(this::releaseWire);
    } catch (RejectedExecutionException shuttingDown) {
      releaseWire(); // no later turn: the duplicate keeps the bytes for this one write
    }
    return duplicate;
  }

  private void releaseWire() {
    ByteBuf w = wire;
    wire = null;
    if (w != null) {
      w.release();
    }
  }

  /**
   * A new direct buffer with exactly the frame: its capacity is also its maximum and it is full, so no handler on the
   * way (SslHandler coalesces writes into the first buffer it holds when that one has room) can write into it.
   */
  private ByteBuf encode(ByteBufAllocator alloc) {
    int length = size();
    int size = headerLength(length) + length;
    ByteBuf out = alloc.directBuffer(size, size);
    try {
      writeHeader(out, payload instanceof String ? OPCODE_TEXT : OPCODE_BINARY, length);
      if (payload instanceof String) {
        out.writeBytes(utf8());
      } else {
        ByteBuf data = ((BufferInternal) payload).getByteBuf();
        out.writeBytes(data, data.readerIndex(), data.readableBytes());
      }
      return out;
    } catch (RuntimeException e) {
      out.release();
      throw e;
    }
  }

  /** 2 bytes, then 2 more for a 16-bit length (126..65535), or 8 more for a 64-bit one. */
  static int headerLength(int payloadLength) {
    return payloadLength < 126 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
  }

  /** FIN and the opcode, no RSV bit, no mask: what a server sends (RFC 6455 §5.1, §5.2). */
  static void writeHeader(ByteBuf out, int opcode, int payloadLength) {
    out.writeByte(FIN | opcode);
    if (payloadLength < 126) {
      out.writeByte(payloadLength);
    } else if (payloadLength <= 0xFFFF) {
      out.writeByte(126);
      out.writeShort(payloadLength);
    } else {
      out.writeByte(127);
      out.writeLong(payloadLength);
    }
  }
}
