package io.wsink.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The disk cache of the sinks in the store (§5.2): pages of cached payloads per sink key (a rule action), saved, listed,
 * loaded, deleted and cleared, in page order, each sink's pages independent of the others', and durable across a
 * close and reopen.
 */
@ExtendWith(VertxExtension.class)
class SqliteCacheStoreTest {

  @TempDir
  Path tmp;

  @Test
  void pagesComeBackInPageOrderWhateverTheOrderTheyWereSavedIn(Vertx vertx) throws Exception {
    Store store = open(vertx, tmp);
    CachePage p2 = page(2, 3);
    CachePage p0 = page(0, 5);
    CachePage p1 = page(1, 1);
    await(store.saveCachePage("r1/0", p2));
    await(store.saveCachePage("r1/0", p0));
    await(store.saveCachePage("r1/0", p1));

    assertEquals(List.of(p0, p1, p2), await(store.loadCachePages("r1/0")));
    assertPages(List.of(new long[] {0, 5}, new long[] {1, 1}, new long[] {2, 3}), await(store.listCachePages("r1/0")));
    await(store.close());
  }

  @Test
  void pageNumbersBeyondIntOrderNumericallyNotAsText(Vertx vertx) throws Exception {
    Store store = open(vertx, tmp);
    long big = 3_000_000_000L;
    await(store.saveCachePage("r/0", page(big, 1)));
    await(store.saveCachePage("r/0", page(10, 1)));
    await(store.saveCachePage("r/0", page(9, 1)));

    assertPages(List.of(new long[] {9, 1}, new long[] {10, 1}, new long[] {big, 1}), await(store.listCachePages("r/0")));
    assertEquals(page(big, 1), await(store.loadCachePage("r/0", big)));
    await(store.close());
  }

  @Test
  void onePageLoadsWithItsItemsAndAnAbsentPageIsNull(Vertx vertx) throws Exception {
    Store store = open(vertx, tmp);
    CachePage mixed = new CachePage(7, new JsonArray()
      .add(new JsonObject().put("r", new JsonArray().add(new JsonObject().put("t", 22.5).put("name", "é✓\"q\"")
        .put("nested", new JsonObject().put("a", new JsonArray().add(1).add(2))))))
      .add(new JsonObject().put("t", "plain text\nwith a newline"))
      .add(new JsonObject().put("b", "AAEC/w==")));
    await(store.saveCachePage("r1/0", mixed));

    assertEquals(mixed, await(store.loadCachePage("r1/0", 7)));
    assertNull(await(store.loadCachePage("r1/0", 8)), "no page 8");
    assertNull(await(store.loadCachePage("other/0", 7)), "page 7 of another sink");
    await(store.close());
  }

  @Test
  void listingCountsThePayloadsOfEachPageWithoutLoadingThem(Vertx vertx) throws Exception {
    Store store = open(vertx, tmp);
    await(store.saveCachePage("r/0", page(0, 256)));
    await(store.saveCachePage("r/0", page(1, 0)));
    await(store.saveCachePage("r/0", page(2, 17)));

    assertPages(List.of(new long[] {0, 256}, new long[] {1, 0}, new long[] {2, 17}), await(store.listCachePages("r/0")));
    await(store.close());
  }

  @Test
  void savingAPageAgainReplacesIt(Vertx vertx) throws Exception {
    Store store = open(vertx, tmp);
    await(store.saveCachePage("r/0", page(0, 5)));
    CachePage replaced = new CachePage(0, new JsonArray().add(new JsonObject().put("t", "replaced")));
    await(store.saveCachePage("r/0", replaced));

    assertEquals(List.of(replaced), await(store.loadCachePages("r/0")));
    assertPages(List.of(new long[] {0, 1}), await(store.listCachePages("r/0")));
    await(store.close());
  }

