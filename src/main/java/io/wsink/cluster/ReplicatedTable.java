package io.wsink.cluster;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.wsink.Addresses;
import io.wsink.KeyedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A table every node of the cluster shares and every node persists (§7): rules, or endpoint registrations.
 *
 * <p>The live table is a Hazelcast map (through Vert.x's cluster-wide {@link AsyncMap}, one backup); each node mirrors
 * it into its own store, so that a node restarted alone, or the whole cluster restarted, finds every entry again. A
 * deletion leaves a tombstone in the map, so that a node that was down meanwhile does not bring the entry back when it
 * rejoins. (Tombstones live as long as the cluster does: a node that missed a deletion and then starts an empty cluster
 * alone still has the entry.) A node that changes an entry tells the others on the event bus; they mirror the new state
 * and react ({@link #listen}), and a periodic {@link #resync} catches any change a node missed.
 *
 * <p>Use it from one event loop: the one {@link #listen} was called on.
 */
final class ReplicatedTable {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicatedTable.class);
  private static final String VALUE = "value";
  private static final String DELETED = "deleted";

  /** What a node's store does with the table's entries. */
  interface Mirror {
    Future<Void> save(String key, JsonObject value);

    Future<Void> delete(String key);
  }

  /** An entry changed; {@code restart} is a rule restart asked for on another node. */
  record Change(String key, boolean restart) {
  }

  private final Vertx vertx;
  private final String name;
  private final String nodeId;
  private final AsyncMap<String, String> map;
  private final Mirror mirror;
  /** What this node's store holds now. */
  private final Map<String, JsonObject> mirrored = new HashMap<>();
  private final KeyedQueue perKey = new KeyedQueue();
  private MessageConsumer<JsonObject> changes;
  private Handler<Change> handler = c -> { };

  private ReplicatedTable(Vertx vertx, String name, String nodeId, AsyncMap<String, String> map, Mirror mirror) {
    this.vertx = vertx;
    this.name = name;
    this.nodeId = nodeId;
    this.map = map;
    this.mirror = mirror;
  }

  /**
   * Joins the cluster's table: entries this node's store has and the cluster lacks are added (a cluster restarted
   * from stores), and the store is brought in line with the cluster's table.
   *
   * @param stored the entries in this node's store
   */
  static Future<ReplicatedTable> join(Vertx vertx, String name, String nodeId, Map<String, JsonObject> stored,
                                      Mirror mirror) {
    return vertx.sharedData().<String, String>getAsyncMap(Addresses.clusterTable(name)).compose(map -> {
      ReplicatedTable table = new ReplicatedTable(vertx, name, nodeId, map, mirror);
      table.mirrored.putAll(stored);
      List<Future<?>> added = new ArrayList<>();
      for (Map.Entry<String, JsonObject> e : stored.entrySet()) {
        added.add(map.putIfAbsent(e.getKey(), live(e.getValue())));
      }
      return Future.all(added).compose(v -> table.resyncAll()).map(table);
    });
  }

  /** Starts reacting to changes made on other nodes, on the caller's event loop. */
  Future<Void> listen(Handler<Change> onChange) {
    this.handler = onChange;
    changes = vertx.eventBus().consumer(Addresses.clusterTable(name), msg -> {
      JsonObject body = msg.body();
      if (nodeId.equals(body.getString("origin"))) {
        return; // the origin applied its own change
      }
      String key = body.getString("key");
      boolean restart = body.getBoolean("restart", false);
      resync(key).onComplete(ar -> handler.handle(new Change(key, restart)));
    });
    return changes.completion();
  }

  Future<Void> close() {
    MessageConsumer<JsonObject> consumer = changes;
    changes = null;
    handler = c -> { };
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /** The live entries, by key. */
  Future<Map<String, JsonObject>> entries() {
    return map.entries().map(all -> {
      Map<String, JsonObject> live = new HashMap<>();
      all.forEach((k, v) -> {
        JsonObject value = decode(v).getJsonObject(VALUE);
        if (value != null) {
          live.put(k, value);
        }
      });
      return live;
    });
  }

  /** The live entry, or null. */
  Future<JsonObject> get(String key) {
    return map.get(key).map(v -> v == null ? null : decode(v).getJsonObject(VALUE));
  }

  /**
   * Writes the entry cluster-wide and to this node's store. The caller {@link #announce}s it once it has done its own
   * part (a rule's node first claims the rule, so that the others need not race for it).
   */
  Future<Void> put(String key, JsonObject value) {
    return perKey.run(key, () -> map.put(key, live(value)).compose(v -> mirrorSave(key, value)));
  }

  /**
   * Adds the entry cluster-wide, atomically, unless a live one exists (a tombstone is replaced), and to this node's
   * store; the caller {@link #announce}s it.
   *
   * @return false when a live entry exists
   */
  Future<Boolean> create(String key, JsonObject value) {
    String entry = live(value);
    return perKey.run(key, () -> map.putIfAbsent(key, entry).compose(previous -> {
      if (previous == null) {
        return mirrorSave(key, value).map(true);
      }
      if (decode(previous).getJsonObject(VALUE) != null) {
        return Future.succeededFuture(false);
      }
      return map.replaceIfPresent(key, previous, entry)
        .compose(replaced -> replaced ? mirrorSave(key, value).map(true) : Future.succeededFuture(false));
    }));
  }

  /** Leaves a tombstone cluster-wide and deletes the entry from this node's store; the caller {@link #announce}s it. */
  Future<Boolean> remove(String key) {
    return perKey.run(key, () -> get(key).compose(existing -> {
      if (existing == null) {
        return Future.succeededFuture(false);
      }
      return map.put(key, new JsonObject().put(DELETED, true).encode())
        .compose(v -> mirrorDelete(key))
        .map(true);
    }));
  }

  /** Tells the other nodes that {@code key} changed, or is to restart. */
  void announce(String key, boolean restart) {
    vertx.eventBus().publish(Addresses.clusterTable(name),
      new JsonObject().put("key", key).put("origin", nodeId).put("restart", restart));
  }

  /**
   * Brings this node's store in line with the cluster's table, and reports each entry that changed to the
   * {@link #listen} handler: what a change announcement missed.
   */
  Future<Void> resyncAll() {
    return map.entries().compose(all -> {
      List<Future<Void>> done = new ArrayList<>();
      for (Map.Entry<String, String> e : all.entrySet()) {
        String key = e.getKey();
        JsonObject value = decode(e.getValue()).getJsonObject(VALUE);
        if (!Objects.equals(value, mirrored.get(key))) {
          // read again in the key's turn: a change made here meanwhile (queued before) must not be undone by this read
          done.add(resync(key).onSuccess(v -> handler.handle(new Change(key, false))));
        }
      }
      return Future.join(done).mapEmpty();
    });
  }

  private Future<Void> resync(String key) {
    return perKey.run(key, () -> map.get(key).compose(v -> apply(key, v == null ? null : decode(v).getJsonObject(VALUE))));
  }

  private Future<Void> apply(String key, JsonObject value) {
    if (Objects.equals(value, mirrored.get(key))) {
      return Future.succeededFuture();
    }
    return (value == null ? mirrorDelete(key) : mirrorSave(key, value))
      .onFailure(err -> LOG.error("could not mirror the {} entry {} into this node's store: {}", name, key,
        err.getMessage()));
  }

  private Future<Void> mirrorSave(String key, JsonObject value) {
    return mirror.save(key, value).onSuccess(v -> mirrored.put(key, value));
  }

  private Future<Void> mirrorDelete(String key) {
    return mirror.delete(key).onSuccess(v -> mirrored.remove(key));
  }

  private static String live(JsonObject value) {
    return new JsonObject().put(VALUE, value).encode();
  }

  private static JsonObject decode(String entry) {
    return new JsonObject(entry);
  }
}
