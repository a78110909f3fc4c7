package io.wsink.examples;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.wsink.Wsink;
import io.wsink.sink.WebSocketSinkVerticle;

/**
 * The library examples of README.md ("Used as a library"), compiled and run by {@code ReadmeExamplesTest}. The text
 * between each {@code tag::}/{@code end::} pair appears verbatim in the README.
 */
public final class LibraryExamples {

  private LibraryExamples() {
  }

  /** A whole node inside an existing Vert.x application. */
  public static Future<String> embedNode(Vertx vertx, int restPort, int dataPort, String storeDir) {
    // tag::embed[]
    JsonObject config = new JsonObject()
      .put("rest", new JsonObject().put("port", restPort))               // the REST API, as conf/wsink.yaml
      .put("source", new JsonObject()                                     // the data server, as conf/sources/websocket.yaml
        .put("httpServerIp", "127.0.0.1").put("httpServerPort", dataPort))
      .put("store", new JsonObject().put("dir", storeDir));             // rules and registrations persist here
    Future<String> node = Wsink.deploy(vertx, config);                   // vertx.undeploy(id) stops it all
    // Rules are created over REST (POST /rules) and come back after a restart; any verticle then
    // publishes rows to a rule's address:
    //   vertx.eventBus().publish("rule.alerts", new JsonObject().put("level", "high"));
    // end::embed[]
    return node;
  }

  /** One websocket action on its own: no REST API, no store. */
  public static Future<String> standaloneSink(Vertx vertx, int dataPort) {
    // tag::standalone[]
    JsonObject config = new JsonObject()
      .put("from", "sensors.temperature")                                  // the event-bus address to consume
      .put("websocket", new JsonObject()                                    // §4/§5 properties of the action
        .put("path", "/temperature")
        .put("sendSingle", true))
      .put("source", new JsonObject()                                       // the data server it starts if needed
        .put("httpServerIp", "127.0.0.1").put("httpServerPort", dataPort));
    Future<String> sink = vertx.deployVerticle(new WebSocketSinkVerticle(), new DeploymentOptions().setConfig(config));
    // every client of ws://127.0.0.1:<dataPort>/temperature now gets {"t":21.5} for
    //   vertx.eventBus().publish("sensors.temperature", new JsonObject().put("t", 21.5));
    // end::standalone[]
    return sink;
  }
}