  @Test
  void deletingAPageRemovesOnlyThatPageOfThatSink(Vertx vertx) throws Exception {
    Store store = open(vertx, tmp);
    for (long p = 0; p < 3; p++) {
      await(store.saveCachePage("r/0", page(p, 2)));
      await(store.saveCachePage("r/1", page(p, 2)));
    }
    await(store.deleteCachePage("r/0", 1));
    await(store.deleteCachePage("r/0", 1)); // again: no error
    await(store.deleteCachePage("r/0", 99)); // never there: no error
    await(store.deleteCachePage("never/0", 0));

    assertEquals(List.of(page(0, 2), page(2, 2)), await(store.loadCachePages("r/0")));
    assertEquals(List.of(page(0, 2), page(1, 2), page(2, 2)), await(store.loadCachePages("r/1")),
      "the same page number of another action is untouched");
    assertNull(await(store.loadCachePage("r/0", 1)));
    await(store.close());
  }

  @Test
  void clearingRemovesEveryPageOfOneSinkAndNothingElse(Vertx vertx) throws Exception {
    Store store = open(vertx, tmp);
    for (long p = 0; p < 4; p++) {
      await(store.saveCachePage("r/0", page(p, 3)));
    }
    await(store.saveCachePage("r/1", page(0, 3)));
    await(store.saveCachePage("r/10", page(0, 3)));
    await(store.saveCachePage("r", page(0, 3)));
    await(store.saveCachePage("other/0", page(5, 3)));
    StoredRule rule = new StoredRule("r", new JsonObject().put("id", "r"), true);
    await(store.saveRule(rule));

    await(store.clearCache("r/0"));
    await(store.clearCache("nobody/0")); // nothing cached: no error

    assertEquals(List.of(), await(store.loadCachePages("r/0")));
    assertEquals(List.of(), await(store.listCachePages("r/0")));
    assertEquals(List.of(page(0, 3)), await(store.loadCachePages("r/1")));
    assertEquals(List.of(page(0, 3)), await(store.loadCachePages("r/10")), "keys are compared whole, not as prefixes");
    assertEquals(List.of(page(0, 3)), await(store.loadCachePages("r")));
    assertEquals(List.of(page(5, 3)), await(store.loadCachePages("other/0")));
    assertEquals(List.of(rule), await(store.loadRules()), "the cache has nothing to do with the rules");
    await(store.close());
  }

  @Test
  void clearingByPrefixRemovesEveryInstanceOfOneRuleAndNothingElse(Vertx vertx) throws Exception {
    Store store = open(vertx, tmp);
    for (String sink : List.of("r/0", "r/0/1", "r/1/2", "r2/0", "rr/0", "_r/0", "%/0")) {
      await(store.saveCachePage(sink, page(0, 2)));
    }

    await(store.clearCaches("r/"));
    await(store.clearCaches("%/")); // taken literally, not as a LIKE pattern

    for (String gone : List.of("r/0", "r/0/1", "r/1/2", "%/0")) {
      assertEquals(List.of(), await(store.loadCachePages(gone)), gone);
    }
    for (String kept : List.of("r2/0", "rr/0", "_r/0")) {
      assertEquals(List.of(page(0, 2)), await(store.loadCachePages(kept)), kept + " is another rule's");
    }
    await(store.close());
  }

  @Test
  void sinksKeepTheirOwnPagesUnderTheSameNumbers(Vertx vertx) throws Exception {
    Store store = open(vertx, tmp);
    CachePage a = new CachePage(0, new JsonArray().add(new JsonObject().put("t", "a")));
    CachePage b = new CachePage(0, new JsonArray().add(new JsonObject().put("t", "b")).add(new JsonObject().put("t", "b2")));
    await(store.saveCachePage("a/0", a));
    await(store.saveCachePage("b/0", b));

    assertEquals(List.of(a), await(store.loadCachePages("a/0")));
    assertEquals(List.of(b), await(store.loadCachePages("b/0")));
    assertPages(List.of(new long[] {0, 1}), await(store.listCachePages("a/0")));
    assertPages(List.of(new long[] {0, 2}), await(store.listCachePages("b/0")));
    assertEquals(List.of(), await(store.loadCachePages("c/0")), "a sink that cached nothing has no pages");
    assertEquals(List.of(), await(store.listCachePages("c/0")));
    await(store.close());
  }

