package io.wsink.pipeline.codec;

/**
 * A value one byte stage cannot encode (a row under {@code format: binary} without bytes, a scalar under
 * {@code format: delimited}, …). Like eKuiper's converter errors it concerns one message only: the action counts it
 * as an exception and keeps running.
 */
public final class CodecException extends Exception {

  public CodecException(String message) {
    super(message, null, false, false);
  }

  public CodecException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
