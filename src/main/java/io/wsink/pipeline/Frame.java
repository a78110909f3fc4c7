package io.wsink.pipeline;

import io.vertx.core.buffer.Buffer;

/**
 * One WebSocket message ready to go out: a {@link String} for a text frame or a {@link Buffer} for a binary one.
 * Encoded once, then handed unchanged to every socket it goes to.
 */
public record Frame(Object payload) {

  public static Frame text(String text) {
    return new Frame(text);
  }

  public static Frame binary(Buffer data) {
    return new Frame(data);
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

  /** Bytes this frame occupies in a queue (UTF-16 length for text: an upper bound of its UTF-8 size for ASCII). */
  public int size() {
    return payload instanceof String s ? s.length() : ((Buffer) payload).length();
  }
}
