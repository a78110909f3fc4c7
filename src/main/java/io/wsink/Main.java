package io.wsink;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.json.JsonObject;
import io.wsink.config.ConfigException;
import io.wsink.config.ConfigLoader;
import io.wsink.config.ConfigVerticle;
import io.wsink.config.WsinkSettings;
import sun.misc.Signal;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar wsink.jar [--conf DIR] [--data DIR]}: runs one wsink node until SIGTERM or Ctrl-C, then stops it
 * gracefully (§1): no new work, queued messages flushed (at most 5 s), every WebSocket closed with 1001, exit 0.
 */
public final class Main {

  static final String USAGE = """
    Usage: java -jar wsink.jar [options]

    Runs a wsink node: rule output arrives on the Vert.x event bus and leaves over WebSocket.

    Options:
      --conf DIR   configuration directory holding wsink.yaml and sources/websocket.yaml
                   (default: conf; the defaults packaged in the jar apply when it is absent)
      --data DIR   store directory for rules and endpoint registrations (overrides store.dir)
      --cluster    join the cluster that cluster.xml (in the configuration directory) describes
      --cluster-host HOST
                   the event-bus host the other nodes reach this one at (implies --cluster)
      -h, --help   print this help and exit

    Every configuration key can also be set by an environment variable WSINK__<SECTION>__<KEY>
    (e.g. WSINK__REST__PORT=9082) or a system property (-Drest.port=9082).
    """;

  private static final long STOP_TIMEOUT_S = 15;
  /**
   * Netty 4.2 reports its buffer allocations as JFR events when JFR is available, and loads JFR's event machinery (some
   * 80 classes, about a twentieth of wsink's start) on the first allocation, whether or not anything records. wsink
   * turns that off unless the command line says otherwise ({@code -Dio.netty.jfr.enabled=true} to profile Netty's
   * allocator with JFR).
   */
  static final String NETTY_JFR = "io.netty.jfr.enabled";

  private Main() {
  }

  public static void main(String[] args) {
    if (System.getProperty(NETTY_JFR) == null) {
      System.setProperty(NETTY_JFR, "false");
    }
    JsonObject config;
    try {
      config = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("wsink: " + e.getMessage());
      System.err.print(USAGE);
      System.exit(2);
      return;
    }
    if (config == null) {
      System.out.print(USAGE);
      return;
    }
    WsinkSettings settings;
    try {
      settings = loadSettings(config);
    } catch (Throwable e) {
      report(System.err, e);
      System.exit(e instanceof ConfigException ? 2 : 1);
      return;
    }
    Vertx vertx;
    try {
      vertx = NodeVertx.create(settings, config.getString(ConfigLoader.CONF_DIR_KEY, ConfigLoader.DEFAULT_CONF_DIR));
    } catch (Throwable e) {
      report(System.err, e);
      System.exit(e instanceof ConfigException ? 2 : 1);
      return;
    }
    String deploymentId;
    try {
      deploymentId = vertx.deployVerticle(new ConfigVerticle(settings), new DeploymentOptions().setConfig(config))
        .await();
    } catch (Throwable e) {
      report(System.err, e);
      vertx.close().await();
      System.exit(e instanceof ConfigException ? 2 : 1);
      return;
    }
    Runnable stop = () -> {
      try {
        vertx.undeploy(deploymentId).await(STOP_TIMEOUT_S, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("wsink: stop did not finish cleanly: " + e);
      }
      try {
        vertx.close().await(STOP_TIMEOUT_S, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("wsink: Vert.x did not close cleanly: " + e);
      }
      System.exit(0);
    };
    // our own handlers, so that a graceful stop ends with exit code 0 rather than the JVM's 143
    Signal.handle(new Signal("TERM"), sig -> stop.run());
    Signal.handle(new Signal("INT"), sig -> stop.run());
  }

  /**
   * The settings decide how the node's Vert.x is built (metrics, clustering), so they are loaded first, with
   * a short-lived plain Vert.x of their own. It closes in the background: the node's Vert.x need not wait for it.
   */
  private static WsinkSettings loadSettings(JsonObject config) {
    // only reads files: one thread of each kind, and no file cache directory to create
    Vertx bootstrap = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
      .setInternalBlockingPoolSize(1).setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false)));
    try {
      return ConfigLoader.load(bootstrap, config).await();
    } finally {
      bootstrap.close();
    }
  }

  /** @return the node config, or null for --help */
  static JsonObject parse(String[] args) {
    JsonObject config = new JsonObject();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--help", "-h" -> {
          return null;
        }
        case "--conf" -> config.put("confDir", value(args, ++i, arg, "a directory"));
        case "--data" -> config.put("store", new JsonObject().put("dir", value(args, ++i, arg, "a directory")));
        case "--cluster" -> cluster(config).put("enabled", true);
        case "--cluster-host" -> cluster(config).put("enabled", true).put("host", value(args, ++i, arg, "a host"));
        default -> throw new IllegalArgumentException("unknown option " + arg);
      }
    }
    return config;
  }

  private static String value(String[] args, int i, String flag, String what) {
    if (i >= args.length || args[i].startsWith("--")) {
      throw new IllegalArgumentException(flag + " needs " + what);
    }
    return args[i];
  }

  private static JsonObject cluster(JsonObject config) {
    JsonObject cluster = config.getJsonObject("cluster");
    if (cluster == null) {
      cluster = new JsonObject();
      config.put("cluster", cluster);
    }
    return cluster;
  }

  /** One line a person can act on: the configuration error, or the first cause of a start-up failure. */
  private static void report(PrintStream out, Throwable e) {
    String message = e.getMessage() != null ? e.getMessage() : e.toString();
    out.println("wsink: cannot start: " + message);
  }
}
