package io.wsink.server;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 6455 §8.1: text messages must be UTF-8, checked frame by frame, characters may span frames. */
class Utf8CheckTest {

  private static WebSocketFrame text(boolean fin, int... bytes) {
    return new WebSocketFrameImpl(WebSocketFrameType.TEXT, toBytes(bytes), fin);
  }

  private static WebSocketFrame more(boolean fin, int... bytes) {
    return WebSocketFrame.continuationFrame(Buffer.buffer(toBytes(bytes)), fin);
  }

  private static byte[] toBytes(int... bytes) {
    byte[] out = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = (byte) bytes[i];
    }
    return out;
  }

  @Test
  void asciiAndWholeCharactersPass() {
    Utf8Check check = new Utf8Check();
    assertTrue(check.accept(text(true, 'o', 'k')));
    assertTrue(check.accept(text(true, 0xc3, 0xa9, 0xe6, 0x9d, 0xb1, 0xf0, 0x9f, 0x8c, 0xa1))); // é 東 🌡
    assertFalse(check.failed());
  }

  @Test
  void aCharacterSplitAcrossFramesPasses() {
    Utf8Check check = new Utf8Check();
    assertTrue(check.accept(text(false, 'a', 0xf0, 0x9f)));
    assertTrue(check.accept(more(false, 0x8c)));
    assertTrue(check.accept(more(true, 0xa1, 'b')));
    assertFalse(check.failed());
  }

  @Test
  void malformedBytesFailTheMessage() {
    Utf8Check check = new Utf8Check();
    assertFalse(check.accept(text(true, 'o', 'k', 0xc3, 0x28)));
    assertTrue(check.failed());
  }

  @Test
  void aMessageThatEndsInsideACharacterFails() {
    Utf8Check check = new Utf8Check();
    assertTrue(check.accept(text(false, 0xe2)));
    assertFalse(check.accept(more(true, 0x82)));
  }

  @Test
  void surrogatesEncodedAsUtf8Fail() {
    assertFalse(new Utf8Check().accept(text(true, 0xed, 0xa0, 0x80))); // U+D800, not a character
  }

  @Test
  void binaryMessagesAreNotChecked() {
    Utf8Check check = new Utf8Check();
    assertTrue(check.accept(WebSocketFrame.binaryFrame(Buffer.buffer(toBytes(0xc3, 0x28)), false)));
    assertTrue(check.accept(more(true, 0xff)));
    assertFalse(check.failed());
  }

  @Test
  void aClientWhoseTextFailedIsNotTrustedAgain() {
    Utf8Check check = new Utf8Check();
    assertFalse(check.accept(text(true, 0xff)));
    assertFalse(check.accept(text(true, 'f', 'i', 'n', 'e')), "its connection is being closed with 1007");
    assertTrue(check.failed());
  }

  @Test
  void messagesFollowOneAnother() {
    Utf8Check check = new Utf8Check();
    assertTrue(check.accept(text(false, 'a', 0xc3)));
    assertTrue(check.accept(more(true, 0xa9)));
    assertTrue(check.accept(text(true, 'b')));
    assertTrue(check.accept(WebSocketFrame.binaryFrame(Buffer.buffer(toBytes(0xc3)), true)), "binary in between");
    assertTrue(check.accept(text(true, 0xc3, 0xa9)));
    assertFalse(check.failed());
  }
}
