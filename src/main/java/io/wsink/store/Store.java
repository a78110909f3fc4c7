package io.wsink.store;

import io.vertx.core.Future;

import java.util.List;

/**
 * The embedded store of rules and REST endpoint registrations. Every operation runs off the event loop and reports
 * its failure as a failed future carrying a {@link StoreException}; a {@code null} argument is a programming error
 * and is thrown at once. A succeeded write is durable: it survives a restart, also after the process is killed.
 */
public interface Store {

  /** Every stored rule, ordered by id. */
  Future<List<StoredRule>> loadRules();

  /** Inserts the rule, or replaces the stored rule with the same id. */
  Future<Void> saveRule(StoredRule rule);

  /** Removes the rule; succeeds when there is none with that id. */
  Future<Void> deleteRule(String id);

  /** Every registered REST endpoint path, ordered. */
  Future<List<String>> loadEndpoints();

  /** Registers the endpoint path; registering it again changes nothing. */
  Future<Void> saveEndpoint(String path);

  /** Removes the endpoint registration; succeeds when there is none. */
  Future<Void> deleteEndpoint(String path);

  /** Appends (or replaces) one page of the disk cache of sink {@code sink} (a rule action); durable on success. */
  Future<Void> saveCachePage(String sink, CachePage page);

  /** The disk cache of one sink, oldest page first. */
  Future<List<CachePage>> loadCachePages(String sink);

  /** The page numbers of one sink's disk cache and how many payloads each holds, oldest first, without the payloads. */
  Future<List<long[]>> listCachePages(String sink);

  /** One page of the disk cache, or null when it is not there. */
  Future<CachePage> loadCachePage(String sink, long page);

  /** Removes one page once everything on it was written out; no error when absent. */
  Future<Void> deleteCachePage(String sink, long page);

  /** Removes the whole disk cache of one sink. */
  Future<Void> clearCache(String sink);

  /** Removes the disk caches of every sink whose name starts with {@code prefix} (all instances of a rule's actions). */
  Future<Void> clearCaches(String prefix);

  /**
   * Readiness (§6.5): proves the store usable now — its file is still the one that was opened, and a query through
   * the store's own thread answers — or fails with a {@link StoreException} saying what is wrong. Reads only.
   */
  Future<Void> check();

  /** Waits for the operations already asked for, then releases the store; later operations fail. Idempotent. */
  Future<Void> close();
}
