package io.wsink.server;

import io.vertx.core.http.WebSocketFrame;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Checks that the text messages one client sends are UTF-8, frame by frame (RFC 6455 §8.1: otherwise the connection
 * fails with 1007). Vert.x 5 decodes a text message with replacement characters and does not tell; this sees the raw
 * frames first. A character split across two frames is carried to the next one. Once a message failed, the check stays
 * failed: the connection is being closed with 1007, and nothing more it sends is text to trust. Confined to the
 * client's event loop.
 */
final class Utf8Check {

  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
    .onMalformedInput(CodingErrorAction.REPORT)
    .onUnmappableCharacter(CodingErrorAction.REPORT);
  // the decoded text is not kept: a small window that is emptied as it fills
  private final CharBuffer discard = CharBuffer.allocate(256);
  // at most 3 bytes: the start of a character the next frame ends
  private final ByteBuffer carry = ByteBuffer.allocate(8);
  private boolean inText;
  private boolean failed;

  /** Whether the text message this frame belongs to is still valid UTF-8 (true for every non-text frame). */
  boolean accept(WebSocketFrame frame) {
    if (failed) {
      return false;
    }
    if (frame.isText()) {
      decoder.reset();
      carry.clear();
      inText = true;
    } else if (!frame.isContinuation() || !inText) {
      return true; // binary, control, or the continuation of a binary message
    }
    failed = !decode(frame.binaryData().getBytes(), frame.isFinal());
    if (frame.isFinal()) {
      inText = false;
    }
    return !failed;
  }

  /** A text message of this connection was not UTF-8: its aggregated text, and any later one, must not be used. */
  boolean failed() {
    return failed;
  }

  private boolean decode(byte[] bytes, boolean last) {
    ByteBuffer in;
    if (carry.position() > 0) {
      carry.flip();
      in = ByteBuffer.allocate(carry.remaining() + bytes.length).put(carry).put(bytes).flip();
      carry.clear();
    } else {
      in = ByteBuffer.wrap(bytes);
    }
    for (int turns = 0; turns <= bytes.length + 8; turns++) { // bounded: each overflow turn consumes input
      CoderResult result = decoder.decode(in, discard, last);
      discard.clear();
      if (result.isError()) {
        return false;
      }
      if (result.isUnderflow()) {
        break;
      }
    }
    if (!last) {
      if (in.remaining() > 3) {
        return false; // no UTF-8 character needs more than 3 bytes to be completed
      }
      carry.put(in);
      return true;
    }
    return !in.hasRemaining() && !decoder.flush(discard).isError();
  }
}
