package io.wsink.rule;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsink.sink.WebSocketActionProps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Rule#parse} against SPEC §3. */
class RuleTest {

  private static final String ACTIONS = "[{\"websocket\":{\"path\":\"/api/data\"}}]";

  // ---------------------------------------------------------------------------------------- valid rules

  @Test
  void specExampleIsValid() {
    JsonObject json = new JsonObject("{\"id\":\"rule1\",\"from\":\"sensors.temperature\","
      + "\"actions\":[{\"websocket\":{\"path\":\"/api/data\"}}],"
      + "\"options\":{\"restartStrategy\":{\"attempts\":0,\"delay\":1000}}}");
    Rule rule = Rule.parse(json);
    assertEquals("rule1", rule.id());
    assertEquals("sensors.temperature", rule.from());
    assertEquals(List.of(new JsonObject().put("path", "/api/data")), rule.actions());
    assertEquals(1, rule.parsed().size());
    assertEquals("/api/data", rule.parsed().get(0).path());
    assertFalse(rule.parsed().get(0).clientMode());
    assertTrue(rule.triggered(), "a rule starts by default");
    assertEquals(json, rule.definition());
  }

  @Test
  void definitionIsACopyOfWhatTheUserGave() {
    JsonObject json = rule("r1", ACTIONS);
    Rule rule = Rule.parse(json);
    json.put("from", "changed.later");
    assertEquals(Rule.parse(rule("r1", ACTIONS)).definition(), rule.definition());
    assertFalse(rule.definition().containsKey("from"));
  }

  @Test
  void fromDefaultsToRuleDotId() {
    assertEquals("rule.r-1_x", Rule.parse(rule("r-1_x", ACTIONS)).from());
    assertEquals("rule.r2", Rule.parse(rule("r2", ACTIONS).put("from", null)).from(), "null reads as not given");
  }

  @Test
  void eKuiperNameAndTagsAreAccepted() {
    Rule rule = Rule.parse(rule("r1", ACTIONS).put("name", "my rule").put("tags", new JsonArray().add("t")));
    assertEquals("r1", rule.id());
  }

  @Test
  void idOf128CharactersAndEveryAllowedCharacterIsValid() {
    String id = "a".repeat(128);
    assertEquals(id, Rule.parse(rule(id, ACTIONS)).id());
    String all = "ABCXYZabcxyz0189_-";
    assertEquals(all, Rule.parse(rule(all, ACTIONS)).id());
    assertEquals("7", Rule.parse(rule("7", ACTIONS)).id());
  }

  // ---------------------------------------------------------------------------------------- id

  @Test
  void missingOrEmptyIdIsRefused() {
    String m = refused(new JsonObject().put("actions", new JsonArray(ACTIONS)));
    assertTrue(m.contains("\"id\" is required"), m);
    m = refused(rule("", ACTIONS));
    assertTrue(m.contains("\"id\" is required"), m);
    m = refused(new JsonObject().put("id", 5).put("actions", new JsonArray(ACTIONS)));
    assertTrue(m.contains("\"id\" is required"), m);
  }

  @ParameterizedTest
  @ValueSource(strings = {"has space", "..", "a/../b", "a%2Fb", "a.b", "a/b", "tab\there", "nl\n", "nul\u0000x",
    "règle", "规则", "emoji\uD83D\uDE00", "a:b", "a?b"})
  void idOutsideThePatternIsRefused(String id) {
    String m = refused(rule(id, ACTIONS));
    assertTrue(m.contains("rule id"), m);
    assertTrue(m.contains("letters, digits, _ or -"), "says what is allowed: " + m);
    assertFalse(m.chars().anyMatch(Character::isISOControl), "control characters are not echoed: " + m);
  }

  @Test
  void idOf129CharactersIsRefused() {
    String m = refused(rule("a".repeat(129), ACTIONS));
    assertTrue(m.contains("1 to 128"), m);
    assertTrue(m.length() < 300, "a long id is abbreviated in the message: " + m.length() + " chars");
  }

  // ---------------------------------------------------------------------------------------- sql, graph

  @Test
  void sqlIsRefusedSayingWhatToDoInstead() {
    String m = refused(rule("r1", ACTIONS).put("sql", "SELECT * FROM demo"));
    assertTrue(m.contains("no SQL engine"), m);
    assertTrue(m.contains("\"from\""), "points to from: " + m);
    assertTrue(m.contains("rule.<id>"), m);
  }

  @Test
  void graphIsRefusedSayingWhatToDoInstead() {
    String m = refused(new JsonObject().put("id", "r1").put("graph", new JsonObject()));
    assertTrue(m.contains("graph rules are not supported"), m);
    assertTrue(m.contains("\"from\"") && m.contains("\"actions\""), m);
  }

  // ---------------------------------------------------------------------------------------- action types

