package io.wsink.sink;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.wsink.testkit.Poll;
import io.wsink.testkit.RecordingServer;
import io.wsink.testkit.TestNode;
import io.wsink.tls.ServerTls;
import io.wsink.tls.TestCerts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.wsink.testkit.Rules.SINK0;
import static io.wsink.testkit.Rules.clientProps;
import static io.wsink.testkit.Rules.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 6.4, fault 2 — a client-mode rule whose remote cannot be reached for a reason the user must fix: the server's
 * certificate is not trusted, or the host name does not resolve (§4.1: the rule keeps running and redialling, its status
 * shows {@code connection_status} -1/0 and the last error). A {@code PUT} with the fix makes it connect and deliver.
 */
@ExtendWith(VertxExtension.class)
@io.vertx.junit5.Timeout(value = 40, timeUnit = TimeUnit.SECONDS)
class DialFailuresTest {

  /** Polls of a rule status give up after as long as the awaits of a {@link RecordingServer}. */
  private static final int STATUS_ATTEMPTS = (int) (RecordingServer.AWAIT_MS / Poll.DELAY_MS);
  /** RFC 6761: names under .invalid never resolve, so this needs no network and no DNS server's goodwill. */
  private static final String NO_SUCH_HOST = "no-such-host.invalid";
  /** Failed dials to see before judging the redial schedule: 100 + 200 + 400 ms of backoff between them. */
  private static final int DIALS = 4;

  @TempDir
  static Path dir;
  private static TestCerts certs;
  private static Vertx vertx;
  private static TestNode node;
  private static NxdomainDns dns;

  private final List<RecordingServer> servers = new ArrayList<>();
  private DialLog dialLog;

  /**
   * The node runs on a Vert.x of its own whose resolver asks {@link NxdomainDns} on loopback only (no search domains):
   * the resolution fails at once with NXDOMAIN, as a real DNS server answers for .invalid, whatever this machine's DNS
   * set-up or network is.
   */
  @BeforeAll
  static void startNode(Vertx v, VertxTestContext ctx) {
    certs = TestCerts.create(dir.resolve("certs"));
    dns = new NxdomainDns(v);
    dns.listen()
      .compose(dnsPort -> {
        vertx = Vertx.vertx(new VertxOptions().setAddressResolverOptions(new AddressResolverOptions()
          .setServers(List.of("127.0.0.1:" + dnsPort)).setSearchDomains(List.of()).setQueryTimeout(2_000)
          .setMaxQueries(4)));
        return TestNode.start(vertx, dir);
      })
      .onComplete(ctx.succeeding(n -> {
        node = n;
        ctx.completeNow();
      }));
  }

  @AfterAll
  static void stopNode(VertxTestContext ctx) {
    // no future chained on the node's Vert.x after it closed: its event loops are gone (close() answers off them)
    (node == null ? Future.succeededFuture() : node.stop()).onComplete(stopped ->
      (vertx == null ? Future.<Void>succeededFuture() : vertx.close()).onComplete(closed ->
        (dns == null ? Future.<Void>succeededFuture() : dns.close()).onComplete(ar -> ctx.completeNow())));
  }

  @AfterEach
  void cleanUp(VertxTestContext ctx) {
    if (dialLog != null) {
      dialLog.detach();
    }
    node.get("/rules")
      .compose(r -> {
        List<Future<?>> dropped = new ArrayList<>();
        r.bodyAsJsonArray().forEach(o -> dropped.add(node.delete("/rules/" + ((JsonObject) o).getString("id"))));
        return Future.join(dropped);
      })
      .transform(ar -> {
        List<Future<?>> closing = new ArrayList<>();
        servers.forEach(s -> closing.add(s.close()));
        return Future.join(closing);
      })
      .onComplete(ar -> ctx.completeNow());
  }

  @Test
  void anUntrustedServerCertificateShowsInTheStatusAndTheRightRootCaFixesIt(VertxTestContext ctx) {
    RecordingServer server = recorder("tls server");
    int[] port = new int[1];
    // the server shows the certificate the test CA signed; the rule trusts only the rogue, self-signed one
    server.listen(0, tlsServer())
      .compose(p -> {
        port[0] = p;
        return node.createRule(rule("tls", tlsProps(p, certs.rogueCert())));
      })
      .compose(v -> awaitStatus("tls", "a failed TLS handshake in the status",
        s -> !s.getString(SINK0 + "connection_last_error", "").isEmpty()))
      .compose(status -> {
        ctx.verify(() -> {
          assertEquals("running", status.getString("status"), "a failed dial does not stop the rule");
          assertDown(status);
          String error = status.getString(SINK0 + "connection_last_error");
          assertTrue(error.startsWith("cannot connect to wss://localhost:" + port[0] + "/in: "), error);
          assertTrue(namesTls(error), "the error names the TLS problem: " + error);
          assertEquals(0, server.connections(), "no WebSocket got through");
        });
        return node.put("/rules/tls", rule("tls", tlsProps(port[0], certs.caCert())));
      })
      .compose(r -> expect(r, 200, "Rule tls was updated successfully."))
      .compose(v -> awaitStatus("tls", "connected with the right CA",
        s -> s.getInteger(SINK0 + "connection_status", -2) == 1))
      .compose(status -> {
        ctx.verify(() -> assertEquals("", status.getString(SINK0 + "connection_last_error"), status::encode));
        vertx.eventBus().publish("rule.tls", "after the fix");
        return server.awaitMessages(1);
      })
      .onComplete(ctx.succeeding(messages -> ctx.verify(() -> {
        assertEquals(List.of("after the fix"), messages);
        ctx.completeNow();
      })));
  }

