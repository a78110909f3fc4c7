package io.wsink.rule;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsink.Addresses;
import io.wsink.Detached;
import io.wsink.KeyedQueue;
import io.wsink.config.SinkDefaults;
import io.wsink.pipeline.SinkPipeline;
import io.wsink.server.EndpointRegistry;
import io.wsink.sink.ConnectionCheck;
import io.wsink.sink.WebSocketActionProps;
import io.wsink.sink.WebSocketSinkVerticle;
import io.wsink.store.Store;
import io.wsink.store.StoredRule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Creates, starts, stops and drops rules: each running rule is one sink verticle per action (plus an input verticle
 * when it has several actions). Definitions and their wanted state live in a {@link RuleRegistry}; what is deployed right
 * now, and why a rule is not running, lives here.
 *
 * <p>Call it from one event loop only (the REST verticle's). Operations on one rule run one after the other.
 */
public final class RuleManager {

  private static final Logger LOG = LoggerFactory.getLogger(RuleManager.class);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true).setSendTimeout(10_000);
  /** A sink that cannot put its status into its meters this fast keeps the last values: the scrape must not wait long. */
  private static final DeliveryOptions METERS = new DeliveryOptions().setLocalOnly(true).setSendTimeout(3_000);
  private static final String CANCELED = "canceled manually";

  /** What is deployed for one rule right now. */
  private static final class Runtime {
    final List<String> deployments = new ArrayList<>();
    /** Per action: how many instances run ({@code concurrency}). */
    int[] instances = new int[0];
    boolean running;
    long lastStart;
    long lastStop;
    String message = "";
  }

  private final Vertx vertx;
  private final RuleRegistry registry;
  private final EndpointRegistry endpoints;
  private final Store store;
  /** Where the sinks register their meters; null when the node's metrics are off. */
  private final MeterRegistry meterRegistry;
  /** conf/sinks/websocket.yaml: property sets for resourceId. */
  private final Map<String, JsonObject> resources;
  /** What every sink gets of the node's {@code sink:} settings. */
  private final JsonObject sinkDefaults;
  private final Map<String, Runtime> runtimes = new HashMap<>();
  private final KeyedQueue queue = new KeyedQueue();

  public RuleManager(Vertx vertx, RuleRegistry registry, EndpointRegistry endpoints, SinkDefaults sinkDefaults,
                     Store store, Map<String, JsonObject> resources, MeterRegistry meterRegistry) {
    this.vertx = vertx;
    this.meterRegistry = meterRegistry;
    this.resources = Map.copyOf(resources);
    this.store = store;
    this.registry = registry;
    this.endpoints = endpoints;
    this.sinkDefaults = new JsonObject().put("aesKey", sinkDefaults.aesKey())
      .put("enableCache", sinkDefaults.enableCache()).put("memoryCacheThreshold", sinkDefaults.memoryCacheThreshold())
      .put("maxDiskCache", sinkDefaults.maxDiskCache()).put("bufferPageSize", sinkDefaults.bufferPageSize())
      .put("resendInterval", sinkDefaults.resendInterval()).put("cleanCacheAtStop", sinkDefaults.cleanCacheAtStop());
  }

  /** Starts every stored rule that was running; no {@code checkConnection} on recovery (§4.3). */
  public Future<Void> recover() {
    return registry.list().compose(all -> {
      List<Future<Void>> started = new ArrayList<>();
      for (StoredRule stored : all) {
        if (stored.running()) {
          // a rule that no longer validates (say, a certificate file went away) stays stopped with the reason;
          // it must not keep the node, or the other rules, from starting
          started.add(serialized(stored.id(), () -> Future.succeededFuture()
            .compose(v -> parse(stored.definition()))
            .compose(this::deploy)
            .recover(err -> {
              Runtime rt = runtime(stored.id());
              if (rt.message.isEmpty()) {
                rt.message = err.getMessage();
                LOG.error("rule {} could not be restored: {}", stored.id(), err.getMessage());
              }
              return Future.succeededFuture();
            })));
        }
      }
      LOG.info("recovered {} rule(s), {} of them running", all.size(), started.size());
      return Future.join(started).mapEmpty();
    });
  }

  public Future<String> create(JsonObject json) {
    return parse(json).compose(rule -> create(rule));
  }

  private Future<String> create(Rule rule) {
    return serialized(rule.id(), () -> registry.get(rule.id()).compose(existing -> {
      if (existing != null) {
        return Future.failedFuture(new RuleException("rule " + rule.id() + " already exists"));
      }
      if (!rule.triggered()) {
        return registry.put(new StoredRule(rule.id(), rule.definition(), false))
          .onSuccess(v -> runtime(rule.id()).message = CANCELED);
      }
      return checkConnections(rule)
        .compose(v -> registry.put(new StoredRule(rule.id(), rule.definition(), true)))
        .compose(v -> deploy(rule).recover(err -> Future.succeededFuture()));
    }).map(rule.id()));
  }

  /** Replaces the definition; a {@code ******} keeps the stored secret. Restarts the rule unless it says triggered: false. */
  public Future<Void> update(String id, JsonObject json) {
    Object givenId = json.getValue("id");
    if (givenId != null && !id.equals(givenId)) {
      return Future.failedFuture(new RuleException("the rule id in the body (\"" + givenId
        + "\") differs from the id in the path (\"" + id + "\")"));
    }
    return serialized(id, () -> existing(id).compose(old -> {
      JsonObject definition = Secrets.restore(json, old.definition()).put("id", id);
      return parse(definition).compose(rule -> replace(id, rule));
    }));
  }

  /**
   * Stored first, then restarted: an update the store refuses (disk full, read-only) changes nothing, and the rule runs on
   * as it was. The same order holds for stop and restart.
   */
  private Future<Void> replace(String id, Rule rule) {
    if (!rule.triggered()) {
      return registry.put(new StoredRule(id, rule.definition(), false))
        .compose(v -> undeploy(id, (short) 1000))
        .onSuccess(v -> runtime(id).message = CANCELED);
    }
    return checkConnections(rule)
      .compose(v -> registry.put(new StoredRule(id, rule.definition(), true)))
      .compose(v -> undeploy(id, (short) 1000))
      .compose(v -> deploy(rule).recover(err -> Future.succeededFuture()));
  }

  public Future<Void> delete(String id) {
    return serialized(id, () -> existing(id)
      .compose(stored -> undeploy(id, (short) 1000).compose(v -> clearCaches(stored)))
      .compose(v -> registry.remove(id))
      .onSuccess(v -> runtimes.remove(id))
      .mapEmpty());
  }

  public Future<Void> start(String id) {
    return serialized(id, () -> existing(id).compose(stored -> {
      if (runtime(id).running) {
        return Future.succeededFuture();
      }
      return parse(stored.definition()).compose(rule -> checkConnections(rule)
        .compose(v -> registry.put(new StoredRule(id, stored.definition(), true)))
        .compose(v -> deploy(rule)));
    }));
  }

  public Future<Void> stop(String id) {
    return serialized(id, () -> existing(id)
      .compose(stored -> registry.put(new StoredRule(id, stored.definition(), false))
        .compose(v -> undeploy(id, (short) 1000)))
      .onSuccess(v -> runtime(id).message = CANCELED));
  }

  public Future<Void> restart(String id) {
    return serialized(id, () -> existing(id).compose(stored -> parse(stored.definition())
      .compose(rule -> checkConnections(rule)
        .compose(v -> registry.put(new StoredRule(id, stored.definition(), true)))
        .compose(v -> undeploy(id, (short) 1000))
        .compose(v -> deploy(rule)))));
  }

  /** The definition as given, secrets masked, or a failed future with {@link RuleNotFoundException}. */
  public Future<JsonObject> get(String id) {
    return existing(id).map(stored -> Secrets.mask(stored.definition()));
  }

  /** {@code [{"id", "status", "message"}]} for every rule. */
  public Future<JsonArray> list() {
    return registry.list().map(all -> {
      JsonArray out = new JsonArray();
      for (StoredRule stored : all) {
        Runtime rt = runtimes.get(stored.id());
        boolean running = rt != null && rt.running;
        out.add(new JsonObject().put("id", stored.id()).put("status", running ? "running" : "stopped")
          .put("message", running ? "" : stoppedMessage(rt, stored)));
      }
      return out;
    });
  }

  /** §6.1 status: state, timestamps and, for instance n of action i, the eKuiper metrics under {@code sink_websocket_<i>_<n>_}. */
  public Future<JsonObject> status(String id) {
    return existing(id).compose(stored -> {
      Runtime rt = runtimes.get(id);
      JsonObject status = new JsonObject();
      if (rt == null || !rt.running) {
        return Future.succeededFuture(status.put("status", "stopped").put("message", stoppedMessage(rt, stored))
          .put("lastStartTimestamp", rt == null ? 0 : rt.lastStart).put("lastStopTimestamp", rt == null ? 0 : rt.lastStop));
      }
      status.put("status", "running").put("lastStartTimestamp", rt.lastStart).put("lastStopTimestamp", rt.lastStop)
        .put("nextStopTimestamp", 0);
      List<String> prefixes = new ArrayList<>();
      List<Future<Message<JsonObject>>> metrics = new ArrayList<>();
      for (int i = 0; i < rt.instances.length; i++) {
        for (int n = 0; n < rt.instances[i]; n++) {
          prefixes.add("sink_" + Rule.nodeName(i) + "_" + n + "_");
          metrics.add(vertx.eventBus().request(Addresses.sinkControl(id, i, n),
            new JsonObject().put("op", WebSocketSinkVerticle.OP_STATUS), LOCAL));
        }
      }
      return Future.join(metrics).transform(ar -> {
        for (int k = 0; k < metrics.size(); k++) {
          Future<Message<JsonObject>> m = metrics.get(k);
          if (m.succeeded()) {
            String prefix = prefixes.get(k);
            m.result().body().forEach(e -> status.put(prefix + e.getKey(), e.getValue()));
          }
        }
        return Future.succeededFuture(status);
      });
    });
  }

  /**
   * Has every running sink put its current status into its Prometheus meters, for the scrape that follows. Never fails:
   * a sink that does not answer in time keeps showing its previous values.
   */
  public Future<Void> refreshMeters() {
    List<Future<?>> refreshed = new ArrayList<>();
    runtimes.forEach((id, rt) -> {
      if (rt.running) {
        for (int i = 0; i < rt.instances.length; i++) {
          for (int n = 0; n < rt.instances[i]; n++) {
            refreshed.add(vertx.eventBus().request(Addresses.sinkControl(id, i, n),
              new JsonObject().put("op", WebSocketSinkVerticle.OP_REFRESH_METERS), METERS));
          }
        }
      }
    });
    return Future.join(refreshed).<Void>mapEmpty().recover(err -> Future.succeededFuture());
  }

  /**
   * Readiness (§6.5): the rules stored as running whose sink verticles are not all deployed right now — never started,
   * failed to start (the reason is in their status), or undeployed behind the manager's back — by id, in order.
   */
  public Future<List<String>> notRunningAsStored() {
    return registry.list().map(all -> {
      Set<String> deployed = vertx.deploymentIDs();
      List<String> missing = new ArrayList<>();
      for (StoredRule stored : all) {
        Runtime rt = runtimes.get(stored.id());
        boolean live = rt != null && rt.running && deployed.containsAll(rt.deployments);
        if (stored.running() && !live) {
          missing.add(stored.id());
        }
      }
      return missing;
    });
  }

  /**
   * Node shutdown: stops every running rule (input verticles first, so no message reaches a stopped action), leaving
   * the stored state alone so that the rules come back as they were. Client-mode actions close with 1001.
   */
  public Future<Void> shutdown() {
    List<Future<Void>> stopped = new ArrayList<>();
    for (String id : List.copyOf(runtimes.keySet())) {
      stopped.add(serialized(id, () -> undeploy(id, (short) 1001)));
    }
    return Future.join(stopped).mapEmpty();
  }

  /** A dropped rule leaves no disk cache behind, of any instance of any of its actions. */
  private Future<Void> clearCaches(StoredRule stored) {
    return store.clearCaches(WebSocketSinkVerticle.cacheKeyPrefix(stored.id()));
  }

  /** Validates a rule without storing or starting anything (POST /rules/validate). */
  public Future<Rule> validate(JsonObject json) {
    return parse(json);
  }

  /** Parses off the event loop: validating TLS properties looks at certificate files. */
  private Future<Rule> parse(JsonObject json) {
    return vertx.executeBlocking(() -> {
      Rule rule = Rule.parse(json, resources);
      if (sinkDefaults.getString("aesKey").isEmpty()
        && rule.parsed().stream().anyMatch(p -> !p.encryption().isEmpty())) {
        throw new RuleException(SinkPipeline.NO_AES_KEY);
      }
      return rule;
    }, false);
  }

  private static String stoppedMessage(Runtime rt, StoredRule stored) {
    String why = rt != null && !rt.message.isEmpty() ? rt.message : stored.running() ? "not started yet" : CANCELED;
    return "Stopped: " + why + ".";
  }

  private Future<StoredRule> existing(String id) {
    return registry.get(id).compose(stored -> stored == null
      ? Future.failedFuture(new RuleNotFoundException(id)) : Future.succeededFuture(stored));
  }

  private Runtime runtime(String id) {
    return runtimes.computeIfAbsent(id, k -> new Runtime());
  }

  private Future<Void> checkConnections(Rule rule) {
    List<Future<Void>> checks = new ArrayList<>();
    for (WebSocketActionProps props : rule.parsed()) {
      if (props.checkConnection()) {
        checks.add(ConnectionCheck.check(vertx, endpoints, props));
      }
    }
    return Future.all(checks).<Void>mapEmpty()
      .recover(err -> Future.failedFuture(new RuleException(err.getMessage())));
  }

  /**
   * Deploys one sink verticle per action instance ({@code concurrency} of them per action). One sink alone consumes the
   * rule's address itself; otherwise a dispatcher hands every message to each action, whose instances take turns. A
   * failure undeploys what did start and leaves the rule stopped with the reason; the returned future fails with it too.
   */
  private Future<Void> deploy(Rule rule) {
    Runtime rt = runtime(rule.id());
    int count = rule.actions().size();
    int[] instances = rule.parsed().stream().mapToInt(WebSocketActionProps::concurrency).toArray();
    boolean direct = count == 1 && instances[0] == 1;
    List<Future<String>> sinks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String input = direct ? rule.from() : Addresses.actionInput(rule.id(), i);
      for (int n = 0; n < instances[i]; n++) {
        JsonObject config = WebSocketSinkVerticle.managedConfig(rule.id(), i, n, rule.from(), input,
          rule.actions().get(i), sinkDefaults);
        sinks.add(Detached.deploy(vertx, () -> new WebSocketSinkVerticle(store, meterRegistry),
          new DeploymentOptions().setConfig(config)));
      }
    }
    return Future.join(sinks).transform(ar -> {
      List<String> ids = new ArrayList<>();
      sinks.stream().filter(Future::succeeded).forEach(f -> ids.add(f.result()));
      if (ar.failed()) {
        String why = sinks.stream().filter(Future::failed).findFirst().map(f -> f.cause().getMessage()).orElse("?");
        return undeployAll(ids).transform(x -> failed(rt, rule.id(), why));
      }
      if (direct) {
        return Future.succeededFuture(ids);
      }
      return Detached.deploy(vertx, () -> new RuleInputVerticle(rule.id(), rule.from(), count), new DeploymentOptions())
        .transform(input -> {
        if (input.failed()) {
          return undeployAll(ids).transform(x -> failed(rt, rule.id(), input.cause().getMessage()));
        }
        ids.add(0, input.result()); // undeployed first, so no message reaches a stopped action
        return Future.succeededFuture(ids);
      });
    }).map(ids -> {
      rt.deployments.clear();
      rt.deployments.addAll(ids);
      rt.instances = instances;
      rt.running = true;
      rt.message = "";
      rt.lastStart = System.currentTimeMillis();
      LOG.info("rule {} started: {} consumes {}", rule.id(), describe(instances), rule.from());
      return null;
    });
  }

  private static String describe(int[] instances) {
    int total = Arrays.stream(instances).sum();
    String actions = instances.length == 1 ? "1 action" : instances.length + " actions";
    return total == instances.length ? actions : actions + " (" + total + " sink instances)";
  }

  private <T> Future<T> failed(Runtime rt, String ruleId, String why) {
    rt.running = false;
    rt.message = why;
    rt.lastStop = System.currentTimeMillis();
    LOG.warn("rule {} could not start: {}", ruleId, why);
    return Future.failedFuture(new RuleException(why));
  }

  /** Stops a rule's verticles; client-mode actions close with {@code closeCode} (1000 for a rule stop). */
  private Future<Void> undeploy(String id, short closeCode) {
    Runtime rt = runtimes.get(id);
    if (rt == null || !rt.running) {
      return Future.succeededFuture();
    }
    List<Future<?>> told = new ArrayList<>();
    for (int i = 0; i < rt.instances.length; i++) {
      for (int n = 0; n < rt.instances[i]; n++) {
        told.add(vertx.eventBus().request(Addresses.sinkControl(id, i, n),
          new JsonObject().put("op", WebSocketSinkVerticle.OP_CLOSE_CODE).put("code", closeCode), LOCAL));
      }
    }
    List<String> ids = new ArrayList<>(rt.deployments);
    return Future.join(told).transform(ar -> undeployAll(ids)).onComplete(ar -> {
      rt.deployments.clear();
      rt.running = false;
      rt.lastStop = System.currentTimeMillis();
      LOG.info("rule {} stopped", id);
    });
  }

  private Future<Void> undeployAll(List<String> ids) {
    Future<Void> chain = Future.succeededFuture();
    for (String deployment : ids) {
      // one already gone (the readiness check reports that) must not keep the rule from stopping or restarting
      chain = chain.transform(ar -> vertx.deploymentIDs().contains(deployment) ? vertx.undeploy(deployment)
        : Future.succeededFuture());
    }
    return chain;
  }

  private <T> Future<T> serialized(String id, Supplier<Future<T>> operation) {
    return queue.run(id, operation);
  }
}
