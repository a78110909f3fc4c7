package io.wsink.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.sink.WebSocketActionProps;
import io.wsink.testkit.TestNode;
import io.wsink.testkit.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * §8 / issue 6: more than a thousand malformed, mistyped, oversized, nested, misnamed and hostile requests thrown at a
 * running node. Every one gets a 4xx with the error envelope, the node keeps serving, its rules and endpoint
 * registrations are exactly what they were, and the client connected before the barrage still gets what is published.
 * The inputs come from a seeded generator, so a failure names a case that can be replayed.
 */
@ExtendWith(VertxExtension.class)
class BadInputTest {

  private static final long SEED = 20261130L;
  private static final int PARALLEL = 16;
  private static final String KEEP_RULE =
    "{\"id\":\"keep\",\"actions\":[{\"websocket\":{\"path\":\"/keep\",\"sendSingle\":true}}]}";
  private static final String NEW_RULE =
    "{\"id\":\"fuzz\",\"from\":\"fuzz.in\",\"actions\":[{\"websocket\":{\"path\":\"/fuzz\",\"sendSingle\":true,"
      + "\"pingInterval\":1000,\"fields\":[\"a\",\"b\"]}}]}";

  private record Case(String what, HttpMethod method, String uri, String contentType, Buffer body) {
    @Override
    public String toString() {
      String shown = what.replaceAll("\\p{Cntrl}", "?");
      return method + " " + (uri.length() > 80 ? uri.substring(0, 80) + "…" : uri) + " — "
        + (shown.length() > 120 ? shown.substring(0, 120) + "…" : shown);
    }
  }

  // ------------------------------------------------------------------------------------------------ the generator

  private static List<Case> cases() {
    Random random = new Random(SEED);
    List<Case> cases = new ArrayList<>();
    truncatedJson(cases);
    garbage(cases, random);
    wrongRuleTypes(cases);
    wrongPropertyTypes(cases);
    deepNesting(cases);
    oversized(cases);
    wrongContentTypes(cases, random);
    badRuleIds(cases);
    badEndpoints(cases);
    badCertificates(cases);
    internalAddresses(cases);
    return cases;
  }

  private static Case json(String what, HttpMethod method, String uri, String body) {
    return new Case(what, method, uri, "application/json", Buffer.buffer(body));
  }

  private static void truncatedJson(List<Case> cases) {
    for (int i = 1; i < NEW_RULE.length(); i++) {
      cases.add(json("truncated at " + i, HttpMethod.POST, "/rules", NEW_RULE.substring(0, i)));
    }
    for (int i = 1; i < KEEP_RULE.length(); i++) {
      cases.add(json("update truncated at " + i, HttpMethod.PUT, "/rules/keep", KEEP_RULE.substring(0, i)));
    }
  }

  private static void garbage(List<Case> cases, Random random) {
    String[] targets = {"/rules", "/rules/keep", "/connection/websocket", "/metadata/sinks/connection/websocket",
      "/rules/validate"};
    for (int i = 0; i < 400; i++) {
      byte[] bytes = new byte[1 + random.nextInt(200)];
      random.nextBytes(bytes);
      if (i % 2 == 0) { // half of it printable, closer to what a mistyped body looks like
        for (int j = 0; j < bytes.length; j++) {
          bytes[j] = (byte) (' ' + Math.floorMod(bytes[j], 95));
        }
      }
      String target = targets[i % targets.length];
      HttpMethod method = target.equals("/rules/keep") ? HttpMethod.PUT : HttpMethod.POST;
      cases.add(new Case("garbage #" + i, method, target, "application/json", Buffer.buffer(bytes)));
    }
  }