  @Test
  void anUnresolvableHostShowsInTheStatusIsRedialledWithBackoffAndALoopbackAddrFixesIt(VertxTestContext ctx) {
    RecordingServer server = recorder("server");
    String url = "ws://" + NO_SUCH_HOST + ":9000/in";
    dialLog = DialLog.attach(url);
    long created = System.currentTimeMillis();
    node.createRule(rule("dns", new JsonObject().put("addr", NO_SUCH_HOST + ":9000").put("path", "/in")))
      .compose(v -> dialLog.awaitFailures(DIALS))
      .compose(failures -> awaitStatus("dns", "the resolution failure in the status",
        s -> s.getString(SINK0 + "connection_last_error", "").startsWith("cannot connect to " + url)).map(status -> {
          ctx.verify(() -> {
            assertEquals("running", status.getString("status"), "a failed dial does not stop the rule");
            assertDown(status);
            String error = status.getString(SINK0 + "connection_last_error");
            assertTrue(namesResolution(error), "the error names the resolution failure: " + error);
            assertRedialsBackOff(created, failures);
            assertTrue(dns.queriesFor(NO_SUCH_HOST) >= DIALS, "every redial resolves the name again: "
              + dns.queriesFor(NO_SUCH_HOST) + " queries for " + DIALS + " dials");
          });
          return status;
        }))
      .compose(v -> node.get("/ping"))
      .compose(r -> {
        ctx.verify(() -> assertEquals(200, r.statusCode(), "the node stays healthy"));
        return server.listen(0);
      })
      .compose(port -> node.put("/rules/dns", rule("dns", clientProps(port))))
      .compose(r -> expect(r, 200, "Rule dns was updated successfully."))
      .compose(v -> awaitStatus("dns", "connected to loopback", s -> s.getInteger(SINK0 + "connection_status", -2) == 1))
      .compose(status -> {
        ctx.verify(() -> assertEquals("", status.getString(SINK0 + "connection_last_error"), status::encode));
        vertx.eventBus().publish("rule.dns", "resolved at last");
        return server.awaitMessages(1);
      })
      .onComplete(ctx.succeeding(messages -> ctx.verify(() -> {
        assertEquals(List.of("resolved at last"), messages);
        ctx.completeNow();
      })));
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** Not connected: connecting (0) or down (-1), as §6.1 says. */
  private static void assertDown(JsonObject status) {
    int cs = status.getInteger(SINK0 + "connection_status");
    assertTrue(cs == -1 || cs == 0, "connection_status " + cs + ": " + status.encode());
  }

  private static boolean namesTls(String error) {
    String e = error.toLowerCase(Locale.ROOT);
    return e.contains("ssl") || e.contains("tls") || e.contains("certif") || e.contains("pkix");
  }

  private static boolean namesResolution(String error) {
    String e = error.toLowerCase(Locale.ROOT);
    return e.contains(NO_SUCH_HOST) && (e.contains("resolve") || e.contains("unknown host")
      || e.contains("unknownhost") || e.contains("nxdomain") || e.contains("not known"));
  }

  /**
   * The failed dials came at the pace of the backoff (§4 {@code maxConnRetry}): between dial k and k + 1 at least
   * 100 ms × 2^k − 20 %, and never more than 30 s + 20 % plus the dial itself; loosely, as the contract's bounds.
   */
  private static void assertRedialsBackOff(long created, List<Long> failures) {
    assertTrue(failures.size() >= DIALS, "retried: " + failures);
    for (int k = 0; k + 1 < failures.size(); k++) {
      long gap = failures.get(k + 1) - failures.get(k);
      long least = (long) (0.8 * Math.min(30_000, 100 * (1L << Math.min(k, 20))));
      int attempt = k;
      assertTrue(gap >= least, () -> "dial " + (attempt + 2) + " came " + gap + " ms after dial " + (attempt + 1)
        + ", sooner than the backoff's " + least + " ms: " + failures);
      assertTrue(gap <= 36_000 + 10_000, () -> "dial " + (attempt + 2) + " came " + gap + " ms after the one before");
    }
    assertTrue(failures.get(0) >= created, "the first dial follows the rule's creation");
  }

  private RecordingServer recorder(String name) {
    RecordingServer server = new RecordingServer(vertx, name);
    servers.add(server);
    return server;
  }

  /** Client-mode properties of a wss:// rule to localhost:port that trusts the CA (or certificate) in {@code rootCa}. */
  private static JsonObject tlsProps(int port, Path rootCa) {
    return new JsonObject().put("addr", "localhost:" + port).put("path", "/in").put("rootCARaw", TestCerts.base64(rootCa));
  }

  /** TLS on 127.0.0.1 with the CA-signed certificate for localhost. */
  private static HttpServerOptions tlsServer() {
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1");
    ServerTls.applyTo(options, certs.serverCert().toString(), certs.serverKey().toString());
    return options;
  }

  private static Future<Void> expect(HttpResponse<Buffer> r, int status, String body) {
    return r.statusCode() == status && body.equals(r.bodyAsString()) ? Future.succeededFuture()
      : Future.failedFuture(new AssertionError("expected " + status + " " + body + ", got " + r.statusCode() + " "
        + r.bodyAsString()));
  }

  private Future<JsonObject> awaitStatus(String id, String what, Predicate<JsonObject> until) {
    return node.awaitStatus(id, what, until, STATUS_ATTEMPTS);
  }

  /**
   * A DNS server on 127.0.0.1 (UDP) that answers every query with NXDOMAIN ("no such name") and counts the queries per
   * name.
   */
  static final class NxdomainDns {
    private final DatagramSocket socket;
    private final Map<String, Integer> queries = new HashMap<>();

    NxdomainDns(Vertx vertx) {
      this.socket = vertx.createDatagramSocket(new DatagramSocketOptions());
    }

    Future<Integer> listen() {
      socket.handler(packet -> {
        Buffer query = packet.data();
        int end = 12; // header; then the question's name as length-prefixed labels, a 0, QTYPE and QCLASS
        StringBuilder name = new StringBuilder();
        while (end < query.length() && query.getUnsignedByte(end) != 0) {
          int length = query.getUnsignedByte(end);
          name.append(name.length() == 0 ? "" : ".").append(query.getString(end + 1, end + 1 + length));
          end += 1 + length;
        }
        end += 5;
        if (query.length() < end || query.getUnsignedShort(4) != 1) {
          return; // not one question: not what a resolver sends
        }
        synchronized (this) {
          queries.merge(name.toString().toLowerCase(Locale.ROOT), 1, Integer::sum);
        }
        // the same id, QR (response) with the query's opcode and RD, RA and RCODE 3 (NXDOMAIN); the question alone
        Buffer answer = query.getBuffer(0, end);
        answer.setUnsignedByte(2, (short) (0x80 | (query.getUnsignedByte(2) & 0x79)));
        answer.setUnsignedByte(3, (short) 0x83);
        answer.setUnsignedShort(6, 0).setUnsignedShort(8, 0).setUnsignedShort(10, 0);
        socket.send(answer, packet.sender().port(), packet.sender().host());
      });
      return socket.listen(0, "127.0.0.1").map(s -> s.localAddress().port());
    }

    synchronized int queriesFor(String name) {
      return queries.getOrDefault(name, 0);
    }

    Future<Void> close() {
      return socket.close();
    }
  }

  /**
   * The times (ms) at which the client target logged a failed dial of {@code url}: a dial is observed where the product
   * reports it, with no hook in the product. Awaits are woken by the log events themselves.
   */
  static final class DialLog extends AppenderBase<ILoggingEvent> {
    private final String prefix;
    private final List<Long> failures = new ArrayList<>();
    private final List<Runnable> waiters = new ArrayList<>();
    private Logger logger;

    private DialLog(String url) {
      this.prefix = "cannot connect to " + url;
    }

    static DialLog attach(String url) {
      DialLog log = new DialLog(url);
      log.logger = (Logger) LoggerFactory.getLogger(ClientTarget.class);
      log.setContext(log.logger.getLoggerContext());
      log.start();
      log.logger.addAppender(log);
      return log;
    }

    void detach() {
      logger.detachAppender(this);
      stop();
    }

    @Override
    protected synchronized void append(ILoggingEvent event) {
      if (event.getLevel().isGreaterOrEqual(Level.WARN) && event.getFormattedMessage().startsWith(prefix)) {
        failures.add(event.getTimeStamp());
        new ArrayList<>(waiters).forEach(Runnable::run);
      }
    }

    /** Completes with the failure times once {@code n} were logged; fails after {@link RecordingServer#AWAIT_MS}. */
    synchronized Future<List<Long>> awaitFailures(int n) {
      Promise<List<Long>> promise = Promise.promise();
      Runnable check = () -> {
        if (failures.size() >= n) {
          promise.tryComplete(List.copyOf(failures));
        }
      };
      waiters.add(check);
      check.run();
      long timer = vertx.setTimer(RecordingServer.AWAIT_MS, id -> {
        synchronized (this) {
          promise.tryFail(new AssertionError(n + " failed dials of " + prefix.substring(18) + " not logged within "
            + RecordingServer.AWAIT_MS + " ms: " + failures));
        }
      });
      return promise.future().andThen(ar -> vertx.cancelTimer(timer));
    }
  }
}
