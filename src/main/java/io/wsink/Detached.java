package io.wsink;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;

import java.util.function.Supplier;

/**
 * Deploys a verticle that is nobody's child. Vert.x makes a deployment the child of the verticle whose context deploys
 * it and undeploys children before their parent, all at once; wsink needs its own order instead (the REST API closes
 * before the rules stop, the rules stop before the data server), and a data server started by one standalone sink must
 * outlive that sink. Whoever deploys detached undeploys explicitly.
 */
public final class Detached {

  private Detached() {
  }

  public static Future<String> deploy(Vertx vertx, Supplier<? extends Deployable> verticle, DeploymentOptions options) {
    Promise<String> deployed = Promise.promise();
    // a fresh context belongs to no deployment, so what it deploys has no parent
    ((VertxInternal) vertx).createEventLoopContext().runOnContext(v ->
      vertx.deployVerticle(verticle, options).onComplete(deployed));
    return deployed.future();
  }
}
