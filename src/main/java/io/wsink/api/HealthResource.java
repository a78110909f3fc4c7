package io.wsink.api;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.wsink.cluster.ClusterNode;
import io.wsink.ops.EventLoopProbe;
import io.wsink.rule.RuleManager;
import io.wsink.server.EndpointRegistry;
import io.wsink.store.Store;

import java.util.function.IntSupplier;

/**
 * {@code GET /health/live} and {@code GET /health/ready} (§6.5), open even when {@code rest.tokens} is set. Each
 * answers 200 when every one of its checks is UP, else 503, with vertx-health-check's JSON:
 * <pre>{"status":"DOWN","checks":[{"id":"store","status":"UP"},{"id":"rules","status":"DOWN","data":{...}}],"outcome":"DOWN"}</pre>
 * A check that is DOWN says why in its {@code data}. No check blocks an event loop: each one asks, asynchronously, the
 * part of the node it is about, and counts as DOWN when that part does not answer within its timeout.
 */
final class HealthResource {

  /** Longer than the event-loop probe's own deadline, so that the probe reports which loops did not answer. */
  private static final long LIVE_TIMEOUT_MS = EventLoopProbe.DEADLINE_MS + 1_000;
  private static final long READY_TIMEOUT_MS = 2_000;

  private final HealthChecks live;
  private final HealthChecks ready;

  /**
   * @param restPort the port the REST API listens on, or -1 while it does not
   */
  HealthResource(Vertx vertx, Store store, EndpointRegistry endpoints, RuleManager manager, ClusterNode cluster,
                 IntSupplier restPort) {
    EventLoopProbe eventLoops = new EventLoopProbe(vertx);
    live = HealthChecks.create(vertx)
      .register("eventLoops", LIVE_TIMEOUT_MS, p -> eventLoops(eventLoops, p));
    ready = HealthChecks.create(vertx)
      // the REST API is deployed only after the configuration was loaded and validated: answering is the proof
      .register("config", READY_TIMEOUT_MS, p -> p.complete(Status.OK()))
      .register("store", READY_TIMEOUT_MS, p -> settle(p, store.check().map(v -> Status.OK())))
      .register("rest", READY_TIMEOUT_MS, p -> p.complete(rest(restPort.getAsInt())))
      .register("dataServer", READY_TIMEOUT_MS, p -> settle(p, dataServer(endpoints)))
      .register("rules", READY_TIMEOUT_MS, p -> settle(p, rules(manager)));
    if (cluster != null) {
      // §7: the REST API starts only after the node joined; this says whether it is still a member
      ready.register("cluster", READY_TIMEOUT_MS, p -> p.complete(cluster(cluster.status())));
    }
  }

  private static Status cluster(JsonObject membership) {
    return membership == null ? Status.KO(reason("this node is no longer a member of the cluster"))
      : Status.OK(membership);
  }

  void mount(Router router) {
    router.get("/health/live").handler(ctx -> answer(ctx, live));
    router.get("/health/ready").handler(ctx -> answer(ctx, ready));
  }

  private static void answer(RoutingContext ctx, HealthChecks checks) {
    checks.checkStatus().onComplete(ar -> {
      if (ar.succeeded()) {
        CheckResult result = ar.result();
        Responses.json(ctx, result.getUp() ? 200 : 503, result.toJson());
      } else {
        ctx.fail(ar.cause());
      }
    });
  }

  private static void eventLoops(EventLoopProbe probe, Promise<Status> promise) {
    probe.probe().onComplete(ar -> {
      EventLoopProbe.Result result = ar.result();
      JsonObject data = new JsonObject().put("eventLoops", result.loops());
      if (result.unresponsive().isEmpty()) {
        promise.complete(Status.OK(data));
      } else {
        promise.complete(Status.KO(data.put("unresponsive", new JsonArray(result.unresponsive())).put("reason",
          result.unresponsive().size() + " event loop(s) did not run a task within " + EventLoopProbe.DEADLINE_MS
            + " ms: blocked")));
      }
    });
  }

  private static Status rest(int port) {
    return port < 0 ? Status.KO(reason("the REST API is not listening")) : Status.OK(new JsonObject().put("port", port));
  }

  /** Listening whenever an endpoint exists; with none, the data server is rightly closed (§4.2). */
  private static Future<Status> dataServer(EndpointRegistry endpoints) {
    return endpoints.list().map(snapshot -> {
      int count = snapshot.endpoints().size();
      JsonObject data = new JsonObject().put("endpoints", count).put("listening", snapshot.running());
      if (count > 0 && !snapshot.running()) {
        return Status.KO(data.put("reason", count + " endpoint(s) exist but the data server is not listening"));
      }
      return Status.OK(data);
    });
  }

  private static Future<Status> rules(RuleManager manager) {
    return manager.notRunningAsStored().map(missing -> missing.isEmpty() ? Status.OK()
      : Status.KO(new JsonObject().put("notRunning", new JsonArray(missing)).put("reason", missing.size()
        + " rule(s) should run but have no sink deployed; GET /rules/{id}/status says why")));
  }

  /** A check that fails (a store that refuses, a data server that does not answer) is DOWN with the failure's message. */
  private static void settle(Promise<Status> promise, Future<Status> status) {
    status.onComplete(ar -> promise.complete(ar.succeeded() ? ar.result() : Status.KO(reason(ar.cause().getMessage()))));
  }

  private static JsonObject reason(String why) {
    return new JsonObject().put("reason", String.valueOf(why));
  }
}
