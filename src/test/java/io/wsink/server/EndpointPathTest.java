package io.wsink.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** §4.2 / §8: which endpoint paths are accepted, and what the refusal says. */
class EndpointPathTest {

  @ParameterizedTest
  @ValueSource(strings = {"/", "/a", "/api/v1/data", "/a-b_c.d~e", "/a/", "/x:y@z", "/$!&'()*+,;=", "/..a", "/a.."})
  void ordinaryPathsAreAccepted(String path) {
    assertNull(EndpointPath.problem(path), path);
  }

  @Test
  void theLongestAcceptedPathIsMaxLength() {
    String longest = "/" + "a".repeat(EndpointPath.MAX_LENGTH - 1);
    assertNull(EndpointPath.problem(longest));
    assertEquals("websocket endpoint is 1025 characters long; at most 1024 are accepted",
      EndpointPath.problem(longest + "a"));
  }

  @Test
  void withoutALeadingSlashItIsEkuipersMessage() {
    assertEquals("websocket endpoint should start with /", EndpointPath.problem("data"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/a?b=1", "/a#frag"})
  void aQueryOrFragmentIsRefused(String path) {
    assertEquals("a websocket endpoint is a path without query or fragment: \"" + path + "\"", EndpointPath.problem(path));
  }

  @Test
  void aCharacterOutsideThePathSetIsNamedWithItsPosition() {
    assertEquals("websocket endpoint \"/a b\" has the character U+0020 at position 2; use letters, digits, / and"
      + " - . _ ~ ! $ & ' ( ) * + , ; = : @ (percent-encoding is not accepted)", EndpointPath.problem("/a b"));
    String control = EndpointPath.problem("/a\u0000b");
    assertTrue(control.startsWith("websocket endpoint \"/a?b\" has the character U+0000 at position 2"), control);
    assertTrue(EndpointPath.problem("/a%2Fb").contains("'%' (U+0025) at position 2"), EndpointPath.problem("/a%2Fb"));
    assertTrue(EndpointPath.problem("/é").contains("'é' (U+00E9)"), EndpointPath.problem("/é"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/..", "/../x", "/a/./b", "/a/..", "/."})
  void dotSegmentsAreRefused(String path) {
    String problem = EndpointPath.problem(path);
    assertNotNull(problem, path);
    assertTrue(problem.contains("segment"), problem);
  }

  @Test
  void emptySegmentsAreRefused() {
    assertEquals("websocket endpoint \"/a//b\" has an empty segment (//)", EndpointPath.problem("/a//b"));
  }
}
