package io.wsink.sink;

/**
 * Failure codes of the acknowledgement a producer gets when it uses {@code request} (§3). The failure's message says
 * what happened to the payload.
 */
public final class AckFailure {

  private AckFailure() {
  }

  /** The body is none of JsonObject, JsonArray of objects, String, Buffer, byte[]. */
  public static final int UNSUPPORTED_BODY = 1;
  /** The payload was dropped: the sink buffer was full ({@code bufferLength}) or the action has given up redialling. */
  public static final int DROPPED = 2;
  /** The action stopped before the payload could be written. */
  public static final int STOPPED = 3;
  /** The payload could not be handed to the data server. */
  public static final int NOT_DELIVERED = 4;
  /** The pipeline could not encode the payload (a dataTemplate execution error, a format that does not fit). */
  public static final int NOT_ENCODED = 5;
  /** The payload went to the disk cache ({@code enableCache}): it will be resent when the connection is back. */
  public static final int CACHED = 6;
}
