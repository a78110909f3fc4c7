package io.wsink.sink;

/** The {@code frameType} property: which WebSocket frame carries a payload. */
public enum FrameType {
  /** text for JSON output and String payloads, binary for Buffer/byte[] payloads. */
  AUTO,
  TEXT,
  BINARY
}
