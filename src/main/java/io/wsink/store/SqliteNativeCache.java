package io.wsink.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.OSInfo;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.CRC32;

/**
 * sqlite-jdbc copies its native library out of the jar into the temp directory on every start, about a tenth of a
 * second of wsink's start-up. This keeps one copy per sqlite-jdbc version and platform under the store directory
 * ({@code .cache/}), checked against the jar entry's size and CRC-32 before each use, and points sqlite-jdbc at it
 * ({@code org.sqlite.lib.path} and {@code org.sqlite.lib.name}, its documented way to load a library already on disk).
 *
 * <p>Anything unusual (someone set those properties already, a platform without a bundled library, a class path that
 * is not a jar, a read-only directory) leaves sqlite-jdbc to do what it always does. The properties are JVM-wide, but
 * sqlite-jdbc loads its library once per JVM, so only the first store opened in a JVM matters.
 */
final class SqliteNativeCache {

  private static final Logger LOG = LoggerFactory.getLogger(SqliteNativeCache.class);
  static final String PATH_PROPERTY = "org.sqlite.lib.path";
  static final String NAME_PROPERTY = "org.sqlite.lib.name";

  private SqliteNativeCache() {
  }

  /** Points sqlite-jdbc at a cached copy of its library under {@code storeDir}, making the copy first if needed. */
  static void use(Path storeDir) {
    if (System.getProperty(PATH_PROPERTY) != null || System.getProperty(NAME_PROPERTY) != null) {
      return;
    }
    try {
      String folder = OSInfo.getNativeLibFolderPathForCurrentOS();
      String name = System.mapLibraryName("sqlitejdbc");
      URL entry = SQLiteJDBCLoader.class.getResource("/org/sqlite/native/" + folder + "/" + name);
      if (entry == null) {
        return;
      }
      URLConnection connection = entry.openConnection();
      if (!(connection instanceof JarURLConnection jar)) {
        return;
      }
      long size = jar.getJarEntry().getSize();
      long crc = jar.getJarEntry().getCrc();
      if (size < 0 || crc < 0) {
        return;
      }
      Path dir = storeDir.resolve(".cache").resolve("sqlite-jdbc-" + SQLiteJDBCLoader.getVersion()).resolve(folder);
      Path library = dir.resolve(name);
      if (!matches(library, size, crc)) {
        Files.createDirectories(dir);
        Path partial = Files.createTempFile(dir, name, ".part");
        try (InputStream in = connection.getInputStream()) {
          Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
          Files.move(partial, library, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
          Files.deleteIfExists(partial);
        }
        if (!matches(library, size, crc)) {
          return;
        }
      }
      System.setProperty(PATH_PROPERTY, dir.toString());
      System.setProperty(NAME_PROPERTY, name);
    } catch (IOException | RuntimeException e) {
      LOG.debug("sqlite-jdbc extracts its native library itself: no cached copy under {}: {}", storeDir, e.toString());
    }
  }

  /** Whether {@code file} is the jar entry: same size and CRC-32 (a copy cut short or damaged is made again). */
  static boolean matches(Path file, long size, long crc) throws IOException {
    if (!Files.isRegularFile(file) || Files.size(file) != size) {
      return false;
    }
    CRC32 sum = new CRC32();
    sum.update(Files.readAllBytes(file));
    return sum.getValue() == crc;
  }
}