  @Test
  void pagesSurviveCloseAndReopen(Vertx vertx) throws Exception {
    Store store = open(vertx, tmp);
    List<CachePage> saved = new ArrayList<>();
    for (long p = 0; p < 5; p++) {
      saved.add(page(p, 4));
      await(store.saveCachePage("r/0", saved.get((int) p)));
    }
    await(store.deleteCachePage("r/0", 0));
    saved.remove(0);
    await(store.saveCachePage("r/1", page(0, 1)));
    await(store.clearCache("r/1"));
    await(store.close());

    Store reopened = open(vertx, tmp);
    assertEquals(saved, await(reopened.loadCachePages("r/0")), "what was saved is back, what was deleted is not");
    assertPages(List.of(new long[] {1, 4}, new long[] {2, 4}, new long[] {3, 4}, new long[] {4, 4}),
      await(reopened.listCachePages("r/0")));
    assertEquals(List.of(), await(reopened.loadCachePages("r/1")), "a cleared cache stays cleared");
    await(reopened.close());
  }

  @Test
  void writesAskedForBeforeCloseAreDurableWithoutBeingAwaited(Vertx vertx) throws Exception {
    // the sink persists its memory cache at stop without awaiting each page; the store closes after the node's rules
    Store store = open(vertx, tmp);
    List<Future<Void>> writes = new ArrayList<>();
    for (long p = 0; p < 20; p++) {
      writes.add(store.saveCachePage("r/0", page(p, 3)));
    }
    writes.add(store.deleteCachePage("r/0", 0));
    await(store.close());
    for (Future<Void> w : writes) {
      assertTrue(w.succeeded(), "every write asked for before close succeeded: " + w.cause());
    }

    Store reopened = open(vertx, tmp);
    List<long[]> pages = await(reopened.listCachePages("r/0"));
    assertEquals(19, pages.size());
    assertEquals(1, pages.get(0)[0]);
    assertEquals(19, pages.get(18)[0]);
    await(reopened.close());
  }

  @Test
  void cacheOperationsAfterCloseFailWithAStoreException(Vertx vertx) throws Exception {
    Store store = open(vertx, tmp);
    await(store.close());

    for (Future<?> op : List.of(store.saveCachePage("r/0", page(0, 1)), store.listCachePages("r/0"),
      store.loadCachePages("r/0"), store.loadCachePage("r/0", 0), store.deleteCachePage("r/0", 0),
      store.clearCache("r/0"))) {
      Throwable cause = failure(op);
      assertInstanceOf(StoreException.class, cause);
      assertTrue(cause.getMessage().contains("closed"), cause.getMessage());
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  /** Page {@code page} holding {@code n} distinct row payloads, as the sink encodes them ({@code {"r": rows}}). */
  private static CachePage page(long page, int n) {
    JsonArray items = new JsonArray();
    for (int i = 0; i < n; i++) {
      items.add(new JsonObject().put("r", new JsonArray().add(new JsonObject().put("page", page).put("seq", i))));
    }
    return new CachePage(page, items);
  }

  private static void assertPages(List<long[]> expected, List<long[]> actual) {
    assertEquals(expected.size(), actual.size(), () -> "pages " + describe(actual));
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), actual.get(i), "page entry " + i + " of " + describe(actual));
    }
  }

  private static String describe(List<long[]> pages) {
    StringBuilder s = new StringBuilder("[");
    pages.forEach(p -> s.append(java.util.Arrays.toString(p)));
    return s.append(']').toString();
  }

  private static Store open(Vertx vertx, Path dir) throws Exception {
    return await(SqliteStore.open(vertx, dir.toString()));
  }

  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("expected success, got: " + e.getCause(), e.getCause());
    }
  }

  private static Throwable failure(Future<?> future) throws Exception {
    try {
      future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    fail("expected a failure, got success");
    return null;
  }
}
