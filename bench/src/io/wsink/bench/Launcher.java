package io.wsink.bench;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Command lines of the child processes. Servers under test, raw or wsink, get the same JVM options; load clients get
 * their own. Every child logs to bench/target/logs/&lt;name&gt;.log.
 */
final class Launcher {

  /** Same heap limit for raw and wsink, so that memory figures compare. */
  private static final List<String> SUT_JVM = List.of("-Xms64m", "-Xmx1g");
  /** The measuring side (load clients, counting servers): room for 10 000 connections' statistics. */
  private static final List<String> LOAD_JVM = List.of("-Xmx2g");

  private enum Role { SERVER_UNDER_TEST, MEASURING }

  private final Path root;
  private final Path logDir;
  private final String classpath;
  private final boolean flightRecorder;
  /** Event loops of a wsink bench process's Vert.x ({@code --event-loops}); 0: Vert.x's default, 2 per core. */
  private final int wsinkEventLoops;
  private int started;

  /**
   * @param flightRecorder  record every server under test with JFR into bench/target/jfr (for finding hot spots)
   * @param wsinkEventLoops event loops of the Vert.x instance a wsink bench process deploys wsink into; 0 for the
   *                        default
   */
  Launcher(Path root, boolean flightRecorder, int wsinkEventLoops) {
    this.root = root;
    this.flightRecorder = flightRecorder;
    this.wsinkEventLoops = wsinkEventLoops;
    this.logDir = root.resolve("bench/target/logs");
    this.classpath = root.resolve("bench/target/classes") + ":" + root.resolve("target/wsink.jar");
  }

  Path fatJar() {
    return root.resolve("target/wsink.jar");
  }

  Child rawServer(String tag) throws IOException {
    return java(tag + "-raw-server", Role.SERVER_UNDER_TEST, "RawServerMain");
  }

  /** The diagnostic baseline: raw server fed through the event bus by wsink's own generator. */
  Child rawServerViaEventBus(String tag, int window) throws IOException {
    return java(tag + "-raw-eb-server", Role.SERVER_UNDER_TEST, "RawServerMain", "--via-event-bus",
      "--window", Integer.toString(window));
  }

  Child wsinkServer(String tag, int window) throws IOException {
    return wsinkServer(tag, window, new JsonObject(), new JsonObject());
  }

  /** A server-mode wsink with these websocket action properties and data server settings on top of the defaults. */
  Child wsinkServer(String tag, int window, JsonObject action, JsonObject source) throws IOException {
    return java(tag + "-wsink-server", Role.SERVER_UNDER_TEST, "WsinkMain", "--mode", "server", "--window",
      Integer.toString(window), "--action", action.encode(), "--source", source.encode(), "--event-loops",
      Integer.toString(wsinkEventLoops));
  }

  Child rawClient(String tag, String target) throws IOException {
    return java(tag + "-raw-client", Role.SERVER_UNDER_TEST, "RawClientMain", "--target", target);
  }

  Child wsinkClient(String tag, String target, int window) throws IOException {
    return java(tag + "-wsink-client", Role.SERVER_UNDER_TEST, "WsinkMain", "--mode", "client", "--target", target,
      "--window", Integer.toString(window), "--event-loops", Integer.toString(wsinkEventLoops));
  }

  Child javaLoad(String tag, String url, int connections, String... options) throws IOException {
    List<String> args = new ArrayList<>(List.of("--url", url, "--conns", Integer.toString(connections)));
    args.addAll(List.of(options));
    return java(tag + "-java-load", Role.MEASURING, "LoadClientMain", args.toArray(String[]::new));
  }

  Child nodeLoad(String tag, String url, int connections) throws IOException {
    return Child.start(unique(tag + "-node-load"), List.of("node", root.resolve("bench/node/load-client.js").toString(),
      "--url", url, "--conns", Integer.toString(connections)), Map.of(), logDir);
  }

  Child countingServer(String tag) throws IOException {
    return java(tag + "-counting-server", Role.MEASURING, "CountingServerMain");
  }

  /** The fat jar exactly as a user starts it, configured through WSINK__ environment variables. */
  Child fatJar(String tag, Path conf, Path data, int restPort, int dataPort) throws IOException {
    return Child.start(unique(tag + "-wsink-jar"), List.of("java", "-jar", fatJar().toString(),
        "--conf", conf.toString(), "--data", data.toString()),
      Map.of("WSINK__REST__PORT", Integer.toString(restPort), "WSINK__SOURCE__HTTPSERVERPORT",
        Integer.toString(dataPort)), logDir);
  }

  /** The start-up baseline: a minimal Vert.x HTTP service, with no JVM options either. */
  Child rawPing(String tag, int port) throws IOException {
    return Child.start(unique(tag + "-raw-ping"), List.of("java", "-cp", classpath, "io.wsink.bench.RawPingMain",
      "--port", Integer.toString(port)), Map.of(), logDir);
  }

  /** JVM options of a server under test, with a flight recording named like its log when asked for. */
  private List<String> sutJvm(String uniqueName) {
    if (!flightRecorder) {
      return SUT_JVM;
    }
    List<String> jvm = new ArrayList<>(SUT_JVM);
    jvm.add("-XX:StartFlightRecording=settings=profile,filename="
      + root.resolve("bench/target/jfr").resolve(uniqueName + ".jfr"));
    return jvm;
  }

  private Child java(String name, Role role, String main, String... args) throws IOException {
    String uniqueName = unique(name);
    List<String> command = new ArrayList<>();
    command.add("java");
    command.addAll(role == Role.SERVER_UNDER_TEST ? sutJvm(uniqueName) : LOAD_JVM);
    command.add("-cp");
    command.add(classpath);
    command.add("io.wsink.bench." + main);
    command.addAll(List.of(args));
    return Child.start(uniqueName, command, Map.of(), logDir);
  }

  private String unique(String name) {
    return String.format("%03d-%s", ++started, name);
  }
}
