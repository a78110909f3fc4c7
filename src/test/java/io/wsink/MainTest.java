package io.wsink;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line of §1: {@code Main.parse} and the usage text. */
class MainTest {

  @Test
  void noArgumentsIsAnEmptyConfig() {
    assertEquals(new JsonObject(), Main.parse(new String[0]));
  }

  @ParameterizedTest
  @ValueSource(strings = {"--help", "-h"})
  void helpReturnsNull(String flag) {
    assertNull(Main.parse(new String[] {flag}));
    assertNull(Main.parse(new String[] {"--conf", "c", flag}), "help wins wherever it appears");
  }

  @Test
  void helpWinsOverALaterBadFlag() {
    assertNull(Main.parse(new String[] {"--help", "--bogus"}));
  }

  @Test
  void confSetsTheConfigurationDirectory() {
    assertEquals(new JsonObject().put("confDir", "/etc/wsink"), Main.parse(new String[] {"--conf", "/etc/wsink"}));
  }

  @Test
  void dataSetsTheStoreDirectory() {
    JsonObject config = Main.parse(new String[] {"--data", "/var/lib/wsink"});
    assertEquals(new JsonObject().put("store", new JsonObject().put("dir", "/var/lib/wsink")), config);
  }

  @Test
  void confAndDataTogether() {
    JsonObject config = Main.parse(new String[] {"--data", "d", "--conf", "c"});
    assertEquals("c", config.getString("confDir"));
    assertEquals("d", config.getJsonObject("store").getString("dir"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"--conf", "--data"})
  void flagWithoutItsValueIsRefused(String flag) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Main.parse(new String[] {flag}));
    assertEquals(flag + " needs a directory", e.getMessage());
  }

  @Test
  void flagFollowedByAnotherFlagIsMissingItsValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
      () -> Main.parse(new String[] {"--conf", "--data", "d"}));
    assertEquals("--conf needs a directory", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"--bogus", "-x", "conf"})
  void unknownFlagIsRefusedNamingIt(String flag) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Main.parse(new String[] {flag}));
    assertEquals("unknown option " + flag, e.getMessage());
  }

  @Test
  void unknownFlagAfterAGoodOneIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
      () -> Main.parse(new String[] {"--conf", "c", "--verbose"}));
    assertEquals("unknown option --verbose", e.getMessage());
  }

  @Test
  void clusterJoins() {
    JsonObject config = Main.parse(new String[] {"--cluster"});
    assertEquals(new JsonObject().put("enabled", true), config.getJsonObject("cluster"));
  }

  @Test
  void clusterHostSetsTheHostAndJoins() {
    JsonObject config = Main.parse(new String[] {"--conf", "c", "--cluster-host", "127.0.0.2"});
    assertEquals(new JsonObject().put("enabled", true).put("host", "127.0.0.2"), config.getJsonObject("cluster"));
    assertEquals("c", config.getString("confDir"));
  }

  @Test
  void clusterHostWithoutAHostIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
      () -> Main.parse(new String[] {"--cluster-host", "--cluster"}));
    assertEquals("--cluster-host needs a host", e.getMessage());
  }

  @Test
  void usageListsEveryFlagThatParseAccepts() {
    for (String flag : new String[] {"--conf DIR", "--data DIR", "--cluster", "--cluster-host HOST", "--help"}) {
      assertTrue(Main.USAGE.contains(flag), "USAGE lacks " + flag + ":\n" + Main.USAGE);
    }
    assertTrue(Main.USAGE.contains("java -jar wsink.jar"), Main.USAGE);
  }

  /** parse accepts -h as --help, so the help text should say so. */
  @Test
  void usageListsTheShortHelpFlag() {
    assertTrue(Main.USAGE.matches("(?s).*(^|\\s)-h[,\\s].*"), "USAGE does not mention -h:\n" + Main.USAGE);
  }

  @Test
  void usageNamesTheEnvironmentAndSystemPropertyOverrides() {
    assertTrue(Main.USAGE.contains("WSINK__"), Main.USAGE);
    assertTrue(Main.USAGE.contains("-D"), Main.USAGE);
  }
}
