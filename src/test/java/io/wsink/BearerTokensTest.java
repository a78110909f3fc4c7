package io.wsink;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BearerTokensTest {

  private final BearerTokens tokens = BearerTokens.of(List.of("alpha-token", "beta"));

  @Test
  void acceptsEveryConfiguredTokenExactly() {
    assertTrue(tokens.accepts("alpha-token"));
    assertTrue(tokens.accepts("beta"));
  }

  @Test
  void refusesAnythingElse() {
    assertFalse(tokens.accepts(null));
    assertFalse(tokens.accepts(""));
    assertFalse(tokens.accepts("alpha"), "a prefix");
    assertFalse(tokens.accepts("alpha-token2"), "an extension");
    assertFalse(tokens.accepts("BETA"), "tokens are case-sensitive");
  }

  @Test
  void anEmptySetAcceptsNothingAndSaysItIsEmpty() {
    BearerTokens none = BearerTokens.of(List.of());
    assertTrue(none.isEmpty());
    assertFalse(none.accepts("x"));
    assertFalse(tokens.isEmpty());
  }

  @Test
  void readsTheTokenOfABearerHeaderInAnyCase() {
    assertEquals("abc", BearerTokens.fromAuthorization("Bearer abc"));
    assertEquals("abc", BearerTokens.fromAuthorization("bearer  abc "));
    assertNull(BearerTokens.fromAuthorization("Basic YWxhZGRpbjpvcGVuc2VzYW1l"));
    assertNull(BearerTokens.fromAuthorization("Bearer "));
    assertNull(BearerTokens.fromAuthorization("abc"));
    assertNull(BearerTokens.fromAuthorization(null));
  }

  @Test
  void toStringNeverShowsAToken() {
    assertEquals("BearerTokens[2 (masked)]", tokens.toString());
  }
}
