package io.wsink.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsink.Wsink;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * wsink under test, a process of its own, set up the way the README's "Used as a library" shows: a whole node deployed
 * with {@code Wsink.deploy(vertx, config)} (store in a temp dir, REST API and data server on free loopback ports), one
 * rule created through the REST API ({@code POST /rules}), and an {@link EventBusGenerator} publishing rows to the
 * rule's {@code from} address.
 *
 * <p>{@code --mode server}: the rule serves endpoint {@value #PATH}; clients connect to the data server.
 * {@code --mode client --target ws://127.0.0.1:P/count}: the rule dials the counting server.
 * Prints {@code READY {"port":dataPort,"path":"/bench","pingPort":restPort}}, then serves {@link SutCommands}; a stop
 * also reports the rule's own counters (drops and exceptions since the previous stop). {@code --action JSON} adds
 * websocket action properties (say {@code overflow}, {@code clientQueueBytes}), {@code --source JSON} data server
 * settings (say {@code maxConnections}). {@code --event-loops N}: the Vert.x instance gets N event loops (default:
 * Vert.x's, two per core); with one, the generator, the sink and the data server share a thread, as the raw baseline's
 * generator and server do, and no message waits for another thread to wake up.
 */
public final class WsinkMain {

  static final String PATH = "/bench";
  static final String RULE_ID = "bench";
  static final String FROM = "bench.in";
  private static final String METRIC = "sink_websocket_0_0_";

  private WsinkMain() {
  }

  public static void main(String[] argv) {
    Proto.runMain("WsinkMain", () -> run(new Args(argv)));
  }

  private static void run(Args args) throws Exception {
    String mode = args.get("mode", "server");
    int window = args.getInt("window", 256);
    Path work = Files.createTempDirectory("wsink-bench-");
    Path conf = Files.createDirectories(work.resolve("conf")); // empty: the packaged defaults apply
    int restPort = freePort();
    int dataPort = freePort();
    int eventLoops = args.getInt("event-loops", 0);
    Vertx vertx = Vertx.vertx(eventLoops > 0 ? new VertxOptions().setEventLoopPoolSize(eventLoops) : new VertxOptions());
    try {
      JsonObject config = new JsonObject()
        .put("confDir", conf.toString())
        .put("rest", new JsonObject().put("ip", "127.0.0.1").put("port", restPort))
        .put("source", new JsonObject(args.get("source", "{}")).put("httpServerIp", "127.0.0.1")
          .put("httpServerPort", dataPort))
        .put("store", new JsonObject().put("dir", work.resolve("store").toString()));
      Wsink.deploy(vertx, config).await(30, TimeUnit.SECONDS);

      JsonObject action = new JsonObject(args.get("action", "{}"))
        .put("path", mode.equals("client") ? "/count" : PATH).put("sendSingle", true);
      if (mode.equals("client")) {
        java.net.URI target = java.net.URI.create(args.require("target"));
        action.put("addr", target.getHost() + ":" + target.getPort()).put("path", target.getRawPath());
      }
      JsonObject rule = new JsonObject().put("id", RULE_ID).put("from", FROM)
        .put("actions", new JsonArray().add(new JsonObject().put("websocket", action)));
      RestApi api = new RestApi(vertx.createHttpClient(), restPort);
      api.createRule(rule).await(30, TimeUnit.SECONDS);

      EventBusGenerator generator = new EventBusGenerator(FROM, window);
      vertx.deployVerticle(generator).await(10, TimeUnit.SECONDS);
      Proto.emit("READY", new JsonObject().put("port", dataPort).put("path", PATH).put("pingPort", restPort)
        .put("window", window));
      SutCommands.serve(vertx, new WithRuleCounters(generator, api));
    } finally {
      vertx.close(); // a no-op after serve() closed it; on a failed start, stops what did start
      deleteTree(work);
    }
  }

  /** The generator's figures plus what the rule counted meanwhile (drops, exceptions), from its status over REST. */
  private static final class WithRuleCounters implements SutCommands.Producer {

    private final SutCommands.Producer generator;
    private final RestApi api;
    private long droppedBefore;
    private long exceptionsBefore;

    WithRuleCounters(SutCommands.Producer generator, RestApi api) {
      this.generator = generator;
      this.api = api;
    }

    @Override
    public Future<Void> begin(int size, long ratePerSecond) {
      return generator.begin(size, ratePerSecond);
    }

    @Override
    public Future<JsonObject> end() {
      return generator.end().compose(stats -> api.ruleStatus(RULE_ID).map(status -> {
        long dropped = status.getLong(METRIC + "records_dropped_total", 0L);
        long exceptions = status.getLong(METRIC + "exceptions_total", 0L);
        stats.put("sinkDropped", dropped - droppedBefore).put("sinkExceptions", exceptions - exceptionsBefore)
          .put("sinkLastException", status.getValue(METRIC + "last_exception"));
        droppedBefore = dropped;
        exceptionsBefore = exceptions;
        return stats;
      }));
    }
  }

  /** The two REST calls the bench needs, over Vert.x's own HTTP client. */
  private record RestApi(HttpClient http, int port) {

    Future<Void> createRule(JsonObject rule) {
      return http.request(HttpMethod.POST, port, "127.0.0.1", "/rules")
        .compose(req -> req.putHeader("Content-Type", "application/json").send(rule.encode()))
        .compose(resp -> resp.body().compose(body -> resp.statusCode() == 201 ? Future.<Void>succeededFuture()
          : Future.failedFuture("POST /rules answered " + resp.statusCode() + ": " + body)));
    }

    Future<JsonObject> ruleStatus(String id) {
      return http.request(HttpMethod.GET, port, "127.0.0.1", "/rules/" + id + "/status")
        .compose(req -> req.send())
        .compose(resp -> resp.body())
        .map(body -> new JsonObject(body));
    }
  }

  /** A port free right now on loopback (the node binds it a moment later; good enough on a bench machine). */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("bench: could not delete " + root + ": " + e.getMessage());
    }
  }
}
