package io.wsink.sink;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsink.pipeline.Payload;
import io.wsink.store.CachePage;
import io.wsink.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

/**
 * The cache of a client-mode action (§5.2): sits before the client target. While the target can take more (connected,
 * buffer not full) and nothing is cached, payloads go straight through. Otherwise they are kept — in memory up to
 * {@code memoryCacheThreshold}, then on disk (the store) in pages of {@code bufferPageSize} up to {@code maxDiskCache},
 * the oldest page going, counted, when even that is full — and resent in order (disk pages, then memory) once the
 * target can take them, {@code resendInterval} ms apart, with {@code resendIndicatorField} set on resent rows.
 *
 * <p>A disk page is deleted only once all of it was written to the socket, so what reached disk survives a crash
 * (and may then arrive twice). Confined to the sink verticle's event loop.
 */
final class CacheStage {

  private static final Logger LOG = LoggerFactory.getLogger(CacheStage.class);

  /** Sends one payload on: encode and hand the frames to the target. */
  interface Emitter {
    void emit(Payload payload, List<Promise<Integer>> rowAcks, long receivedNanos);
  }

  private record Unit(Payload payload, List<Promise<Integer>> rowAcks, long receivedNanos) {
  }

  private final Vertx vertx;
  private final CacheSettings settings;
  private final Store store;
  private final String key;
  private final ClientTarget target;
  private final SinkMetrics metrics;
  private final Emitter emitter;
  private final ArrayDeque<Unit> memory = new ArrayDeque<>();
  /** Disk pages not yet loaded for resending: {page, payload count, 1 once the store committed it}, oldest first. */
  private final ArrayDeque<long[]> disk = new ArrayDeque<>();
  /** The payloads of the oldest disk page, being resent. */
  private final ArrayDeque<Unit> loaded = new ArrayDeque<>();
  private long loadedPage = -1;
  private long diskCount;
  /** Payloads in pages the store has committed: what a crash cannot take away. */
  private long committed;
  private long nextPage;
  private boolean loading;
  private long resendTimer = -1;
  private boolean draining;
  private boolean drainAgain;
  private boolean stopped;
  /** Cache pages are failing to be written: logged once, until one is written again. */
  private boolean writeFailing;

  CacheStage(Vertx vertx, CacheSettings settings, Store store, String key, ClientTarget target, SinkMetrics metrics,
             Emitter emitter) {
    this.vertx = vertx;
    this.settings = settings;
    this.store = store;
    this.key = key;
    this.target = target;
    this.metrics = metrics;
    this.emitter = emitter;
  }

  /** Picks up what an earlier run left on disk (also after a crash): it is resent once the target connects. */
  Future<Void> start() {
    target.readyHandler(this::drain);
    return store.listCachePages(key).map(pages -> {
      for (long[] listed : pages) {
        long[] page = {listed[0], listed[1], 1};
        committed += page[1];
        disk.add(page);
        diskCount += page[1];
        nextPage = Math.max(nextPage, page[0] + 1);
      }
      if (diskCount > 0) {
        LOG.info("{}: {} cached payload(s) on disk from an earlier run will be resent", key, diskCount);
      }
      return null;
    });
  }

  /** Payloads on disk that the store has committed ({@code cache_disk_length} in the status). */
  long committedOnDisk() {
    return committed;
  }

  /** Payloads waiting here (memory and disk), for {@code buffer_length}. */
  long length() {
    return memory.size() + loaded.size() + diskCount;
  }

  void accept(Payload payload, List<Promise<Integer>> rowAcks, long receivedNanos) {
    if (memory.isEmpty() && loaded.isEmpty() && disk.isEmpty() && target.canTakeMore()) {
      emitter.emit(payload, rowAcks, receivedNanos);
      return;
    }
    memory.add(new Unit(payload, rowAcks, receivedNanos));
    spill();
    drain();
  }

  /** Moves the oldest memory payloads to disk, a page at a time, while memory holds more than its threshold. */
  private void spill() {
    while (memory.size() > settings.memoryCacheThreshold()) {
      List<Unit> page = new ArrayList<>();
      while (page.size() < settings.bufferPageSize() && !memory.isEmpty()) {
        page.add(memory.poll());
      }
      writePage(page);
    }
  }

