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
import io.wsink.server.EndpointHolder;
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
 * <p>In a cluster (§7) the definitions are cluster-wide and each rule runs on the one node that owns it
 * ({@link RuleOwnership}): an operation on any node changes the definition, and the owner acts on it when told
 * ({@link #reconcile}). Each other node holds the endpoints of the rule's server-mode actions on its own data server
 * (with the rule's per-client settings), so that its clients get the rule's frames too.
 *
 * <p>Call it from one event loop only (the REST verticle's). Operations on one rule run one after the other.
 */
public final class RuleManager {

  private static final Logger LOG = LoggerFactory.getLogger(RuleManager.class);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true).setSendTimeout(10_000);
  /** A sink that cannot put its status into its meters this fast keeps the last values: the scrape must not wait long. */
  private static final DeliveryOptions METERS = new DeliveryOptions().setLocalOnly(true).setSendTimeout(3_000);
  private static final String CANCELED = "canceled manually";
  /** A question to the node of a cluster that runs a rule. */
  private static final DeliveryOptions OTHER_NODE = new DeliveryOptions().setSendTimeout(5_000);

  /** What is deployed for one rule right now. */
  private static final class Runtime {
    final List<String> deployments = new ArrayList<>();
    /** Per action: how many instances run ({@code concurrency}). */
    int[] instances = new int[0];
    boolean running;
    long lastStart;
    long lastStop;
    String message = "";
    /** The definition last deployed, or last tried (a failed start is not retried for the same definition). */
    JsonObject deployed;
    /** In a cluster, when another node runs the rule: the endpoint holders held here for it, and for which definition. */
    final List<Mirror> mirrors = new ArrayList<>();
    JsonObject mirrored;
    /** In a cluster: whether the disk cache this node kept for the rule was handed to the node that runs it now. */
    boolean cacheHandedOver;
  }

  /** An endpoint held on this node's data server for a server-mode action that another node runs. */
  private record Mirror(String path, String holderId) {
  }

  private final Vertx vertx;
  private final RuleRegistry registry;
  private final EndpointRegistry endpoints;
  private final RuleOwnership ownership;
  private final Store store;
  /** Where the sinks register their meters; null when the node's metrics are off. */
  private final MeterRegistry meterRegistry;
  /** conf/sinks/websocket.yaml: property sets for resourceId. */
  private final Map<String, JsonObject> resources;
  /** What every sink gets of the node's {@code sink:} settings. */
  private final JsonObject sinkDefaults;
  private final Map<String, Runtime> runtimes = new HashMap<>();
  private final KeyedQueue queue = new KeyedQueue();
  /** Set by {@link #shutdown}: from then on the node reconciles nothing, so it neither claims nor starts a rule. */
  private boolean shutDown;

  public RuleManager(Vertx vertx, RuleRegistry registry, RuleOwnership ownership, EndpointRegistry endpoints,
                     SinkDefaults sinkDefaults, Store store, Map<String, JsonObject> resources, MeterRegistry meterRegistry) {
    this.vertx = vertx;
    this.ownership = ownership;
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
            .compose(this::deployIfOwned)
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
    RuleException exists = new RuleException("rule " + rule.id() + " already exists");
    return serialized(rule.id(), () -> registry.get(rule.id()).compose(existing -> {
      if (existing != null) {
        return Future.failedFuture(exists);
      }
      // created atomically: another node of a cluster may be creating the same id right now
      Future<Void> checked = rule.triggered() ? checkConnections(rule) : Future.succeededFuture();
      return checked.compose(v -> registry.create(new StoredRule(rule.id(), rule.definition(), rule.triggered())))
        .compose(created -> {
          if (!created) {
            return Future.failedFuture(exists);
          }
          if (!rule.triggered()) {
            runtime(rule.id()).message = CANCELED;
            return Future.succeededFuture();
          }
          return deployIfOwned(rule).recover(err -> Future.succeededFuture());
        });
    }).onComplete(ar -> ownership.changed(rule.id(), false)).map(rule.id()));
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
    })).onComplete(ar -> ownership.changed(id, false));
  }

  /**
   * Stored first, then restarted: an update the store refuses (disk full, read-only) changes nothing, and the rule runs on
   * as it was. The same order holds for stop and restart.
   */
  private Future<Void> replace(String id, Rule rule) {
    if (!rule.triggered()) {
      return registry.put(new StoredRule(id, rule.definition(), false))
        .compose(v -> stopHere(id))
        .onSuccess(v -> runtime(id).message = CANCELED);
    }
    return checkConnections(rule)
      .compose(v -> registry.put(new StoredRule(id, rule.definition(), true)))
      .compose(v -> undeploy(id, (short) 1000))
      .compose(v -> deployIfOwned(rule).recover(err -> Future.succeededFuture()));
  }

  public Future<Void> delete(String id) {
    return serialized(id, () -> existing(id)
      .compose(stored -> stopHere(id).compose(v -> clearCaches(id)))
      .compose(v -> registry.remove(id))
      .onSuccess(v -> runtimes.remove(id))
      .<Void>mapEmpty()).onComplete(ar -> ownership.changed(id, false));
  }

  public Future<Void> start(String id) {
    return serialized(id, () -> existing(id).compose(stored -> {
      if (runtime(id).running) {
        return Future.succeededFuture();
      }
      return parse(stored.definition()).compose(rule -> checkConnections(rule)
        .compose(v -> registry.put(new StoredRule(id, stored.definition(), true)))
        .compose(v -> deployIfOwned(rule)));
    })).onComplete(ar -> ownership.changed(id, false));
  }

  public Future<Void> stop(String id) {
    return serialized(id, () -> existing(id)
      .compose(stored -> registry.put(new StoredRule(id, stored.definition(), false))
        .compose(v -> stopHere(id)))
      .onSuccess(v -> runtime(id).message = CANCELED)).onComplete(ar -> ownership.changed(id, false));
  }

  public Future<Void> restart(String id) {
    return serialized(id, () -> existing(id).compose(stored -> parse(stored.definition())
      .compose(rule -> checkConnections(rule)
        .compose(v -> registry.put(new StoredRule(id, stored.definition(), true)))
        .compose(v -> undeploy(id, (short) 1000))
        .compose(v -> deployIfOwned(rule)))))
      .onComplete(ar -> ownership.changed(id, true));
  }

  /** The definition as given, secrets masked, or a failed future with {@link RuleNotFoundException}. */
  public Future<JsonObject> get(String id) {
    return existing(id).map(stored -> Secrets.mask(stored.definition()));
  }

  /**
   * {@code [{"id", "status", "message"}]} for every rule; in a cluster also {@code "node"}, the node that runs it. (A
   * rule running elsewhere is listed as running: its owner's status says whether every sink of it is well.)
   */
  public Future<JsonArray> list() {
    return registry.list().compose(all -> ownership.runningElsewhere().map(elsewhere -> {
      JsonArray out = new JsonArray();
      for (StoredRule stored : all) {
        Runtime rt = runtimes.get(stored.id());
        boolean here = rt != null && rt.running;
        String node = here ? ownership.nodeId() : elsewhere.get(stored.id());
        boolean running = here || node != null;
        JsonObject entry = new JsonObject().put("id", stored.id()).put("status", running ? "running" : "stopped")
          .put("message", running ? "" : stoppedMessage(rt, stored));
        if (node != null) {
          entry.put("node", node);
        }
        out.add(entry);
      }
      return out;
    }));
  }

  /**
   * §6.1 status: state, timestamps and, for instance n of action i, the eKuiper metrics under
   * {@code sink_websocket_<i>_<n>_}. In a cluster, the status comes from the node that runs the rule, and
   * {@code "node"} names it.
   */
  public Future<JsonObject> status(String id) {
    Runtime rt = runtimes.get(id);
    if (ownership.nodeId() == null || (rt != null && rt.running)) {
      return localStatus(id);
    }
    return ownership.runningElsewhere().compose(elsewhere -> {
      String owner = elsewhere.get(id);
      if (owner == null) {
        return localStatus(id);
      }
      return vertx.eventBus().<JsonObject>request(Addresses.nodeRules(owner),
          new JsonObject().put("op", OP_STATUS).put("id", id), OTHER_NODE)
        .map(Message::body)
        .recover(err -> localStatus(id).map(status -> status.put("node", owner)
          .put("message", "running on node " + owner + ", which did not answer: " + err.getMessage())));
    });
  }

  /** An operation a node of the cluster asks of the node that runs a rule ({@link Addresses#nodeRules}). */
  public static final String OP_STATUS = "status";

  /** {@link #status} of this node alone: what it runs, or the stored state. */
  public Future<JsonObject> localStatus(String id) {
    return existing(id).compose(stored -> {
      Runtime rt = runtimes.get(id);
      JsonObject status = new JsonObject();
      if (ownership.nodeId() != null && rt != null && rt.running) {
        status.put("node", ownership.nodeId());
      }
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
    return registry.list().compose(all -> ownership.runningElsewhere().map(elsewhere -> {
      Set<String> deployed = vertx.deploymentIDs();
      List<String> missing = new ArrayList<>();
      for (StoredRule stored : all) {
        Runtime rt = runtimes.get(stored.id());
        boolean live = rt != null && rt.running && deployed.containsAll(rt.deployments);
        if (stored.running() && !live && !elsewhere.containsKey(stored.id())) {
          missing.add(stored.id());
        }
      }
      return missing;
    }));
  }

  /**
   * Node shutdown: stops every running rule (input verticles first, so no message reaches a stopped action), leaving
   * the stored state alone so that the rules come back as they were. Client-mode actions close with 1001.
   */
  public Future<Void> shutdown() {
    shutDown = true;
    List<Future<Void>> stopped = new ArrayList<>();
    for (String id : List.copyOf(runtimes.keySet())) {
      // in a cluster the rules this node ran are let go, and the other nodes told, so that one of them takes each over
      // now rather than when this node is seen gone
      stopped.add(serialized(id, () -> {
        Runtime rt = runtimes.get(id); // gone when a drop of the rule came first
        boolean ran = rt != null && rt.running;
        return undeploy(id, (short) 1001).compose(v -> ran ? ownership.release(id) : Future.succeededFuture())
          .onSuccess(v -> {
            if (ran) {
              ownership.changed(id, false);
            }
          });
      }));
    }
    return Future.join(stopped).mapEmpty();
  }

  /**
   * Brings this node in line with a rule's definition and owner (§7): called when another node changed the rule
   * ({@code restart}: restarted it), and for every rule when cluster membership changes. The owner runs the rule as
   * defined (redeploying a changed definition); a node that does not own it holds its server-mode endpoints; a rule
   * stopped or dropped runs nowhere. A start that failed is not tried again until the definition changes.
   */
  public Future<Void> reconcile(String id, boolean restart) {
    if (shutDown) {
      return Future.succeededFuture(); // a cluster check under way when the node stopped: it runs nothing any more
    }
    return serialized(id, () -> shutDown ? Future.succeededFuture() : registry.get(id).compose(stored -> {
      Runtime rt = runtimes.get(id);
      if (stored == null || !stored.running()) {
        Future<Void> stopped = stopHere(id);
        if (stored == null && rt != null) {
          return stopped.compose(v -> clearCaches(id)).onSuccess(v -> runtimes.remove(id));
        }
        return stopped.onSuccess(v -> runtime(id).message = CANCELED);
      }
      // parsed only when there is something to do: this runs for every rule on every membership check
      return ownership.claim(id).compose(mine -> {
        if (!mine) {
          boolean current = rt != null && !rt.running && stored.definition().equals(rt.mirrored) && rt.cacheHandedOver;
          return current ? Future.succeededFuture() : parse(stored.definition()).compose(rule ->
            undeploy(id, (short) 1000).compose(v -> mirror(rule)).compose(v -> handOverCache(rule)));
        }
        boolean current = rt != null && stored.definition().equals(rt.deployed);
        if (current && !restart) {
          return Future.succeededFuture(); // running as defined, or failed to start as defined: nothing new to try
        }
        return parse(stored.definition()).compose(rule -> undeploy(id, (short) 1000).compose(v -> deployIfOwned(rule)));
      }).recover(err -> {
        runtime(id).message = err.getMessage();
        return Future.succeededFuture();
      });
    }));
  }

  /** {@link #reconcile} of every rule this node knows or runs. */
  public Future<Void> reconcileAll() {
    return registry.list().compose(all -> {
      Set<String> ids = new java.util.TreeSet<>(runtimes.keySet());
      all.forEach(r -> ids.add(r.id()));
      List<Future<Void>> done = new ArrayList<>();
      ids.forEach(id -> done.add(reconcile(id, false)));
      return Future.join(done).mapEmpty();
    });
  }

  /** Runs the rule here when this node owns it (always, on a single node); else holds its server-mode endpoints. */
  private Future<Void> deployIfOwned(Rule rule) {
    return ownership.claim(rule.id()).compose(mine -> {
      if (!mine) {
        return mirror(rule).compose(v -> handOverCache(rule));
      }
      // the sinks hold the endpoints under the same holder ids the mirrors used, replacing them without a gap
      Runtime rt = runtime(rule.id());
      rt.mirrors.clear();
      rt.mirrored = null;
      return deploy(rule);
    });
  }

  /**
   * Stops the rule on this node — its sinks, or the endpoints held for it — and lets another node own it. Whatever was
   * deployed or tried here is forgotten: should this node own the rule again, it starts it.
   */
  private Future<Void> stopHere(String id) {
    Runtime rt = runtimes.get(id);
    if (rt != null) {
      rt.deployed = null;
    }
    return undeploy(id, (short) 1000).compose(v -> releaseMirrors(id)).compose(v -> ownership.release(id));
  }

  /**
   * Holds, on this node's data server, the endpoints of a rule's server-mode actions that another node runs, with the
   * holder ids and per-client settings its sinks use there, so that the frames that node sends here find them.
   */
  private Future<Void> mirror(Rule rule) {
    Runtime rt = runtime(rule.id());
    List<Mirror> wanted = new ArrayList<>();
    List<Future<Void>> held = new ArrayList<>();
    List<WebSocketActionProps> actions = rule.parsed();
    for (int i = 0; i < actions.size(); i++) {
      WebSocketActionProps props = actions.get(i);
      if (props.clientMode()) {
        continue;
      }
      for (int n = 0; n < props.concurrency(); n++) {
        Mirror mirror = new Mirror(props.path(), EndpointHolder.ruleHolderId(rule.id(), i, n));
        wanted.add(mirror);
        if (!rt.mirrors.contains(mirror) || !rule.definition().equals(rt.mirrored)) {
          held.add(endpoints.hold(mirror.path(), new EndpointHolder(mirror.holderId(), props.pingInterval(),
            props.overflow(), props.clientQueueBytes())));
        }
      }
    }
    List<Future<Void>> released = new ArrayList<>();
    for (Mirror old : rt.mirrors) {
      if (!wanted.contains(old)) {
        released.add(endpoints.release(old.path(), old.holderId()));
      }
    }
    rt.mirrors.clear();
    rt.mirrors.addAll(wanted);
    rt.mirrored = rule.definition();
    rt.deployed = null;
    rt.message = "";
    return Future.join(held).compose(v -> Future.join(released)).mapEmpty();
  }

  /**
   * In a cluster, a node that kept a disk cache for a client-mode rule another node runs now (it ran the rule, left,
   * and came back) hands each page to that node's sink, which resends it; a page goes from this store only once taken.
   * Done once; a hand-over that fails (the owner's sink not started yet) is tried again at the next reconcile.
   */
  private Future<Void> handOverCache(Rule rule) {
    Runtime rt = runtime(rule.id());
    if (rt.cacheHandedOver) {
      return Future.succeededFuture();
    }
    rt.cacheHandedOver = true;
    Future<Void> chain = Future.succeededFuture();
    List<WebSocketActionProps> actions = rule.parsed();
    for (int i = 0; i < actions.size(); i++) {
      if (!actions.get(i).clientMode()) {
        continue;
      }
      String address = Addresses.cacheHandoff(rule.id(), i);
      for (int n = 0; n < actions.get(i).concurrency(); n++) {
        String key = WebSocketSinkVerticle.cacheKey(rule.id(), i, n);
        chain = chain.compose(v -> store.listCachePages(key)).compose(pages -> {
          Future<Void> pageChain = Future.succeededFuture();
          for (long[] page : pages) {
            pageChain = pageChain.compose(v -> store.loadCachePage(key, page[0]))
              .compose(cached -> vertx.eventBus().request(address, cached.items(), OTHER_NODE))
              .compose(taken -> store.deleteCachePage(key, page[0]));
          }
          return pageChain.onSuccess(v -> {
            if (!pages.isEmpty()) {
              LOG.info("rule {}: handed {} cached page(s) of {} to the node that runs it", rule.id(), pages.size(), key);
            }
          });
        });
      }
    }
    return chain.recover(err -> {
      rt.cacheHandedOver = false;
      LOG.warn("rule {}: could not hand its disk cache to the node that runs it yet: {}", rule.id(), err.getMessage());
      return Future.succeededFuture();
    });
  }

  private Future<Void> releaseMirrors(String id) {
    Runtime rt = runtimes.get(id);
    if (rt == null || rt.mirrors.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Future<Void>> released = new ArrayList<>();
    rt.mirrors.forEach(m -> released.add(endpoints.release(m.path(), m.holderId())));
    rt.mirrors.clear();
    rt.mirrored = null;
    return Future.join(released).mapEmpty();
  }

  /** A dropped rule leaves no disk cache behind on this node, of any instance of any of its actions. */
  private Future<Void> clearCaches(String id) {
    return store.clearCaches(WebSocketSinkVerticle.cacheKeyPrefix(id));
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
    rt.deployed = rule.definition();
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
