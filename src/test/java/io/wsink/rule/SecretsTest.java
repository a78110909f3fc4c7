package io.wsink.rule;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** §8: secrets in a rule are shown as ****** and a ****** sent back keeps the stored value. */
class SecretsTest {

  private static JsonObject rule(JsonObject websocket) {
    return new JsonObject().put("id", "r").put("actions", new JsonArray().add(new JsonObject().put("websocket", websocket)));
  }

  private static JsonObject props(JsonObject rule) {
    return rule.getJsonArray("actions").getJsonObject(0).getJsonObject("websocket");
  }

  @Test
  void masksPrivateKeyAndSecretHeadersOnly() {
    JsonObject stored = rule(new JsonObject().put("addr", "h:1").put("path", "/p").put("PrivateKeyRaw", "c2VjcmV0")
      .put("certificationRaw", "Y2VydA==")
      .put("requestHeader", new JsonObject().put("Authorization", "Bearer s").put("cookie", new JsonArray().add("a=1"))
        .put("X-Trace", "t1")));
    JsonObject masked = Secrets.mask(stored);
    JsonObject p = props(masked);
    assertEquals("******", p.getString("PrivateKeyRaw"));
    assertEquals("Y2VydA==", p.getString("certificationRaw"));
    assertEquals("******", p.getJsonObject("requestHeader").getString("Authorization"));
    assertEquals(new JsonArray().add("******"), p.getJsonObject("requestHeader").getJsonArray("cookie"));
    assertEquals("t1", p.getJsonObject("requestHeader").getString("X-Trace"));
    assertEquals("Bearer s", props(stored).getJsonObject("requestHeader").getString("Authorization"),
      "masking works on a copy");
  }

  @Test
  void maskSentBackKeepsTheStoredSecretAndNewValuesWin() {
    JsonObject stored = rule(new JsonObject().put("path", "/p").put("privateKeyRaw", "b2xk")
      .put("requestHeader", new JsonObject().put("Authorization", "Bearer old").put("Cookie", new JsonArray().add("c=1"))));
    JsonObject update = rule(new JsonObject().put("path", "/q").put("privateKeyRaw", "******")
      .put("requestHeader", new JsonObject().put("Authorization", "Bearer new").put("Cookie", new JsonArray().add("******"))));
    JsonObject p = props(Secrets.restore(update, stored));
    assertEquals("b2xk", p.getString("privateKeyRaw"));
    assertEquals("Bearer new", p.getJsonObject("requestHeader").getString("Authorization"));
    assertEquals(new JsonArray().add("c=1"), p.getJsonObject("requestHeader").getJsonArray("Cookie"));
    assertEquals("/q", p.getString("path"));
  }
}
