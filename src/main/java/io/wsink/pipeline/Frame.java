package io.wsink.pipeline;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;

import java.nio.charset.StandardCharsets;

/**
 * One WebSocket message ready to go out: a {@link String} for a text frame or a {@link Buffer} for a binary one.
 * Encoded once, then handed unchanged to every socket it goes to: a text frame's UTF-8 bytes are made on first use and
 * shared by every write ({@link #writeTo}), so a fan-out to N clients encodes the text once, not N times. A frame is
 * used on one event loop (the sink's, or the data server's), so the lazily made bytes need no synchronisation.
 */
public final class Frame {

  private final Object payload;
  private byte[] utf8;

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
}