  private static void wrongRuleTypes(List<Case> cases) {
    String ws = "[{\"websocket\":{\"path\":\"/fuzz\"}}]";
    List<String> bodies = new ArrayList<>();
    for (String id : List.of("1", "true", "[]", "{}", "null", "1.5", "\"\"")) {
      bodies.add("{\"id\":" + id + ",\"actions\":" + ws + "}");
    }
    for (String actions : List.of("\"x\"", "1", "{}", "[]", "[1]", "[[]]", "[{\"websocket\":1}]",
      "[{\"websocket\":[]}]", "[{\"mqtt\":{}}]", "[{}]", "[{\"websocket\":{},\"mqtt\":{}}]", "null")) {
      bodies.add("{\"id\":\"fuzz\",\"actions\":" + actions + "}");
    }
    for (String other : List.of("\"from\":1", "\"from\":[]", "\"from\":\"\"", "\"from\":\" \"",
      "\"from\":\"wsink.server.control\"", "\"from\":\"wsink.sink.keep.0.0\"", "\"from\":\"a\\u0000b\"",
      "\"from\":\"" + "x".repeat(300) + "\"", "\"triggered\":\"yes\"", "\"triggered\":1", "\"options\":\"x\"",
      "\"name\":1", "\"tags\":\"x\"", "\"tags\":[1]", "\"sql\":\"SELECT * FROM demo\"", "\"grpah\":{}")) {
      bodies.add("{\"id\":\"fuzz\"," + other + ",\"actions\":" + ws + "}");
    }
    for (String body : bodies) {
      cases.add(json(body, HttpMethod.POST, "/rules", body));
      if (!body.startsWith("{\"id\":null,")) { // an update may leave the id to its path: null reads as not given
        cases.add(json(body, HttpMethod.PUT, "/rules/keep", body.replace("\"fuzz\",", "\"keep\",")));
      }
    }
  }

  private static void wrongPropertyTypes(List<Case> cases) {
    for (String name : WebSocketActionProps.knownNames()) {
      boolean objectTyped = name.equals("requestHeader") || name.equals("encProps");
      for (String value : objectTyped ? List.of("[1,2]", "\"x\"") : List.of("{\"n\":1}", "[{\"a\":1}]")) {
        String props = "{\"path\":\"/fuzz\",\"" + name + "\":" + value + "}";
        cases.add(json(name + "=" + value, HttpMethod.POST, "/rules",
          "{\"id\":\"fuzz\",\"actions\":[{\"websocket\":" + props + "}]}"));
        cases.add(json(name + "=" + value, HttpMethod.PUT, "/rules/keep",
          "{\"id\":\"keep\",\"actions\":[{\"websocket\":" + props.replace("/fuzz", "/keep") + "}]}"));
        cases.add(json(name + "=" + value, HttpMethod.POST, "/metadata/sinks/connection/websocket", props));
      }
    }
  }

  private static void deepNesting(List<Case> cases) {
    for (int depth : new int[] {1001, 5000, 50_000}) {
      String arrays = "[".repeat(depth) + "]".repeat(depth);
      String objects = "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
      for (String body : List.of(arrays, objects)) {
        String what = "nested " + depth + " deep";
        cases.add(json(what, HttpMethod.POST, "/rules", body));
        cases.add(json(what, HttpMethod.PUT, "/rules/keep", body));
        cases.add(json(what, HttpMethod.POST, "/rules/validate", body));
        cases.add(json(what, HttpMethod.POST, "/connection/websocket", body));
        cases.add(json(what, HttpMethod.POST, "/metadata/sinks/connection/websocket", body));
        cases.add(json(what, HttpMethod.POST, "/publish/rule.keep", body));
      }
    }
    // valid JSON, but nested where a rule has a flat value
    String deepTemplate = "{\"id\":\"fuzz\",\"actions\":[{\"websocket\":{\"path\":\"/fuzz\",\"requestHeader\":"
      + "{\"a\":".repeat(500) + "1" + "}".repeat(500) + "}}]}";
    cases.add(json("nested header", HttpMethod.POST, "/rules", deepTemplate));
  }

  private static void oversized(List<Case> cases) {
    // a body one byte over the 1 MiB limit, JSON-looking so that nothing but its size is wrong
    String big = "{\"id\":\"fuzz\",\"pad\":\"" + "x".repeat((int) RestVerticle.BODY_LIMIT) + "\"}";
    for (String uri : List.of("/rules", "/rules/validate", "/connection/websocket", "/metadata/sinks/connection/websocket",
      "/publish/rule.keep")) {
      cases.add(json("over 1 MiB", HttpMethod.POST, uri, big));
    }
    cases.add(json("over 1 MiB", HttpMethod.PUT, "/rules/keep", big));
  }