  @ParameterizedTest
  @ValueSource(strings = {"mqtt", "rest", "log", "foo", "Websocket", "websockets"})
  void actionTypesOtherThanWebsocketAreRefusedNamingWebsocket(String type) {
    String m = refused(rule("r1", "[{\"" + type + "\":{\"path\":\"/a\"}}]"));
    assertTrue(m.contains("action type \"" + type + "\""), m);
    assertTrue(m.contains("actions[0]"), m);
    assertTrue(m.contains("use \"websocket\""), m);
  }

  @Test
  void knownEKuiperSinkTypeGetsTheWebSocketOnlyExplanation() {
    String m = refused(rule("r1", "[{\"websocket\":{\"path\":\"/a\"}},{\"mqtt\":{\"server\":\"tcp://x:1883\"}}]"));
    assertTrue(m.contains("action type \"mqtt\" (actions[1])"), m);
    assertTrue(m.contains("only sends over WebSocket"), m);
  }

  // ---------------------------------------------------------------------------------------- actions shape

  @Test
  void missingActionsIsRefused() {
    String m = refused(new JsonObject().put("id", "r1"));
    assertTrue(m.contains("\"actions\" must be a non-empty array"), m);
  }

  @Test
  void emptyActionsIsRefused() {
    String m = refused(rule("r1", "[]"));
    assertTrue(m.contains("\"actions\" must be a non-empty array"), m);
  }

  @Test
  void actionsNotAnArrayIsRefused() {
    String m = refused(new JsonObject().put("id", "r1").put("actions", new JsonObject().put("websocket",
      new JsonObject().put("path", "/a"))));
    assertTrue(m.contains("\"actions\" must be a non-empty array"), m);
    m = refused(new JsonObject().put("id", "r1").put("actions", "websocket"));
    assertTrue(m.contains("\"actions\" must be a non-empty array"), m);
  }

  @Test
  void actionWithTwoKeysIsRefused() {
    String m = refused(rule("r1", "[{\"websocket\":{\"path\":\"/a\"},\"log\":{}}]"));
    assertTrue(m.contains("actions[0] must be an object with exactly one key"), m);
  }

  @Test
  void actionThatIsNotAnObjectIsRefused() {
    String m = refused(rule("r1", "[{\"websocket\":{\"path\":\"/a\"}},\"websocket\"]"));
    assertTrue(m.contains("actions[1] must be an object with exactly one key"), m);
    m = refused(rule("r1", "[{}]"));
    assertTrue(m.contains("actions[0] must be an object with exactly one key"), m);
  }

  @Test
  void websocketPropsThatAreNotAnObjectAreRefused() {
    for (String props : List.of("\"/a\"", "[]", "null", "1")) {
      String m = refused(rule("r1", "[{\"websocket\":" + props + "}]"));
      assertTrue(m.contains("websocket action (actions[0]) must be an object of properties"), props + ": " + m);
    }
  }

  @Test
  void propertyErrorOfTheOnlyActionIsReportedAsIs() {
    String m = refused(rule("r1", "[{\"websocket\":{\"path\":\"api\"}}]"));
    assertEquals(WebSocketActionProps.PATH_NO_SLASH, m);
    m = refused(rule("r1", "[{\"websocket\":{}}]"));
    assertEquals(WebSocketActionProps.PATH_MISSING, m);
  }

  @Test
  void severalWebsocketActionsAreAcceptedInOrder() {
    Rule rule = Rule.parse(rule("r1", "[{\"websocket\":{\"path\":\"/a\"}},"
      + "{\"websocket\":{\"addr\":\"localhost:9000\",\"path\":\"/b\"}},{\"websocket\":{\"path\":\"/c\"}}]"));
    assertEquals(3, rule.actions().size());
    assertEquals(List.of("/a", "/b", "/c"), rule.parsed().stream().map(WebSocketActionProps::path).toList());
    assertTrue(rule.parsed().get(1).clientMode());
    assertFalse(rule.parsed().get(2).clientMode());
    assertEquals("websocket_0", Rule.nodeName(0));
    assertEquals("websocket_2", Rule.nodeName(2));
  }

  @Test
  void propertyErrorInTheSecondActionIsPrefixedWithItsNodeName() {
    String m = refused(rule("r1", "[{\"websocket\":{\"path\":\"/a\"}},{\"websocket\":{\"path\":\"/b\",\"pth\":1}}]"));
    assertTrue(m.startsWith("websocket_1: "), m);
    assertTrue(m.contains("unknown property \"pth\""), m);
    m = refused(rule("r1", "[{\"websocket\":{\"path\":\"/a\"}},{\"websocket\":{\"path\":\"b\"}}]"));
    assertEquals("websocket_1: " + WebSocketActionProps.PATH_NO_SLASH, m);
    m = refused(rule("r1", "[{\"websocket\":{\"path\":\"a\"}},{\"websocket\":{\"path\":\"/b\"}}]"));
    assertEquals("websocket_0: " + WebSocketActionProps.PATH_NO_SLASH, m);
  }

