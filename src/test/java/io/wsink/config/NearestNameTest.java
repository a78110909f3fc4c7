package io.wsink.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class NearestNameTest {

  private static final List<String> REST = List.of("ip", "port", "tokens");
  private static final List<String> SOURCE = List.of("httpServerIp", "httpServerPort", "httpServerTls");

  @Test
  void suggestsTheClosestName() {
    assertEquals("port", NearestName.suggest("prot", REST));
    assertEquals("tokens", NearestName.suggest("token", REST));
    assertEquals("httpServerTls", NearestName.suggest("httpServerTsl", SOURCE));
  }

  @Test
  void ignoresCaseAndReturnsTheValidSpelling() {
    assertEquals("httpServerPort", NearestName.suggest("HTTPSERVERPRT", SOURCE));
    assertEquals("httpServerPort", NearestName.suggest("HTTPSERVERPORT", SOURCE));
    assertEquals(0, NearestName.distance("Port", "pORT"));
  }

  @Test
  void allowsAtMostThreeEdits() {
    assertEquals("abcdef", NearestName.suggest("abcxyz", List.of("abcdef")));
    assertNull(NearestName.suggest("abwxyz", List.of("abcdef")));
    assertNull(NearestName.suggest("completelyDifferent", REST));
  }

  @Test
  void doesNotTurnAShortWordIntoAnUnrelatedOne() {
    // "xyz" -> "ip" is 3 edits, but that replaces the whole word: no suggestion.
    assertEquals(3, NearestName.distance("xyz", "ip"));
    assertNull(NearestName.suggest("xyz", REST));
  }

  @Test
  void tiesGoToTheFirstValidName() {
    assertEquals("cat", NearestName.suggest("bat", List.of("cat", "hat")));
    assertEquals("hat", NearestName.suggest("bat", List.of("hat", "cat")));
  }

  @Test
  void toleratesNothingToCompare() {
    assertNull(NearestName.suggest("port", List.of()));
    assertNull(NearestName.suggest(null, REST));
  }

  @Test
  void computesLevenshteinDistance() {
    assertEquals(3, NearestName.distance("kitten", "sitting"));
    assertEquals(3, NearestName.distance("", "abc"));
    assertEquals(2, NearestName.distance("prot", "port"));
    assertEquals(1, NearestName.distance("reest", "rest"));
  }
}
