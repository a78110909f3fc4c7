package io.wsink;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * A set of secret bearer tokens (the REST API's {@code rest.tokens}, the data server's {@code source.tokens}) and the
 * check of a presented one.
 *
 * <p>The check takes the same time whichever token matches and however much of it a guess got right: every token is
 * compared, by its SHA-256 digest (so that lengths do not show either), with {@link MessageDigest#isEqual}, which does
 * not stop at the first differing byte. Immutable; never shows a token in {@link #toString()}.
 */
public final class BearerTokens {

  private static final String BEARER = "Bearer ";

  private final List<byte[]> digests;

  private BearerTokens(List<byte[]> digests) {
    this.digests = digests;
  }

  public static BearerTokens of(List<String> tokens) {
    return new BearerTokens(tokens.stream().map(BearerTokens::digest).toList());
  }

  /** Whether no token is configured, i.e. none is needed. */
  public boolean isEmpty() {
    return digests.isEmpty();
  }

  /** Whether {@code presented} is one of the tokens; false for null. */
  public boolean accepts(String presented) {
    if (presented == null) {
      return false;
    }
    byte[] candidate = digest(presented);
    boolean match = false;
    for (byte[] token : digests) {
      match |= MessageDigest.isEqual(token, candidate); // no short cut: always every token
    }
    return match;
  }

  /** The token of an {@code Authorization: Bearer <token>} header value (scheme in any case), or null. */
  public static String fromAuthorization(String header) {
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    String token = header.substring(BEARER.length()).trim();
    return token.isEmpty() ? null : token;
  }

  @Override
  public String toString() {
    return "BearerTokens[" + digests.size() + " (masked)]";
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
