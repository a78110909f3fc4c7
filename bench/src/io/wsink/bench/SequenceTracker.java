package io.wsink.bench;

/**
 * Loss, reordering and duplication in one connection's sequence numbers, in bounded memory: a ring bitmap remembers
 * which of the last {@link #WINDOW} sequence numbers arrived, so a late arrival is told apart from a duplicate. A number
 * older than the window cannot be told apart and counts as reordered.
 *
 * <p>A gap is counted as soon as a later number arrives; a late arrival that fills it turns the gap into a reorder.
 * Not thread-safe: confined to the connection's event loop.
 */
final class SequenceTracker {

  static final int WINDOW = 1 << 16;

  private final long[] seen = new long[WINDOW / 64];
  private long expected = -1;
  private long gaps;
  private long reorders;
  private long duplicates;

  /** Starts over; {@code firstSeq} is the number the generator sends first, or -1 to take the first that arrives. */
  void reset(long firstSeq) {
    java.util.Arrays.fill(seen, 0);
    expected = firstSeq;
    gaps = 0;
    reorders = 0;
    duplicates = 0;
  }

  void accept(long seq) {
    if (expected < 0) {
      expected = seq;
    }
    if (seq >= expected) {
      long skipped = seq - expected;
      gaps += skipped;
      // the slots of the skipped numbers (and of seq) still hold bits of numbers a window ago
      long clearFrom = skipped >= WINDOW ? seq - WINDOW + 1 : expected;
      for (long s = clearFrom; s <= seq; s++) {
        clear(s);
      }
      set(seq);
      expected = seq + 1;
    } else if (expected - seq > WINDOW) {
      reorders++;
      gaps = Math.max(0, gaps - 1);
    } else if (isSet(seq)) {
      duplicates++;
    } else {
      set(seq);
      reorders++;
      gaps--;
    }
  }

  long gaps() {
    return gaps;
  }

  long reorders() {
    return reorders;
  }

  long duplicates() {
    return duplicates;
  }

  private int slot(long seq) {
    return (int) (seq & (WINDOW - 1));
  }

  private void set(long seq) {
    int s = slot(seq);
    seen[s >>> 6] |= 1L << (s & 63);
  }

  private void clear(long seq) {
    int s = slot(seq);
    seen[s >>> 6] &= ~(1L << (s & 63));
  }

  private boolean isSet(long seq) {
    int s = slot(seq);
    return (seen[s >>> 6] & (1L << (s & 63))) != 0;
  }
}