  // ---------------------------------------------------------------------------------------- top-level keys

  @Test
  void unknownTopLevelKeyIsRefusedWithASuggestion() {
    String m = refused(new JsonObject().put("id", "r1").put("acions", new JsonArray(ACTIONS)));
    assertTrue(m.contains("unknown rule property \"acions\""), m);
    assertTrue(m.contains("did you mean \"actions\""), m);
  }

  @Test
  void farOffTopLevelKeyListsTheValidKeys() {
    String m = refused(rule("r1", ACTIONS).put("zzzzzzzz", 1));
    assertTrue(m.contains("unknown rule property \"zzzzzzzz\""), m);
    assertFalse(m.contains("did you mean"), m);
    assertTrue(m.contains("id") && m.contains("from") && m.contains("actions") && m.contains("options"), m);
  }

  // ---------------------------------------------------------------------------------------- triggered and types

  @Test
  void triggeredFalseCreatesTheRuleStopped() {
    assertFalse(Rule.parse(rule("r1", ACTIONS).put("triggered", false)).triggered());
    assertTrue(Rule.parse(rule("r1", ACTIONS).put("triggered", true)).triggered());
  }

  @Test
  void triggeredMustBeABoolean() {
    String m = refused(rule("r1", ACTIONS).put("triggered", "false"));
    assertTrue(m.contains("\"triggered\" must be a boolean"), m);
    m = refused(rule("r1", ACTIONS).put("triggered", 0));
    assertTrue(m.contains("\"triggered\" must be a boolean"), m);
  }

  /** Elsewhere (from, every action property) JSON null reads as "not given"; triggered should not differ. */
  @Test
  void triggeredNullReadsAsNotGiven() {
    assertTrue(Rule.parse(rule("r1", ACTIONS).put("triggered", null)).triggered());
  }

  @Test
  void fromMustBeANonEmptyString() {
    for (Object from : List.of(5, "", "   ", new JsonObject(), new JsonArray().add("a"), true)) {
      String m = refused(rule("r1", ACTIONS).put("from", from));
      assertTrue(m.contains("\"from\" must be a non-empty string"), from + ": " + m);
    }
  }

  @Test
  void fromCannotBeOneOfWsinksOwnAddresses() {
    for (String from : List.of("wsink.server.control", "wsink.sink.r1.0.0", "wsink.endpoint:/x")) {
      String m = refused(rule("r1", ACTIONS).put("from", from));
      assertEquals("property \"from\" cannot be \"" + from + "\": addresses starting with wsink. are wsink's own", m);
    }
    assertEquals("ws.in./chat", Rule.parse(rule("r1", ACTIONS).put("from", "ws.in./chat")).from(),
      "what clients of an endpoint send may feed a rule (a relay)");
  }

  @Test
  void fromIsAnAddressNotADocument() {
    String m = refused(rule("r1", ACTIONS).put("from", "x".repeat(Rule.MAX_ADDRESS + 1)));
    assertTrue(m.startsWith("property \"from\" must be at most 256 characters without control characters"), m);
    m = refused(rule("r1", ACTIONS).put("from", "a\nb"));
    assertTrue(m.contains("without control characters; got \"a?b\""), m);
    assertEquals(Rule.MAX_ADDRESS, Rule.parse(rule("r1", ACTIONS).put("from", "x".repeat(Rule.MAX_ADDRESS))).from()
      .length());
  }

  @Test
  void optionsMustBeAnObject() {
    for (Object options : List.of("x", 1, new JsonArray())) {
      String m = refused(rule("r1", ACTIONS).put("options", options));
      assertTrue(m.contains("\"options\" must be an object"), options + ": " + m);
    }
  }

  @Test
  void nameAndTagsMustHaveTheirTypes() {
    assertTrue(refused(rule("r1", ACTIONS).put("name", 1)).contains("\"name\" must be a string"));
    assertTrue(refused(rule("r1", ACTIONS).put("tags", "t")).contains("\"tags\" must be an array"));
  }

  /** The message says "an array of strings" (eKuiper's tags are []string): an array of numbers should not pass. */
  @Test
  void tagsMustBeStrings() {
    String m = refused(rule("r1", ACTIONS).put("tags", new JsonArray().add(1).add(new JsonObject())));
    assertTrue(m.contains("\"tags\" must be an array of strings"), m);
  }

  // ---------------------------------------------------------------------------------------- helpers

  private static JsonObject rule(String id, String actions) {
    return new JsonObject().put("id", id).put("actions", new JsonArray(actions));
  }

  private static String refused(JsonObject json) {
    RuleException e = assertThrows(RuleException.class, () -> Rule.parse(json), "should be refused: " + json.encode());
    assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
    return e.getMessage();
  }
}