  private static void wrongContentTypes(List<Case> cases, Random random) {
    byte[] binary = new byte[64];
    random.nextBytes(binary);
    List<Case> bodies = List.of(
      new Case("xml", HttpMethod.POST, "", "application/xml", Buffer.buffer("<rule id=\"fuzz\"/>")),
      new Case("form", HttpMethod.POST, "", "application/x-www-form-urlencoded", Buffer.buffer("id=fuzz&actions=x")),
      new Case("multipart", HttpMethod.POST, "", "multipart/form-data; boundary=b",
        Buffer.buffer("--b\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\nfuzz\r\n--b--\r\n")),
      new Case("octets", HttpMethod.POST, "", "application/octet-stream", Buffer.buffer(binary)),
      new Case("text", HttpMethod.POST, "", "text/plain", Buffer.buffer("create rule fuzz please")),
      new Case("json with a wrong charset", HttpMethod.POST, "", "application/json; charset=utf-16",
        Buffer.buffer(new byte[] {(byte) 0xfe, (byte) 0xff, 0, '{'})));
    for (String uri : List.of("/rules", "/connection/websocket", "/metadata/sinks/connection/websocket",
      "/rules/validate")) {
      for (Case c : bodies) {
        cases.add(new Case(c.what(), c.method(), uri, c.contentType(), c.body()));
      }
    }
  }

  private static final List<String> BAD_IDS = List.of("..", "../x", "a/b", "a%2Fb", "a b", "a\u0000b", "a\nb", "a\tb",
    "x".repeat(10_000), " ", "é", "<script>", "a.b", "%00", "keep\r\nX-Injected: 1");

  private static void badRuleIds(List<Case> cases) {
    for (String id : BAD_IDS) {
      String quoted = new JsonObject().put("id", id).encode();
      cases.add(json("id " + id, HttpMethod.POST, "/rules", quoted.substring(0, quoted.length() - 1)
        + ",\"actions\":[{\"websocket\":{\"path\":\"/fuzz\"}}]}"));
      String path = "/rules/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
      cases.add(new Case("id " + id, HttpMethod.GET, path, null, null));
      cases.add(new Case("id " + id, HttpMethod.DELETE, path, null, null));
      cases.add(json("id " + id, HttpMethod.PUT, path, KEEP_RULE));
      for (String op : List.of("/start", "/stop", "/restart")) {
        cases.add(new Case("id " + id, HttpMethod.POST, path + op, null, null));
      }
      cases.add(new Case("id " + id, HttpMethod.GET, path + "/status", null, null));
      // the same, not encoded: what a careless client sends for the printable ones
      if (id.chars().allMatch(c -> c > ' ' && c < 0x7f && c != '%')) {
        cases.add(new Case("raw id " + id, HttpMethod.DELETE, "/rules/" + id, null, null));
      }
    }
  }

  private static final List<String> BAD_ENDPOINTS = List.of("noslash", "/a?b=1", "/a#b", "/a b", "/a%2Fb", "/../x",
    "/a/./b", "/a/..", "/a//b", "/a\u0000", "/a\n", "/" + "x".repeat(10_000), "/é", "/a\\b", "/<x>");

  private static void badEndpoints(List<Case> cases) {
    for (String endpoint : BAD_ENDPOINTS) {
      String body = new JsonObject().put("endpoint", endpoint).encode();
      String query = "/connection/websocket?endpoint=" + URLEncoder.encode(endpoint, StandardCharsets.UTF_8);
      cases.add(json("endpoint " + endpoint, HttpMethod.POST, "/connection/websocket", body));
      cases.add(json("endpoint " + endpoint, HttpMethod.DELETE, "/connection/websocket", body));
      cases.add(new Case("endpoint " + endpoint, HttpMethod.POST, query, null, null));
      cases.add(new Case("endpoint " + endpoint, HttpMethod.GET, query, null, null));
      String props = new JsonObject().put("path", endpoint).encode();
      cases.add(json("path " + endpoint, HttpMethod.POST, "/rules",
        "{\"id\":\"fuzz\",\"actions\":[{\"websocket\":" + props + "}]}"));
      cases.add(json("path " + endpoint, HttpMethod.POST, "/metadata/sinks/connection/websocket", props));
    }
    for (String endpoint : List.of("", "null", "1", "[]")) {
      cases.add(json("endpoint " + endpoint, HttpMethod.POST, "/connection/websocket", "{\"endpoint\":"
        + (endpoint.isEmpty() ? "\"\"" : endpoint) + "}"));
    }
  }

