package io.wsink.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The one message shape every generator sends and every receiver checks:
 * {@code {"seq":123,"t":456789,"pad":"xxxx…"}}, padded so that its compact JSON encoding is exactly the requested size.
 * {@code t} is {@link System#nanoTime()} at generation; CLOCK_MONOTONIC is shared by all processes on Linux, so a
 * receiver in another process subtracts it from its own nanoTime to get the end-to-end latency.
 */
final class BenchMessage {

  /** {"seq":,"t":,"pad":""} without the digits: 24 characters. */
  private static final int FIXED_CHARS = "{\"seq\":,\"t\":,\"pad\":\"\"}".length();
  /** Room for two 19-digit longs plus the fixed part: smaller sizes cannot be honoured. */
  static final int MIN_SIZE = FIXED_CHARS + 2 * 19;
  static final int MAX_SIZE = 65_536;
  private static final String PAD = "x".repeat(MAX_SIZE);

  private BenchMessage() {
  }

  /** The row a wsink producer publishes; its {@code encode()} is exactly {@code size} bytes. */
  static JsonObject row(long seq, long nanoTime, int size) {
    int pad = size - FIXED_CHARS - digits(seq) - digits(nanoTime);
    return new JsonObject().put("seq", seq).put("t", nanoTime).put("pad", PAD.substring(0, Math.max(0, pad)));
  }

  static void checkSize(int size) {
    if (size < MIN_SIZE || size > MAX_SIZE) {
      throw new IllegalArgumentException("message size must be " + MIN_SIZE + ".." + MAX_SIZE + " bytes, got " + size);
    }
    String probe = row(Long.MAX_VALUE, System.nanoTime(), size).encode();
    if (probe.length() != size) { // Jackson's compact output is what the padding assumes
      throw new IllegalStateException("a " + size + "-byte message encodes to " + probe.length() + " bytes");
    }
  }

  private static int digits(long v) {
    return Long.toString(v).length();
  }

  /**
   * Reads seq and t from a received message without a JSON parser, so that the receiver stays cheap. Tolerates the
   * array form {@code [{...}]} (a sink with sendSingle false).
   *
   * @param out out[0] = seq, out[1] = t
   * @return false when the message does not start with the expected fields
   */
  static boolean parse(Buffer data, long[] out) {
    int i = data.length() > 0 && data.getByte(0) == '[' ? 1 : 0;
    i = expect(data, i, "{\"seq\":");
    if (i < 0) {
      return false;
    }
    long seq = 0;
    int start = i;
    for (byte b; i < data.length() && (b = data.getByte(i)) >= '0' && b <= '9'; i++) {
      seq = seq * 10 + (b - '0');
    }
    if (i == start) {
      return false;
    }
    i = expect(data, i, ",\"t\":");
    if (i < 0) {
      return false;
    }
    long t = 0;
    start = i;
    for (byte b; i < data.length() && (b = data.getByte(i)) >= '0' && b <= '9'; i++) {
      t = t * 10 + (b - '0');
    }
    if (i == start) {
      return false;
    }
    out[0] = seq;
    out[1] = t;
    return true;
  }

  private static int expect(Buffer data, int at, String text) {
    if (data.length() < at + text.length()) {
      return -1;
    }
    for (int k = 0; k < text.length(); k++) {
      if (data.getByte(at + k) != text.charAt(k)) {
        return -1;
      }
    }
    return at + text.length();
  }
}
