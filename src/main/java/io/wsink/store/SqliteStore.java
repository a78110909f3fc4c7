package io.wsink.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store in {@code <dir>/wsink.db}, a SQLite database (xerial sqlite-jdbc) reached through one JDBC connection.
 *
 * <p>All JDBC work runs, in the order it was asked for, on one dedicated worker thread: SQLite connections are not
 * meant to be shared between threads, and one thread makes every operation see the effects of the ones before it.
 *
 * <p>Durability: WAL journal with {@code synchronous=NORMAL}. A committed transaction is in the WAL file before
 * the call succeeds, so a killed process loses nothing; only a power loss may drop the last transactions.
 * The connection holds the database in EXCLUSIVE locking mode, so a second process opened on the same directory
 * fails at start-up instead of both writing behind each other's back.
 *
 * <p>A store that starts failing at run time (its disk full, its file system read-only) reports every failure to its
 * caller, but logs it once per burst: the first failure, then one line when a write succeeds again.
 */
public final class SqliteStore implements Store {

  static final String FILE_NAME = "wsink.db";
  static final int SCHEMA_VERSION = 1;

  private static final Logger LOG = LoggerFactory.getLogger(SqliteStore.class);
  /** Makes every store's executor its own: shared executors with the same name would share the thread. */
  private static final AtomicLong INSTANCES = new AtomicLong();
  /** The stores open in this JVM by file, for tests that make a running node's store fail ({@link #opened}). */
  private static final Map<Path, SqliteStore> OPEN = new ConcurrentHashMap<>();

  private static final String[] SCHEMA = {
    "CREATE TABLE IF NOT EXISTS rules (id TEXT PRIMARY KEY, definition TEXT NOT NULL, running INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS endpoints (path TEXT PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS cache (sink TEXT NOT NULL, page INTEGER NOT NULL, items TEXT NOT NULL,"
      + " PRIMARY KEY (sink, page))",
  };

  /** SQL work done on the store thread. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private final Path file;
  /** The identity (inode) of the file as opened, to notice it deleted or replaced while open; null where unknown. */
  private final Object fileKey;
  private final WorkerExecutor worker;
  private final Connection connection; // touched only on the worker thread
  private final AtomicBoolean closing = new AtomicBoolean();
  private final Promise<Void> closed = Promise.promise();
  // failure bursts: touched on the store thread only
  private boolean failing;
  private long failedInBurst;

  private SqliteStore(Path file, Object fileKey, WorkerExecutor worker, Connection connection) {
    this.file = file;
    this.fileKey = fileKey;
    this.worker = worker;
    this.connection = connection;
  }