  private static void badCertificates(List<Case> cases) {
    String garbagePem = "-----BEGIN CERTIFICATE-----\nAAAAnotacertificate\n-----END CERTIFICATE-----\n";
    String b64GarbagePem = Base64.getEncoder().encodeToString(garbagePem.getBytes(StandardCharsets.UTF_8));
    String b64Text = Base64.getEncoder().encodeToString("just text".getBytes(StandardCharsets.UTF_8));
    List<String> tls = List.of(
      "\"certificationRaw\":\"!!!not base64!!!\",\"privateKeyRaw\":\"" + b64Text + "\"",
      "\"certificationRaw\":\"" + b64GarbagePem + "\",\"privateKeyRaw\":\"" + b64GarbagePem + "\"",
      "\"rootCARaw\":\"" + b64GarbagePem + "\"",
      "\"rootCARaw\":\"%%%\"",
      "\"rootCARaw\":\"" + b64Text + "\"",
      "\"certificationPath\":\"/nonexistent/client.pem\",\"privateKeyPath\":\"/nonexistent/client.key\"",
      "\"rootCaPath\":\"/nonexistent/ca.pem\"",
      "\"rootCaPath\":\"/\"",
      "\"certificationPath\":\"/etc/hostname\",\"privateKeyPath\":\"/etc/hostname\"",
      "\"privateKeyRaw\":\"" + b64Text + "\"");
    for (String props : tls) {
      String websocket = "{\"addr\":\"wss://127.0.0.1:9\",\"path\":\"/x\"," + props + "}";
      cases.add(json(props, HttpMethod.POST, "/rules", "{\"id\":\"fuzz\",\"actions\":[{\"websocket\":" + websocket + "}]}"));
      cases.add(json(props, HttpMethod.PUT, "/rules/keep",
        "{\"id\":\"keep\",\"actions\":[{\"websocket\":" + websocket + "}]}"));
      cases.add(json(props, HttpMethod.POST, "/metadata/sinks/connection/websocket", websocket));
    }
  }

  private static void internalAddresses(List<Case> cases) {
    String release = "{\"op\":\"release\",\"path\":\"/keep\",\"holder\":\"rule:keep\"}";
    for (String address : List.of("wsink.server.control", "wsink.sink.keep.0.0", "wsink.action.keep.0",
      "wsink.endpoint:/keep")) {
      cases.add(json("internal " + address, HttpMethod.POST, "/publish/" + address, release));
      cases.add(json("internal " + address, HttpMethod.POST, "/publish/" + address + "?ack=true", release));
    }
  }

  // ------------------------------------------------------------------------------------------------ the test