  private Future<Void> writePage(List<Unit> units) {
    while (!disk.isEmpty() && diskCount + units.size() > settings.maxDiskCache()) {
      long[] oldest = disk.poll(); // the disk cache is full: the oldest page goes, and the loss is counted
      diskCount -= oldest[1];
      committed -= oldest[2] == 1 ? oldest[1] : 0;
      metrics.dropped += oldest[1];
      store.deleteCachePage(key, oldest[0]);
      LOG.warn("{}: disk cache full ({} payloads): dropped the oldest page of {}", key, settings.maxDiskCache(), oldest[1]);
    }
    JsonArray items = new JsonArray();
    for (Unit u : units) {
      items.add(encode(u.payload()));
    }
    long page = nextPage++;
    long[] entry = {page, units.size(), 0};
    disk.add(entry);
    diskCount += units.size();
    return store.saveCachePage(key, new CachePage(page, items))
      .onSuccess(v -> {
        if (writeFailing) {
          writeFailing = false;
          LOG.info("{}: cache pages are written again", key);
        }
        if (disk.contains(entry)) { // not dropped or loaded meanwhile
          entry[2] = 1;
          committed += entry[1];
        }
        // the payload lives on disk now: whoever waits is told it will be resent rather than kept waiting
        failAcks(units, AckFailure.CACHED, "cached on disk: it will be resent when the connection is back");
      })
      .onFailure(err -> pageLost(entry, units, err));
  }

  /**
   * A page the store could not write (its disk full, its file system read-only) is lost: counted as dropped, named in
   * {@code last_exception}, its acknowledgements failed; logged once per burst of such failures, not once per page.
   */
  private void pageLost(long[] entry, List<Unit> units, Throwable err) {
    String why = "cache page " + entry[0] + " of " + key + " (" + entry[1] + " payload(s)) could not be written and is"
      + " dropped: " + err.getMessage();
    if (disk.remove(entry)) { // else dropped as the oldest meanwhile, and counted then
      diskCount -= entry[1];
      metrics.dropped += entry[1];
    }
    metrics.exception(why);
    failAcks(units, AckFailure.DROPPED, why);
    if (!writeFailing) {
      writeFailing = true;
      LOG.error("{}; pages that cannot be written are counted in records_dropped_total, and not logged, until one is", why);
    }
  }

  private static void failAcks(List<Unit> units, int code, String why) {
    units.forEach(u -> u.rowAcks().stream().filter(a -> a != null).forEach(a -> a.tryFail(new ReplyException(
      ReplyFailure.RECIPIENT_FAILURE, code, why))));
  }

  /**
   * Resends, in order, while the target can take more ({@code resendInterval} ms apart when set). A call that arrives
   * while a drain runs (a page load completing inside it, say) makes that drain go round once more instead of being lost.
   */
  void drain() {
    if (draining) {
      drainAgain = true;
      return;
    }
    draining = true;
    try {
      do {
        drainAgain = false;
        while (!stopped && resendTimer < 0 && target.canTakeMore()) {
          Unit next = next();
          if (next == null) {
            break;
          }
          if (settings.resendInterval() > 0) {
            resendTimer = vertx.setTimer(settings.resendInterval(), id -> {
              resendTimer = -1;
              drain();
            });
          }
          emitter.emit(withIndicator(next.payload()), next.rowAcks(), next.receivedNanos());
        }
      } while (drainAgain);
    } finally {
      draining = false;
    }
  }

  /** The oldest cached payload: the loaded disk page, then (once no page is left) memory; null while loading. */
  private Unit next() {
    if (!loaded.isEmpty()) {
      return loaded.poll();
    }
    if (!disk.isEmpty()) {
      if (!loading) {
        load(disk.peek()[0]);
      }
      return null;
    }
    return memory.poll();
  }

