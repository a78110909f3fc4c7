package io.wsink.it;

import io.wsink.testkit.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Configuration of the fat jar (§1, §2): packaged defaults, conf/wsink.yaml, --conf, bad values, --help. */
@Timeout(60)
class ConfigIT {

  private static final Duration EXIT_WITHIN = Duration.ofSeconds(30);

  @RegisterExtension
  final ItResources resources = new ItResources();

  @TempDir
  Path dir;

  @Test
  void withoutAConfDirThePackagedDefaultsApply() {
    int restPort = TestNode.freePort();
    // only the REST port is given; no conf/ in the working directory, no --data
    WsinkProcess wsink = WsinkProcess.start(resources, dir, Map.of("WSINK__REST__PORT", String.valueOf(restPort)),
      restPort, -1).awaitReady();

    // rest.tokens: [] — no token needed; store.dir: data — relative to the working directory
    assertEquals(200, wsink.get("/rules").statusCode());
    assertTrue(Files.isRegularFile(dir.resolve("data").resolve("wsink.db")),
      () -> "the default store dir ./data should hold the store; working dir has " + list(dir));
  }

  @Test
  void confWsinkYamlInTheWorkingDirectoryIsHonoured() throws IOException {
    int restPort = TestNode.freePort();
    write(dir.resolve("conf/wsink.yaml"), "rest:\n  port: " + restPort + "\nstore:\n  dir: my-store\n");

    WsinkProcess wsink = WsinkProcess.start(resources, dir, Map.of(), restPort, -1).awaitReady();

    assertEquals(200, wsink.get("/rules").statusCode());
    assertTrue(Files.isRegularFile(dir.resolve("my-store").resolve("wsink.db")),
      () -> "store.dir from conf/wsink.yaml should hold the store; working dir has " + list(dir));
  }

  @Test
  void confFlagPointsToAnotherDirectory() throws IOException {
    int ignoredPort = TestNode.freePort();
    int restPort = TestNode.freePort();
    write(dir.resolve("conf/wsink.yaml"), "rest:\n  port: " + ignoredPort + "\n");
    write(dir.resolve("elsewhere/wsink.yaml"), "rest:\n  port: " + restPort + "\n");

    WsinkProcess wsink = WsinkProcess.start(resources, dir, Map.of(), restPort, -1, "--conf", "elsewhere").awaitReady();

    assertEquals(200, wsink.get("/ping").statusCode());
    assertThrows(ConnectException.class, () -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", ignoredPort), 2000);
      }
    }, "./conf is not read when --conf names another directory");
  }

  @Test
  void aPortOutOfRangeFromTheEnvironmentStopsStartUpWithOneLine() {
    WsinkProcess wsink = WsinkProcess.start(resources, dir, Map.of("WSINK__REST__PORT", "70000"), -1, -1);

    assertNotEquals(0, wsink.exitCode(EXIT_WITHIN));
    String line = oneLine(wsink.stderr());
    assertTrue(line.contains("WSINK__REST__PORT"), () -> "names the origin: " + line);
    assertTrue(line.contains("rest.port"), () -> "names the key: " + line);
    assertTrue(line.contains("70000") && line.contains("65535"), () -> "says what is wrong: " + line);
  }

  @Test
  void anUnknownKeyInConfWsinkYamlStopsStartUpWithOneLine() throws IOException {
    write(dir.resolve("conf/wsink.yaml"), "rest:\n  prot: 9081\n");
    WsinkProcess wsink = WsinkProcess.start(resources, dir, Map.of("WSINK__REST__PORT", "0"), -1, -1);

    assertNotEquals(0, wsink.exitCode(EXIT_WITHIN));
    String line = oneLine(wsink.stderr());
    assertTrue(line.contains("wsink.yaml"), () -> "names the file: " + line);
    assertTrue(line.contains("rest.prot"), () -> "names the key: " + line);
    assertTrue(line.contains("unknown"), () -> "says what is wrong: " + line);
  }

  @Test
  void helpListsTheFlagsAndExitsZero() {
    WsinkProcess wsink = WsinkProcess.start(resources, dir, Map.of(), -1, -1, "--help");

    assertEquals(0, wsink.exitCode(EXIT_WITHIN));
    String help = wsink.stdout();
    for (String flag : List.of("--conf DIR", "--data DIR", "--help")) {
      assertTrue(help.contains(flag), () -> "--help should list " + flag + ":\n" + help);
    }
    assertEquals("", wsink.stderr());
    assertTrue(list(dir).stream().noneMatch(name -> name.equals("data")), "--help starts nothing, creates no store");
  }

  @Test
  void helpListsTheClusterFlagsOfTheContract() {
    // §1: "--help lists the flags: --conf DIR, --cluster, --cluster-host HOST, --data DIR"
    WsinkProcess wsink = WsinkProcess.start(resources, dir, Map.of(), -1, -1, "--help");

    assertEquals(0, wsink.exitCode(EXIT_WITHIN));
    String help = wsink.stdout();
    assertTrue(Pattern.compile("--cluster(?![-\\w])").matcher(help).find(),
      () -> "--help should list --cluster (SPEC §1):\n" + help);
    assertTrue(help.contains("--cluster-host HOST"),
      () -> "--help should list --cluster-host HOST (SPEC §1):\n" + help);
  }

  /** The only non-blank line of {@code stderr}. */
  private static String oneLine(String stderr) {
    List<String> lines = stderr.lines().filter(l -> !l.isBlank()).toList();
    assertEquals(1, lines.size(), () -> "expected exactly one line on stderr, got:\n" + stderr);
    return lines.get(0);
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  private static List<String> list(Path dir) {
    try (var files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
