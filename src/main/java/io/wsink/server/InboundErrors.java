package io.wsink.server;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;

/**
 * The RFC 6455 close code for an error a client's socket reports.
 *
 * <p>Vert.x 5.0 does not answer these with a Close frame of its own: a frame above {@code maxWebSocketFrameSize}
 * reaches the exception handler as Netty's {@link CorruptedWebSocketFrameException} and the connection is then dropped
 * without any Close (the client sees 1006); a message above {@code maxWebSocketMessageSize} reaches it as an
 * {@link IllegalStateException} while the connection stays open and the message is silently discarded. The data
 * server closes with the code given here instead (DataServerAccessTest pins both behaviours).
 */
final class InboundErrors {

  /** RFC 6455 §7.4.1: a frame or message too big to process. */
  static final short MESSAGE_TOO_BIG = 1009;
  /** RFC 6455 §7.4.1: a text message that is not UTF-8. */
  static final short INVALID_PAYLOAD = 1007;

  /** How Vert.x's frame aggregator words the message-size violation; it has no type of its own. */
  private static final String AGGREGATOR_OVERFLOW = "max message size";

  private InboundErrors() {
  }

  /** The close code for {@code err}; {@code fallback} for errors that are not about what the client sent. */
  static short closeCode(Throwable err, short fallback) {
    if (err instanceof CorruptedWebSocketFrameException corrupted) {
      return (short) corrupted.closeStatus().code(); // 1009 too big, 1002 protocol error, 1007 bad UTF-8
    }
    if (err instanceof IllegalStateException && String.valueOf(err.getMessage()).contains(AGGREGATOR_OVERFLOW)) {
      return MESSAGE_TOO_BIG;
    }
    return fallback;
  }
}
