package io.wsink;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.wsink.config.ConfigVerticle;

/**
 * wsink as a library (§9).
 *
 * <pre>{@code
 * Wsink.deploy(vertx, new JsonObject()
 *     .put("confDir", "conf")                                  // optional, default "conf"
 *     .put("rest", new JsonObject().put("port", 9081))         // any section of wsink.yaml ...
 *     .put("source", new JsonObject().put("httpServerPort", 10081))) // ... or of sources/websocket.yaml
 *   .onSuccess(id -> ...);                                     // vertx.undeploy(id) stops everything
 * }</pre>
 */
public final class Wsink {

  private Wsink() {
  }

  /**
   * Deploys a whole node — configuration, data server, REST API and the stored rules — into {@code vertx}, clustered or
   * not. Sections given here override {@code conf/}, environment variables and system properties.
   *
   * @return the deployment id; undeploying it stops everything the node started
   */
  public static Future<String> deploy(Vertx vertx, JsonObject config) {
    return vertx.deployVerticle(new ConfigVerticle(),
      new DeploymentOptions().setConfig(config == null ? new JsonObject() : config.copy()));
  }
}
