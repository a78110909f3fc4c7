package io.wsink.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.wsink.Addresses;
import io.wsink.rule.RuleManager;
import io.wsink.server.EndpointHolder;
import io.wsink.server.EndpointRegistrations;
import io.wsink.server.EndpointRegistry;
import io.wsink.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What makes a node one of a cluster (§7): cluster-wide rules and endpoint registrations that every node also keeps in
 * its own store, one owner per rule, and the watch on membership that moves the rules of a node that left.
 *
 * <p>{@link #join} before the REST API starts (it brings this node's store in line with the cluster's); {@link #start}
 * on the REST verticle's event loop, where the rule manager runs; {@link #stop} when the node stops.
 */
public final class ClusterNode {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);
  /** Every this often the node also re-reads the cluster's tables and owners, in case it missed an announcement. */
  private static final int FULL_CHECK_EVERY = 10;

  private final Vertx vertx;
  private final ClusterView view;
  private final ReplicatedTable rules;
  private final ReplicatedTable registrations;
  private final ClusterOwnership ownership;
  private MessageConsumer<JsonObject> requests;
  private long timer = -1;
  private int ticks;
  private boolean checking;
  /**
   * The members the last check acted on (the view's list object, which changes only with membership); null before the
   * first check, which checks every rule once (membership may have changed since the rules were recovered).
   */
  private List<String> checkedMembers;

  private ClusterNode(Vertx vertx, ClusterView view, ReplicatedTable rules, ReplicatedTable registrations,
                      ClusterOwnership ownership) {
    this.vertx = vertx;
    this.view = view;
    this.rules = rules;
    this.registrations = registrations;
    this.ownership = ownership;
  }

  /**
   * Makes this node's view of the cluster available ({@link ClusterView#of}): before the data server starts, whose
   * endpoints then take frames from every node.
   */
  public static void prepare(Vertx vertx) {
    ClusterView.install(vertx);
  }

  /**
   * Joins the cluster's rules and registrations with those in this node's store. The data server must be up: the
   * cluster's registrations are held on it.
   */
  public static Future<ClusterNode> join(Vertx vertx, Store store, EndpointRegistry endpoints) {
    ClusterView view = ClusterView.of(vertx);
    ReplicatedTable.Mirror ruleMirror = new ReplicatedTable.Mirror() {
      @Override
      public Future<Void> save(String id, JsonObject value) {
        return store.saveRule(ClusterRuleRegistry.fromJson(id, value));
      }

      @Override
      public Future<Void> delete(String id) {
        return store.deleteRule(id);
      }
    };
    ReplicatedTable.Mirror registrationMirror = new ReplicatedTable.Mirror() {
      @Override
      public Future<Void> save(String path, JsonObject value) {
        return endpoints.hold(path, EndpointHolder.rest()).compose(v -> store.saveEndpoint(path));
      }

      @Override
      public Future<Void> delete(String path) {
        return store.deleteEndpoint(path).compose(v -> endpoints.release(path, EndpointHolder.REST));
      }
    };
    Future<ReplicatedTable> ruleTable = store.loadRules().compose(stored -> {
      Map<String, JsonObject> byId = new HashMap<>();
      stored.forEach(r -> byId.put(r.id(), ClusterRuleRegistry.toJson(r)));
      return ReplicatedTable.join(vertx, "rules", view.nodeId(), byId, ruleMirror);
    });
    Future<ReplicatedTable> registrationTable = store.loadEndpoints().compose(stored -> {
      Map<String, JsonObject> byPath = new HashMap<>();
      stored.forEach(path -> byPath.put(path, new JsonObject()));
      return ReplicatedTable.join(vertx, "endpoints", view.nodeId(), byPath, registrationMirror);
    });
    return Future.all(ruleTable, registrationTable)
      .compose(v -> vertx.sharedData().<String, String>getAsyncMap(Addresses.clusterTable("owners")))
      .map(owners -> {
        ClusterNode node = new ClusterNode(vertx, view, ruleTable.result(), registrationTable.result(),
          new ClusterOwnership(owners, view, ruleTable.result()));
        LOG.info("joined the cluster as node {} ({} member(s))", view.nodeId(), view.nodes().size());
        return node;
      });
  }

  /** This node's rules, owners and registrations: the cluster's. */
  public Membership membership() {
    return new Membership(new ClusterRuleRegistry(rules), ownership, clusterRegistrations(), this);
  }

  private EndpointRegistrations clusterRegistrations() {
    return new EndpointRegistrations() {
      @Override
      public Future<List<String>> load() {
        return registrations.entries().map(all -> all.keySet().stream().sorted().toList());
      }

      @Override
      public Future<Void> save(String path) {
        return registrations.put(path, new JsonObject()).onSuccess(v -> registrations.announce(path, false));
      }

      @Override
      public Future<Void> delete(String path) {
        return registrations.remove(path).onSuccess(v -> registrations.announce(path, false)).mapEmpty();
      }
    };
  }

  /** Starts acting on changes and membership, on the caller's event loop (the rule manager's). */
  public Future<Void> start(RuleManager manager) {
    requests = vertx.eventBus().consumer(Addresses.nodeRules(view.nodeId()), msg -> answer(manager, msg));
    return Future.all(rules.listen(change -> manager.reconcile(change.key(), change.restart())),
        registrations.listen(change -> { }), requests.completion())
      .onSuccess(v -> timer = vertx.setPeriodic(ClusterView.REFRESH_MS, id -> check(manager)))
      .mapEmpty();
  }

  /**
   * Each second: a change of membership has every rule checked at once (a node gone leaves its rules to be claimed);
   * every tenth second the tables and owners are re-read in full.
   */
  private void check(RuleManager manager) {
    if (checking || !view.active()) { // not a member any more (Hazelcast shut down): readiness says so
      return;
    }
    boolean full = ++ticks % FULL_CHECK_EVERY == 0;
    // compared with what the last check saw, not with the last refresh: a claim refreshes the view too, and the change
    // it saw must still have every rule checked
    view.refresh();
    List<String> members = view.nodes();
    boolean first = checkedMembers == null;
    boolean changed = members != checkedMembers;
    checkedMembers = members;
    if (!changed && !full) {
      return;
    }
    if (changed && !first) {
      LOG.info("cluster membership changed: {} member(s)", view.nodes().size());
    }
    checking = true;
    Future<Void> resynced = full ? Future.join(rules.resyncAll(), registrations.resyncAll()).mapEmpty()
      : Future.succeededFuture();
    resynced.transform(ar -> manager.reconcileAll()).onComplete(ar -> {
      checking = false;
      if (ar.failed()) {
        LOG.warn("cluster check failed: {}", ar.cause().getMessage());
      }
    });
  }

  private static void answer(RuleManager manager, Message<JsonObject> msg) {
    JsonObject body = msg.body();
    if (!RuleManager.OP_STATUS.equals(body.getString("op"))) {
      msg.fail(400, "unknown rule operation " + body.getString("op"));
      return;
    }
    manager.localStatus(body.getString("id")).onComplete(ar -> {
      if (ar.succeeded()) {
        msg.reply(ar.result());
      } else {
        msg.fail(404, ar.cause().getMessage());
      }
    });
  }

  /** For readiness (§6.5): this node's id and the members it sees, or null when it is no longer in a cluster. */
  public JsonObject status() {
    if (!view.active()) {
      return null;
    }
    return new JsonObject().put("node", view.nodeId()).put("members", view.nodes().size());
  }

  /** Stops following the cluster; the node stays a member until its Vert.x closes. Can be called more than once. */
  public Future<Void> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    MessageConsumer<JsonObject> consumer = requests;
    requests = null;
    Future<Void> closed = consumer == null ? Future.succeededFuture() : consumer.unregister();
    return Future.join(closed, rules.close(), registrations.close()).mapEmpty();
  }

  /** Undoes {@link #prepare}, when the node stops. */
  public static void leave(Vertx vertx) {
    ClusterView view = ClusterView.of(vertx);
    if (view != null) {
      ClusterView.uninstall(vertx, view);
    }
  }
}
