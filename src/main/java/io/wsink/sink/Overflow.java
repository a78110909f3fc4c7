package io.wsink.sink;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The {@code overflow} property: what the data server does when one client's queue is full (§4). */
public enum Overflow {
  DROP_OLDEST("drop-oldest"),
  DROP_NEWEST("drop-newest"),
  /** close the slow client with 1008 (policy violation). */
  DISCONNECT("disconnect"),
  /**
   * lose nothing: the frame is queued anyway, and the acknowledgements of this holder's frames wait until the client is
   * back under its queue limit, so a producer that uses {@code request} slows down to the slowest client.
   */
  BLOCK("block");

  private final String value;

  Overflow(String value) {
    this.value = value;
  }

  public String value() {
    return value;
  }

  public static Overflow parse(String text) {
    for (Overflow o : values()) {
      if (o.value.equalsIgnoreCase(text)) {
        return o;
      }
    }
    throw new PropertyException("property overflow must be one of "
      + Arrays.stream(values()).map(Overflow::value).collect(Collectors.joining(", ")) + ", got \"" + text + "\"");
  }
}