  /**
   * Opens (creating if needed) the store in {@code dir}, resolved against the working directory. Fails with a
   * {@link StoreException} when the directory or file cannot be created, read or written, or is not a wsink store.
   */
  public static Future<Store> open(Vertx vertx, String dir) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(dir, "dir");
    if (dir.isBlank()) {
      throw new IllegalArgumentException("store dir must not be blank; give a directory path such as 'data'");
    }
    WorkerExecutor worker = vertx.createSharedWorkerExecutor("wsink-store-" + INSTANCES.incrementAndGet(), 1);
    return worker.<Store>executeBlocking(() -> {
        Path directory = resolve(dir);
        Path file = directory.resolve(FILE_NAME);
        Connection connection = connect(directory, file);
        LOG.info("store opened: {}", file);
        SqliteStore store = new SqliteStore(file, fileKey(file), worker, connection);
        OPEN.put(file, store);
        return (Store) store;
      }, true)
      // release the thread before reporting the failure, so a failed start-up leaves nothing behind
      .recover(e -> worker.close().transform(ignored -> Future.failedFuture(asStoreException(dir, e))));
  }

  @Override
  public Future<List<StoredRule>> loadRules() {
    return run("loading rules", c -> {
      List<StoredRule> rules = new ArrayList<>();
      try (PreparedStatement select = c.prepareStatement("SELECT id, definition, running FROM rules ORDER BY id");
           ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          String id = rows.getString(1);
          rules.add(new StoredRule(id, parseDefinition(id, rows.getString(2)), rows.getInt(3) != 0));
        }
      }
      return rules;
    });
  }

  @Override
  public Future<Void> saveRule(StoredRule rule) {
    Objects.requireNonNull(rule, "rule");
    String json = rule.definition().encode(); // encoded now: the caller may change the JsonObject afterwards
    return update("saving rule " + rule.id(),
      "INSERT OR REPLACE INTO rules (id, definition, running) VALUES (?, ?, ?)", rule.id(), json, rule.running() ? 1 : 0);
  }

  @Override
  public Future<Void> deleteRule(String id) {
    Objects.requireNonNull(id, "id");
    return update("deleting rule " + id, "DELETE FROM rules WHERE id = ?", id);
  }

  @Override
  public Future<List<String>> loadEndpoints() {
    return run("loading endpoints", c -> {
      List<String> paths = new ArrayList<>();
      try (PreparedStatement select = c.prepareStatement("SELECT path FROM endpoints ORDER BY path");
           ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          paths.add(rows.getString(1));
        }
      }
      return paths;
    });
  }

  @Override
  public Future<Void> saveEndpoint(String path) {
    Objects.requireNonNull(path, "path");
    return update("saving endpoint " + path, "INSERT OR IGNORE INTO endpoints (path) VALUES (?)", path);
  }

  @Override
  public Future<Void> deleteEndpoint(String path) {
    Objects.requireNonNull(path, "path");
    return update("deleting endpoint " + path, "DELETE FROM endpoints WHERE path = ?", path);
  }

  @Override
  public Future<Void> saveCachePage(String sink, CachePage page) {
    String items = page.items().encode();
    return update("saving cache page " + page.page() + " of " + sink,
      "INSERT OR REPLACE INTO cache (sink, page, items) VALUES (?, ?, ?)", sink, page.page(), items);
  }

  @Override
  public Future<List<CachePage>> loadCachePages(String sink) {
    return run("loading the cache of " + sink, c -> {
      List<CachePage> pages = new ArrayList<>();
      try (PreparedStatement select = c.prepareStatement("SELECT page, items FROM cache WHERE sink = ? ORDER BY page")) {
        select.setString(1, sink);
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            pages.add(new CachePage(rows.getLong(1), new io.vertx.core.json.JsonArray(rows.getString(2))));
          }
        }
      }
      return pages;
    });
  }

  @Override
  public Future<List<long[]>> listCachePages(String sink) {
    return run("listing the cache of " + sink, c -> {
      List<long[]> pages = new ArrayList<>();
      try (PreparedStatement select = c.prepareStatement(
        "SELECT page, json_array_length(items) FROM cache WHERE sink = ? ORDER BY page")) {
        select.setString(1, sink);
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            pages.add(new long[] {rows.getLong(1), rows.getLong(2)});
          }
        }
      }
      return pages;
    });
  }

  @Override
  public Future<CachePage> loadCachePage(String sink, long page) {
    return run("loading cache page " + page + " of " + sink, c -> {
      try (PreparedStatement select = c.prepareStatement("SELECT items FROM cache WHERE sink = ? AND page = ?")) {
        select.setString(1, sink);
        select.setLong(2, page);
        try (ResultSet rows = select.executeQuery()) {
          return rows.next() ? new CachePage(page, new io.vertx.core.json.JsonArray(rows.getString(1))) : null;
        }
      }
    });
  }

  @Override
  public Future<Void> deleteCachePage(String sink, long page) {
    return update("deleting cache page " + page + " of " + sink, "DELETE FROM cache WHERE sink = ? AND page = ?", sink, page);
  }

  @Override
  public Future<Void> clearCache(String sink) {
    return update("clearing the cache of " + sink, "DELETE FROM cache WHERE sink = ?", sink);
  }

  @Override
  public Future<Void> clearCaches(String prefix) {
    // substr, not LIKE: a prefix is taken literally, whatever characters it has
    return update("clearing the caches of " + prefix + "*", "DELETE FROM cache WHERE substr(sink, 1, length(?1)) = ?1",
      prefix);
  }

  @Override
  public Future<Void> check() {
    return run("checking the store", c -> {
      // an open SQLite file deleted or replaced underneath keeps working — on an inode nobody will open again, so
      // whatever is stored from then on is lost at the next restart
      Object now;
      try {
        now = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
      } catch (NoSuchFileException e) {
        throw new StoreException("store file " + file + " is gone (deleted or moved while the node runs); what is "
          + "stored from now on is lost at the next restart");
      } catch (IOException e) {
        throw new StoreException("store file " + file + " cannot be looked at: " + reason(e), e);
      }
      if (fileKey != null && !fileKey.equals(now)) {
        throw new StoreException("store file " + file + " was replaced while the node runs; the node still writes to"
          + " the file it opened, and what it stores from now on is lost at the next restart");
      }
      try (Statement statement = c.createStatement();
           ResultSet rows = statement.executeQuery("SELECT count(*) FROM meta")) {
        rows.next();
      }
      return null;
    });
  }

  @Override
  public Future<Void> close() {
    if (closing.compareAndSet(false, true)) {
      // queued behind the operations already asked for (one ordered thread), so they finish first
      worker.<Void>executeBlocking(() -> {
          try {
            connection.close();
          } catch (SQLException e) {
            throw failure(file, "closing", e);
          }
          LOG.info("store closed: {}", file);
          return null;
        }, true)
        .andThen(ar -> OPEN.remove(file, this))
        .eventually(worker::close)
        .onComplete(closed);
    }
    return closed.future();
  }

  /**
   * The open store whose database file is {@code file} (resolved like the store dir), or null: how a test reaches the
   * store of a node it started, to make it fail with {@link #run} (say {@code PRAGMA query_only = 1}).
   */
  static SqliteStore opened(Path file) {
    return OPEN.get(file.toAbsolutePath().normalize());
  }

  /** Runs {@code work} on the store thread; package-private so tests can see where store work runs. */
  <T> Future<T> run(String what, Work<T> work) {
    return run(what, false, work);
  }

  /** As {@link #run(String, Work)}; a write that succeeds ends a burst of failures. */
  private <T> Future<T> run(String what, boolean write, Work<T> work) {
    if (closing.get()) {
      return Future.failedFuture(closedException(what));
    }
    try {
      return worker.executeBlocking(() -> {
        if (connection.isClosed()) { // close() won the race after the check above
          throw closedException(what);
        }
        T result;
        try {
          result = work.run(connection);
        } catch (SQLException e) {
          StoreException failure = failure(file, what, e);
          failed(failure);
          throw failure;
        }
        if (write && failing) {
          failing = false;
          LOG.info("store file {} is written again; {} operation(s) failed meanwhile", file, failedInBurst);
        }
        return result;
      }, true);
    } catch (IllegalStateException e) { // the executor was closed after the check above
      return Future.failedFuture(closedException(what));
    }
  }

  /**
   * Logs the first failure of a burst (callers get every failure as a failed future, so a full disk under a stream of
   * messages is one line, not one per message).
   */
  private void failed(StoreException failure) {
    if (failing) {
      failedInBurst++;
      return;
    }
    failing = true;
    failedInBurst = 1;
    LOG.error("{}; further store failures are not logged until a write succeeds again", failure.getMessage());
  }

  private Future<Void> update(String what, String sql, Object... params) {
    return run(what, true, c -> {
      try (PreparedStatement statement = c.prepareStatement(sql)) {
        for (int i = 0; i < params.length; i++) {
          statement.setObject(i + 1, params[i]);
        }
        statement.executeUpdate(); // auto-commit: one statement is one durable transaction
      }
      return null;
    });
  }

  private JsonObject parseDefinition(String id, String json) {
    try {
      return new JsonObject(json);
    } catch (DecodeException e) {
      throw new StoreException("store file " + file + " holds rule " + id + " whose definition is not valid JSON ("
        + e.getMessage() + ")", e);
    }
  }

  private StoreException closedException(String what) {
    return new StoreException("store file " + file + " is closed; cannot go on " + what);
  }

  // ---- opening ----------------------------------------------------------------------------------------------

  private static Object fileKey(Path file) {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      return null; // only the existence of the file is checked then
    }
  }

  private static Path resolve(String dir) {
    try {
      return Path.of(dir).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new StoreException("store dir '" + dir + "' is not a valid path (" + e.getReason() + ")", e);
    }
  }

  /** Checks what can be checked up front, for a clearer message than SQLite's; the write in {@link #migrate} proves the rest. */
  private static Connection connect(Path dir, Path file) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new StoreException("store dir " + dir + " is not a directory");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new StoreException("store dir " + dir + " cannot be created: " + reason(e), e);
    }
    if (!Files.isReadable(dir) || !Files.isWritable(dir)) {
      // SQLite creates wsink.db and its WAL file beside it, so the directory itself must be writable
      throw new StoreException("store dir " + dir + " is not " + (Files.isReadable(dir) ? "writable" : "readable"));
    }
    SqliteNativeCache.use(dir);
    if (Files.exists(file)) {
      if (!Files.isRegularFile(file)) {
        throw new StoreException("store file " + file + " is not a regular file");
      }
      if (!Files.isReadable(file) || !Files.isWritable(file)) {
        throw new StoreException("store file " + file + " is not " + (Files.isReadable(file) ? "writable" : "readable"));
      }
    }
    Connection connection;
    try {
      connection = DriverManager.getConnection("jdbc:sqlite:" + file);
    } catch (SQLException e) {
      throw failure(file, null, e);
    }
    try {
      configure(connection, file);
      migrate(connection, file);
      return connection;
    } catch (SQLException e) {
      closeQuietly(connection);
      throw failure(file, null, e);
    } catch (RuntimeException e) {
      closeQuietly(connection);
      throw e;
    }
  }

  private static void configure(Connection connection, Path file) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("PRAGMA busy_timeout = 0"); // a store held by another process fails at once, not later
      statement.execute("PRAGMA locking_mode = EXCLUSIVE"); // before WAL: no shared-memory file, one process only
      String mode = queryString(statement, "PRAGMA journal_mode = WAL"); // first read: garbage files fail here
      if (!"wal".equalsIgnoreCase(mode)) {
        LOG.warn("store file {} runs in journal mode {} instead of wal; writes are still durable, but slower", file, mode);
      }
      statement.execute("PRAGMA synchronous = NORMAL"); // with WAL: safe against a killed process
    }
  }

  /** Creates the schema and proves the store writable with a real write in a transaction. */
  private static void migrate(Connection connection, Path file) throws SQLException {
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      int version = Integer.parseInt(queryString(statement, "PRAGMA user_version"));
      if (version > SCHEMA_VERSION) {
        throw new StoreException("store file " + file + " has schema version " + version
          + ", written by a newer wsink; this one reads schema version " + SCHEMA_VERSION + " or older");
      }
      for (String ddl : SCHEMA) {
        statement.execute(ddl);
      }
      try (PreparedStatement opened = connection.prepareStatement(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('last_opened', ?)")) {
        opened.setString(1, Instant.now().toString());
        opened.executeUpdate();
      }
      statement.execute("PRAGMA user_version = " + SCHEMA_VERSION);
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      try {
        connection.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  private static String queryString(Statement statement, String sql) throws SQLException {
    try (ResultSet rows = statement.executeQuery(sql)) {
      return rows.next() ? rows.getString(1) : "";
    }
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.debug("closing a store connection that failed to open", e);
    }
  }

  // ---- failures ---------------------------------------------------------------------------------------------

  private static StoreException asStoreException(String dir, Throwable e) {
    return e instanceof StoreException se ? se
      : new StoreException("store dir " + dir + " cannot be opened: " + e, e);
  }

  /** One line naming the file and the problem; {@code what} is the operation, null while opening. */
  static StoreException failure(Path file, String what, SQLException e) {
    String problem = switch (e.getErrorCode() & 0xff) { // primary SQLite result code
      case 3, 23 -> "cannot be accessed, permission denied";
      case 5, 6 -> "is in use by another process";
      case 8 -> "is not writable";
      case 10 -> "cannot be read or written (I/O error)";
      case 11 -> "is corrupt";
      case 13 -> "cannot grow, the disk is full";
      case 14 -> "cannot be opened";
      case 26 -> "is not a SQLite database";
      default -> "failed";
    };
    return new StoreException("store file " + file + " " + problem + " (" + detail(e) + ")"
      + (what == null ? "" : " while " + what), e);
  }

  /** sqlite-jdbc says "[SQLITE_NOTADB] File opened that is not a database file (file is not a database)": keep the part in brackets. */
  private static String detail(SQLException e) {
    String message = Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()).strip();
    int open = message.lastIndexOf('(');
    if (message.startsWith("[") && open > 0 && message.endsWith(")")) {
      return message.substring(open + 1, message.length() - 1);
    }
    return message;
  }

  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException denied) {
      return "permission denied on " + denied.getFile();
    }
    if (e instanceof FileSystemException fs) {
      return (fs.getReason() != null ? fs.getReason() : e.getClass().getSimpleName()) + " at " + fs.getFile();
    }
    return String.valueOf(e);
  }
}
