package io.wsink.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The disk cache of a client-mode rule (§4.1, §5.2) against the fat jar: what reached the disk cache while the remote
 * server was down survives a {@code kill -9} of wsink and is resent, in order and marked, once the server is back.
 */
@Timeout(60)
class CacheIT {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String SINK0 = "sink_websocket_0_0_";
  private static final int MEMORY = 10;
  private static final int PAGE = 5;
  private static final int PUBLISHED = 40;
  /**
   * Memory holds at most MEMORY payloads; whenever it would hold one more, its oldest PAGE go to disk as one page. So of
   * the 40 rows, rows 0..29 are on disk (six pages) and rows 30..39 in memory, which the kill loses.
   */
  private static final int ON_DISK = 30;

  @RegisterExtension
  final ItResources resources = new ItResources();

  @TempDir
  Path dir;

  @Test
  void whatReachedTheDiskCacheSurvivesAKill9AndIsResentInOrderMarked() {
    JwsServer server = JwsServer.plain(resources);
    int port = server.port();
    server.stop(); // the remote server is down from the start; it comes back on the same port at the end

    WsinkProcess first = WsinkProcess.startNode(resources, dir);
    first.createRule(new JsonObject().put("id", "cached").put("actions", new JsonArray().add(new JsonObject()
      .put("websocket", new JsonObject()
        .put("addr", "127.0.0.1:" + port).put("path", "/in").put("sendSingle", true)
        .put("bufferLength", 5).put("enableCache", true).put("memoryCacheThreshold", MEMORY)
        .put("bufferPageSize", PAGE).put("resendIndicatorField", "resent")))));
    for (int seq = 0; seq < PUBLISHED; seq++) {
      first.publish("rule.cached", new JsonObject().put("seq", seq));
    }
    JsonObject waiting = Poll.until(SINK0 + "buffer_length to be " + PUBLISHED, WAIT, () -> first.status("cached"),
      s -> s.getInteger(SINK0 + "buffer_length", -1) == PUBLISHED
        && s.getInteger(SINK0 + "cache_disk_length", -1) == ON_DISK); // committed by the store: a crash keeps it
    assertEquals(0, waiting.getLong(SINK0 + "records_dropped_total"), waiting::encode);
    assertEquals(PUBLISHED, waiting.getLong(SINK0 + "records_in_total"), waiting::encode);

    first.kill9();
    assertFalse(first.isAlive());

    WsinkProcess second = WsinkProcess.startNode(resources, dir);
    JsonObject recovered = Poll.until("the rule back with its disk cache", WAIT, () -> second.status("cached"),
      s -> "running".equals(s.getString("status")) && s.getInteger(SINK0 + "buffer_length", -1) >= ON_DISK);
    assertTrue(recovered.getInteger(SINK0 + "buffer_length") <= PUBLISHED, recovered::encode);

    server.start(port);
    List<String> expected = new ArrayList<>();
    for (int seq = 0; seq < ON_DISK; seq++) {
      expected.add(new JsonObject().put("seq", seq).put("resent", true).encode());
    }
    List<String> received = server.awaitMessages(ON_DISK, WAIT);
    assertEquals(expected, received.subList(0, ON_DISK), "every row that reached the disk cache, in order, marked");

    // then a new row: it follows whatever else came back (nothing is required beyond the disk cache), nothing twice
    Poll.until("the cache empty", WAIT, () -> second.status("cached"), s -> s.getInteger(SINK0 + "buffer_length", -1) == 0);
    second.publish("rule.cached", new JsonObject().put("seq", PUBLISHED));
    List<String> all = server.awaitUntil(m -> m.contains(new JsonObject().put("seq", PUBLISHED).encode()),
      "the row published after the restart", WAIT);
    int previous = -1;
    for (String message : all) {
      int seq = new JsonObject(message).getInteger("seq");
      assertTrue(seq > previous, "row " + seq + " after row " + previous + " (out of order or twice): " + all);
      previous = seq;
    }
    assertEquals(PUBLISHED, previous, "the new row comes last: " + all);
  }
}
