package io.wsink.config;

import java.util.Collection;
import java.util.Locale;

/**
 * "Did you mean …?" for configuration keys and rule properties: finds the valid name closest to a mistyped one.
 * Comparison ignores case, because every name lookup in wsink does (eKuiper matches property names that way).
 */
public final class NearestName {

  /** Typos further away than this are more likely a different word than a slip of the finger. */
  public static final int MAX_DISTANCE = 3;

  private NearestName() {
  }

  /**
   * The valid name nearest to {@code given} (case-insensitive Levenshtein distance), or null when none is close
   * enough. Close enough means at most {@link #MAX_DISTANCE} edits and fewer edits than {@code given} has
   * characters, so that a short unrelated word ({@code "xyz"}) is not "corrected" into another ({@code "ip"}).
   * Ties go to the name that comes first in {@code valid}. An exact match (ignoring case) returns that name.
   */
  public static String suggest(String given, Collection<String> valid) {
    return suggest(given, valid, MAX_DISTANCE);
  }

  /** As {@link #suggest(String, Collection)} with a caller-chosen largest distance. */
  public static String suggest(String given, Collection<String> valid, int maxDistance) {
    if (given == null || valid == null) {
      return null;
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : valid) {
      if (candidate == null) {
        continue;
      }
      int d = distance(given, candidate);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    boolean closeEnough = bestDistance <= maxDistance && (bestDistance == 0 || bestDistance < given.length());
    return closeEnough ? best : null;
  }

  /** Levenshtein distance (insertions, deletions, substitutions) between two strings, ignoring case. */
  public static int distance(String a, String b) {
    String s = a.toLowerCase(Locale.ROOT);
    String t = b.toLowerCase(Locale.ROOT);
    // Two rolling rows of the classic dynamic-programming table are enough.
    int[] previous = new int[t.length() + 1];
    int[] current = new int[t.length() + 1];
    for (int j = 0; j <= t.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= s.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= t.length(); j++) {
        int substitution = previous[j - 1] + (s.charAt(i - 1) == t.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[t.length()];
  }
}