  @Test
  @io.vertx.junit5.Timeout(value = 120, timeUnit = java.util.concurrent.TimeUnit.SECONDS)
  void aThousandBadRequestsGetA4xxEachAndChangeNothing(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) {
    List<Case> cases = cases();
    assertTrue(cases.size() >= 1000, "the generator makes at least 1000 cases, made " + cases.size());
    List<String> wrong = new ArrayList<>();
    JsonObject[] before = new JsonObject[1];
    TestNode.start(vertx, dir).compose(node -> {
      HttpClient http = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(PARALLEL));
      return node.post("/rules", new JsonObject(KEEP_RULE))
        .compose(r -> node.post("/connection/websocket", new JsonObject().put("endpoint", "/rest")))
        .compose(r -> WsClient.connect(vertx, node.dataUrl("/keep")))
        .compose(client -> node.awaitClients("/keep", 1)
          .compose(x -> snapshot(node))
          .compose(snapshot -> {
            before[0] = snapshot;
            return throwAll(http, node.restPort(), cases, wrong);
          })
          .compose(x -> {
            ctx.verify(() -> assertEquals(List.of(), wrong.subList(0, Math.min(20, wrong.size())),
              wrong.size() + " of " + cases.size() + " answers were not a 4xx with the error envelope (first 20)"));
            return node.get("/ping");
          })
          .compose(ping -> {
            ctx.verify(() -> assertEquals(200, ping.statusCode(), "the node still answers"));
            return snapshot(node);
          })
          .compose(after -> {
            ctx.verify(() -> assertEquals(before[0], after, "rules and registrations are as they were"));
            return node.post("/publish/rule.keep", new JsonObject().put("after", "barrage"));
          })
          .compose(r -> client.awaitMessages(1)))
        .eventually(http::close)
        .eventually(node::stop);
    }).onComplete(ctx.succeeding(messages -> ctx.verify(() -> {
      assertEquals(List.of("{\"after\":\"barrage\"}"), messages, "the client from before still gets what is published");
      // one line for bench/soak.sh's summary
      System.out.printf("BadInputTest: %d bad requests, %d not answered with a 4xx error envelope; rules and"
        + " registrations unchanged; the node answers /ping and its client still receives%n", cases.size(), wrong.size());
      ctx.completeNow();
    })));
  }

  /** Everything the API says about rules and endpoints, secrets masked as it shows them. */
  private static Future<JsonObject> snapshot(TestNode node) {
    return Future.all(node.get("/rules"), node.get("/rules/keep"), node.get("/connection/websocket"))
      .map(all -> new JsonObject()
        .put("rules", all.<io.vertx.ext.web.client.HttpResponse<Buffer>>resultAt(0).bodyAsJsonArray())
        .put("keep", all.<io.vertx.ext.web.client.HttpResponse<Buffer>>resultAt(1).bodyAsJsonObject())
        .put("endpoints", all.<io.vertx.ext.web.client.HttpResponse<Buffer>>resultAt(2).bodyAsJsonArray()));
  }

  /** Sends the cases, {@link #PARALLEL} at a time, and notes every answer that is not a 4xx error envelope. */
  private static Future<Void> throwAll(HttpClient http, int port, List<Case> cases, List<String> wrong) {
    Future<Void> chain = Future.succeededFuture();
    for (int start = 0; start < cases.size(); start += PARALLEL) {
      List<Case> batch = cases.subList(start, Math.min(cases.size(), start + PARALLEL));
      chain = chain.compose(v -> Future.join(batch.stream().map(c -> send(http, port, c)
        .andThen(ar -> {
          String problem = ar.succeeded() ? ar.result() : "no answer: " + ar.cause();
          if (problem != null) {
            synchronized (wrong) {
              wrong.add(c + " → " + problem);
            }
          }
        })).toList()).<Void>mapEmpty().recover(err -> Future.succeededFuture()));
    }
    return chain;
  }

  /** Null when the answer is a 4xx with {@code {"error": <int>, "message": <non-empty>}}, else what is wrong. */
  private static Future<String> send(HttpClient http, int port, Case c) {
    RequestOptions options = new RequestOptions().setMethod(c.method()).setHost("127.0.0.1").setPort(port)
      .setURI(c.uri());
    return http.request(options).compose(request -> {
      if (c.contentType() != null) {
        request.putHeader("Content-Type", c.contentType());
      }
      return c.body() == null ? request.send() : request.send(c.body());
    }).compose(response -> response.body().map(body -> judge(response, body)));
  }

  private static String judge(HttpClientResponse response, Buffer body) {
    int status = response.statusCode();
    if (status < 400 || status >= 500) {
      return "status " + status + ": " + abbreviate(body.toString());
    }
    try {
      JsonObject envelope = body.toJsonObject();
      if (!(envelope.getValue("error") instanceof Integer) || envelope.getString("message", "").isBlank()) {
        return "status " + status + " without the error envelope: " + abbreviate(body.toString());
      }
      return null;
    } catch (RuntimeException e) {
      return "status " + status + ", body not JSON: " + abbreviate(body.toString());
    }
  }

  private static String abbreviate(String text) {
    return text.length() > 200 ? text.substring(0, 200) + "…" : text;
  }
}
