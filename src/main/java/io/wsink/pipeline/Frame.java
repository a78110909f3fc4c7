package io.wsink.pipeline;

import io.vertx.core.buffer.Buffer;

/**
 * One WebSocket message ready to go out: a {@link String} for a text frame or a {@link Buffer} for a binary one.
 * Encoded once, then handed unchanged to every socket it goes to.
 */
public final class Frame {

  private final Object payload;
  private final int size;

  /** @param payload a String (text frame) or a Buffer (binary frame) */
  public Frame(Object payload) {
    this.payload = payload;
    this.size = payload instanceof String s ? utf8Length(s) : ((Buffer) payload).length();
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
    return size;
  }

  /** The UTF-8 length of {@code s} without encoding it (unpaired surrogates count as the 3-byte replacement). */
  static int utf8Length(String s) {
    int n = s.length();
    int bytes = n;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        if (c < 0x800) {
          bytes += 1;
        } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          bytes += 2; // 4 bytes for the pair of 2 chars
          i++;
        } else {
          bytes += 2;
        }
      }
    }
    return bytes;
  }
}
