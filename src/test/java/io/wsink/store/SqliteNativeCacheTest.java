package io.wsink.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SqliteNativeCache}: one checked copy of sqlite-jdbc's native library under the store directory, which
 * sqlite-jdbc is pointed at. (In this JVM sqlite-jdbc has loaded its library already, so these tests check the copy
 * and the properties; the fat-jar tests, each a fresh JVM, open their stores through it.)
 */
class SqliteNativeCacheTest {

  @TempDir
  Path dir;

  private String pathBefore;
  private String nameBefore;

  @BeforeEach
  void clearProperties() {
    pathBefore = System.clearProperty(SqliteNativeCache.PATH_PROPERTY);
    nameBefore = System.clearProperty(SqliteNativeCache.NAME_PROPERTY);
  }

  @AfterEach
  void restoreProperties() {
    restore(SqliteNativeCache.PATH_PROPERTY, pathBefore);
    restore(SqliteNativeCache.NAME_PROPERTY, nameBefore);
  }

  @Test
  void theLibraryIsCopiedOnceUnderTheStoreAndSqliteJdbcIsPointedAtIt() throws IOException {
    SqliteNativeCache.use(dir);
    Path library = cachedLibrary();
    assertEquals(library.getParent().toString(), System.getProperty(SqliteNativeCache.PATH_PROPERTY));
    assertEquals(library.getFileName().toString(), System.getProperty(SqliteNativeCache.NAME_PROPERTY));
    assertArrayEquals(bundled(library), Files.readAllBytes(library), "the copy is the jar's library, byte for byte");
    long modified = Files.getLastModifiedTime(library).toMillis();

    System.clearProperty(SqliteNativeCache.PATH_PROPERTY);
    System.clearProperty(SqliteNativeCache.NAME_PROPERTY);
    Files.setLastModifiedTime(library, java.nio.file.attribute.FileTime.fromMillis(modified - 60_000));
    SqliteNativeCache.use(dir);
    assertEquals(modified - 60_000, Files.getLastModifiedTime(library).toMillis(), "a good copy is used as it is");
    assertEquals(library.getParent().toString(), System.getProperty(SqliteNativeCache.PATH_PROPERTY));
  }

  @Test
  void aDamagedCopyIsMadeAgain() throws IOException {
    SqliteNativeCache.use(dir);
    Path library = cachedLibrary();
    byte[] good = Files.readAllBytes(library);
    byte[] damaged = good.clone();
    damaged[damaged.length / 2] ^= 0x55; // same size, other bytes
    Files.write(library, damaged);
    System.clearProperty(SqliteNativeCache.PATH_PROPERTY);
    System.clearProperty(SqliteNativeCache.NAME_PROPERTY);

    SqliteNativeCache.use(dir);
    assertArrayEquals(good, Files.readAllBytes(library));
    try (Stream<Path> files = Files.list(library.getParent())) {
      assertEquals(List.of(library), files.toList(), "no partial copy is left behind");
    }
  }

  @Test
  void aLibraryPathSomeoneElseChoseIsLeftAlone() throws IOException {
    System.setProperty(SqliteNativeCache.PATH_PROPERTY, "/opt/elsewhere");
    SqliteNativeCache.use(dir);
    assertEquals("/opt/elsewhere", System.getProperty(SqliteNativeCache.PATH_PROPERTY));
    assertNull(System.getProperty(SqliteNativeCache.NAME_PROPERTY));
    assertFalse(Files.exists(dir.resolve(".cache")), "nothing is copied");
  }

  /** The one library file under the store's cache. */
  private Path cachedLibrary() throws IOException {
    try (Stream<Path> files = Files.walk(dir.resolve(".cache"))) {
      List<Path> libraries = files.filter(Files::isRegularFile).toList();
      assertEquals(1, libraries.size(), "one library: " + libraries);
      assertTrue(libraries.get(0).getFileName().toString().contains("sqlitejdbc"), libraries.toString());
      return libraries.get(0);
    }
  }

  /** The library bundled in sqlite-jdbc for this platform: the cache's path ends with its folder. */
  private static byte[] bundled(Path library) throws IOException {
    String folder = org.sqlite.util.OSInfo.getNativeLibFolderPathForCurrentOS();
    var in = org.sqlite.SQLiteJDBCLoader.class.getResourceAsStream(
      "/org/sqlite/native/" + folder + "/" + library.getFileName());
    assertNotNull(in, "bundled library for " + folder);
    try (in) {
      return in.readAllBytes();
    }
  }

  private static void restore(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }
}
