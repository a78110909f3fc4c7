package io.wsink.sink;

/** A websocket action property that cannot be accepted; the message says which one and what would be. */
public final class PropertyException extends RuntimeException {
  public PropertyException(String message) {
    super(message, null, false, false);
  }
}