  private void load(long page) {
    loading = true;
    store.loadCachePage(key, page).onComplete(ar -> {
      loading = false;
      long[] head = disk.peek();
      if (stopped) {
        return;
      }
      if (head == null || head[0] != page) {
        drain(); // dropped meanwhile (the oldest of a full cache, or never written): go on with what is next
        return;
      }
      disk.poll();
      diskCount -= head[1];
      committed -= head[2] == 1 ? head[1] : 0;
      if (ar.failed() || ar.result() == null) {
        LOG.error("{}: cache page {} could not be read: {}", key, page, ar.failed() ? ar.cause().getMessage() : "gone");
        metrics.dropped += head[1];
        drain();
        return;
      }
      JsonArray items = ar.result().items();
      for (int i = 0; i < items.size(); i++) {
        Payload payload = decode(items.getJsonObject(i));
        int rows = payload instanceof Payload.Rows r ? Math.max(1, r.rows().size()) : 1;
        List<Promise<Integer>> acks = new ArrayList<>(Collections.nCopies(rows, null));
        if (i == items.size() - 1) {
          // the page goes from disk once its last payload was written (or could not be)
          Promise<Integer> written = Promise.promise();
          written.future().onComplete(x -> store.deleteCachePage(key, page));
          acks.set(rows - 1, written);
        }
        loaded.add(new Unit(payload, acks, System.nanoTime()));
      }
      loadedPage = page;
      drain();
    });
  }

  private Payload withIndicator(Payload payload) {
    String field = settings.resendIndicatorField();
    if (field == null || field.isEmpty() || !(payload instanceof Payload.Rows r)) {
      return payload;
    }
    List<JsonObject> marked = new ArrayList<>(r.rows().size());
    r.rows().forEach(row -> marked.add(row.copy().put(field, true)));
    return new Payload.Rows(marked);
  }

  /**
   * Stop: with {@code cleanCacheAtStop} the cache is emptied, else what is in memory goes to disk so that the next
   * start resends it. Of a disk page being resent, what did not go out yet stays on disk.
   */
  Future<Void> stop() {
    stopped = true;
    if (resendTimer >= 0) {
      vertx.cancelTimer(resendTimer);
    }
    if (settings.cleanCacheAtStop()) {
      metrics.dropped += memory.size();
      memory.forEach(u -> u.rowAcks().stream().filter(a -> a != null).forEach(a -> a.tryFail(new ReplyException(
        ReplyFailure.RECIPIENT_FAILURE, AckFailure.STOPPED, "the rule stopped and its cache was cleaned"))));
      memory.clear();
      return store.clearCache(key);
    }
    List<Future<Void>> saved = new ArrayList<>();
    if (!loaded.isEmpty()) {
      // a stop is no crash: the page being resent keeps only what did not go out yet
      JsonArray left = new JsonArray();
      loaded.forEach(u -> left.add(encode(u.payload())));
      loaded.clear();
      saved.add(store.saveCachePage(key, new CachePage(loadedPage, left)));
    }
    List<Unit> rest = new ArrayList<>(memory);
    memory.clear();
    for (int from = 0; from < rest.size(); from += settings.bufferPageSize()) {
      saved.add(writePage(rest.subList(from, Math.min(rest.size(), from + settings.bufferPageSize()))));
    }
    return Future.join(saved).mapEmpty();
  }

  /** A payload as a cache item: {@code {"r": rows}}, {@code {"t": text}} or {@code {"b": base64}}. */
  static JsonObject encode(Payload payload) {
    if (payload instanceof Payload.Rows r) {
      return new JsonObject().put("r", new JsonArray(new ArrayList<>(r.rows())));
    }
    if (payload instanceof Payload.Text t) {
      return new JsonObject().put("t", t.text());
    }
    return new JsonObject().put("b", Base64.getEncoder().encodeToString(((Payload.Binary) payload).data().getBytes()));
  }

  static Payload decode(JsonObject item) {
    if (item.containsKey("r")) {
      List<JsonObject> rows = new ArrayList<>();
      item.getJsonArray("r").forEach(o -> rows.add((JsonObject) o));
      return new Payload.Rows(rows);
    }
    if (item.containsKey("t")) {
      return new Payload.Text(item.getString("t"));
    }
    return new Payload.Binary(Buffer.buffer(Base64.getDecoder().decode(item.getString("b"))));
  }
}
