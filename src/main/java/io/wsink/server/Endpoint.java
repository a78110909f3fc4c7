package io.wsink.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.wsink.Addresses;
import io.wsink.pipeline.Frame;
import io.wsink.sink.Overflow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One server-mode endpoint of the data server: its holders, its connected clients and the one event-bus consumer that
 * brings its frames. Each frame is fanned out to every client, in order, through that client's bounded queue.
 * Confined to the server verticle's event loop.
 */
final class Endpoint {

  private static final Logger LOG = LoggerFactory.getLogger(Endpoint.class);

  static final short GOING_AWAY = 1001;
  /**
   * Acknowledgements held at most under {@code overflow: block}. A producer with a window holds far fewer; one that
   * keeps requesting without waiting for the answers is not slowed by them anyway, and its answers past this many go
   * out at once rather than pile up.
   */
  static final int MAX_HELD_ACKS = 65_536;

  /** A holder and the delivery figures of its frames. */
  static final class HolderState {
    private final EndpointHolder holder;
    long dropped;
    long disconnected;

    HolderState(EndpointHolder holder) {
      this.holder = holder;
    }

    EndpointHolder holder() {
      return holder;
    }
  }

  // frames that arrive from a holder already released (in flight during a stop) still follow eKuiper's defaults
  private final HolderState departed = new HolderState(EndpointHolder.rest());

  private final Vertx vertx;
  private final String path;
  private final AccessCounters counters;
  private final Map<String, HolderState> holders = new LinkedHashMap<>();
  // copy-on-write: the fan-out loop runs per frame, attach/detach rarely
  private ClientConnection[] clients = new ClientConnection[0];
  private final MessageConsumer<Object> frames;
  /** The same endpoint for senders on this event loop, without the event bus (see {@link LocalEndpoint}). */
  private final LocalEndpoint local;
  private final Future<Void> ready;
  private long maxQueuedBytes;
  /** Clients over their limit under {@code overflow: block}, and the acknowledgements waiting until there are none. */
  private int blockingClients;
  private final ArrayDeque<Runnable> heldAcks = new ArrayDeque<>();
  private long pingTimer = -1;
  private long pingInterval;
  private boolean removed;
  /** The data server's maxFrameSize: larger messages go out in several frames, as Vert.x writes them. */
  private final int maxFrameSize;

  /**
   * @param nodeId this node's id in a cluster, or null: a clustered node takes frames from the sinks of every node on
   *               its own cluster-wide address; otherwise only local sinks send, to a local address
   */
  Endpoint(Vertx vertx, String path, AccessCounters counters, int maxFrameSize, String nodeId) {
    this.vertx = vertx;
    this.path = path;
    this.counters = counters;
    this.maxFrameSize = maxFrameSize;
    this.frames = nodeId == null ? vertx.eventBus().localConsumer(Addresses.endpointFrames(path), this::onFrame)
      : vertx.eventBus().consumer(Addresses.nodeEndpointFrames(nodeId, path), this::onFrame);
    this.local = LocalEndpoint.publish(vertx, vertx.getOrCreateContext(), this);
    this.ready = frames.completion();
  }

  String path() {
    return path;
  }

  Future<Void> ready() {
    return ready;
  }

  void hold(EndpointHolder holder) {
    HolderState previous = holders.get(holder.id());
    HolderState state = new HolderState(holder);
    if (previous != null) { // the same holder again (a restart): keep its figures
      state.dropped = previous.dropped;
      state.disconnected = previous.disconnected;
    }
    holders.put(holder.id(), state);
    reschedulePing();
  }

  /** @return true when that was the last holder */
  boolean release(String holderId) {
    holders.remove(holderId);
    if (holders.isEmpty()) {
      return true;
    }
    reschedulePing();
    return false;
  }

  boolean hasRuleHolders() {
    return holders.values().stream().anyMatch(h -> h.holder().isRule());
  }

  HolderStats stats(String holderId) {
    HolderState h = holders.get(holderId);
    return new HolderStats(clients.length, h == null ? 0 : h.dropped, h == null ? 0 : h.disconnected);
  }

  EndpointInfo info() {
    return new EndpointInfo(path, clients.length, new ArrayList<>(holders.keySet()), maxQueuedBytes);
  }

  /**
   * Serves a newly accepted client.
   *
   * @param onClosed runs once the socket is closed, whoever closed it (gives back its connection slot)
   */
  void attach(ServerWebSocket ws, Runnable onClosed) {
    if (removed) {
      ws.closeHandler(v -> onClosed.run());
      ws.close(GOING_AWAY, "endpoint " + path + " was removed");
      return;
    }
    int smallestQueue = holders.values().stream().mapToInt(h -> h.holder().queueBytes()).min().orElse(65536);
    ClientConnection client = new ClientConnection(vertx, ws, Math.max(1024, Math.min(65536, smallestQueue / 4)),
      maxFrameSize, System.currentTimeMillis(), this::clientUnblocked);
    clients = append(clients, client);
    // Vert.x hands every frame to this check before it assembles the message the text handler gets
    Utf8Check utf8 = new Utf8Check();
    ws.frameHandler(frame -> {
      if (!utf8.accept(frame) && !client.closing()) {
        counters.closedInvalidText();
        LOG.debug("a client of {} sent text that is not UTF-8, closing it with 1007", path);
        client.close(InboundErrors.INVALID_PAYLOAD, "text is not UTF-8");
      }
    });
    ws.textMessageHandler(text -> {
      client.seen(System.currentTimeMillis());
      // Vert.x may hand over the assembled text before the check has seen its last frame: decide a turn later, and
      // pass nothing on from a client whose text was not UTF-8 (Vert.x decoded it with replacement characters)
      vertx.runOnContext(v -> {
        if (!utf8.failed()) {
          vertx.eventBus().publish(Addresses.endpointInbound(path), inbound(text));
        }
      });
    });
    ws.binaryMessageHandler(data -> client.seen(System.currentTimeMillis()));
    ws.pongHandler(data -> client.seen(System.currentTimeMillis()));
    ws.exceptionHandler(err -> failed(client, err));
    ws.closeHandler(v -> {
      client.closed();
      clients = remove(clients, client);
      onClosed.run();
    });
  }

  /** The socket reported an error: close it, with 1009 for a frame or message above the limits (§8). */
  private void failed(ClientConnection client, Throwable err) {
    if (client.closing()) {
      return; // a later error of a socket being closed already (or the drop that follows a too-big frame)
    }
    short code = InboundErrors.closeCode(err, GOING_AWAY);
    LOG.debug("a client of {} failed, closing it with {}: {}", path, code, err.toString());
    if (code == InboundErrors.MESSAGE_TOO_BIG) {
      counters.closedMessageTooBig();
      client.close(code, "message too big");
    } else {
      client.close(code, "error");
    }
  }

  /** A JSON object when the text is one, else the text itself (§4.2). */
  private static Object inbound(String text) {
    String t = text.trim();
    if (t.startsWith("{")) {
      try {
        return new JsonObject(t);
      } catch (DecodeException notJson) {
        // falls through: sent on as text
      }
    }
    return text;
  }

  private void onFrame(Message<Object> msg) {
    if (!(msg.body() instanceof String) && !(msg.body() instanceof Buffer)) { // only sinks send here, but the bus is open
      LOG.warn("endpoint {}: dropped a frame that is neither text nor bytes: {}", path, msg.body());
      if (msg.replyAddress() != null) {
        msg.fail(400, "a frame for endpoint " + path + " is a String or a Buffer");
      }
      return;
    }
    String holderId = msg.headers().get(Addresses.HOLDER_HEADER);
    int delivered = fanOut(new Frame(msg.body()), holderId);
    if (msg.replyAddress() != null) {
      // the number of sockets it went to: an Integer, nothing to build per frame
      if (mustHoldAck(holderId)) {
        whenRoom(() -> msg.reply(delivered));
      } else {
        msg.reply(delivered);
      }
    }
  }

  /** Whether frames are still taken (until {@link #stopConsuming}). */
  boolean consuming() {
    return !removed;
  }

  /**
   * Offers one frame to every client, with the overflow policy of {@code holderId} (eKuiper's defaults for an unknown
   * or missing holder).
   *
   * @return the number of sockets it was handed to
   */
  int fanOut(Frame frame, String holderId) {
    HolderState holder = holderState(holderId);
    int delivered = 0;
    for (ClientConnection client : clients) {
      boolean wasBlocking = client.blocking();
      if (client.offer(frame, holder)) {
        delivered++;
      }
      if (!wasBlocking && client.blocking()) {
        blockingClients++;
      }
      long queued = client.pendingBytes();
      if (queued > maxQueuedBytes) {
        maxQueuedBytes = queued;
      }
    }
    return delivered;
  }

  private HolderState holderState(String holderId) {
    return holderId == null ? departed : holders.getOrDefault(holderId, departed);
  }

  /**
   * Whether the acknowledgement of a frame {@code holderId} just handed over must wait: its policy is
   * {@code overflow: block} and a client is over its queue limit. The producer's window of unacknowledged requests is
   * then what bounds the queues, and nothing is dropped.
   */
  boolean mustHoldAck(String holderId) {
    return blockingClients > 0 && holderState(holderId).holder().overflow() == Overflow.BLOCK;
  }

  /**
   * Runs {@code ack} once no client is over its limit, in the order they were held; at once when none is (or when
   * {@link #MAX_HELD_ACKS} are held already).
   */
  void whenRoom(Runnable ack) {
    if (blockingClients == 0 || heldAcks.size() >= MAX_HELD_ACKS) {
      ack.run();
    } else {
      heldAcks.add(ack);
    }
  }

  private void clientUnblocked() {
    if (--blockingClients == 0) {
      for (Runnable ack; blockingClients == 0 && (ack = heldAcks.poll()) != null; ) {
        ack.run();
      }
    }
  }

  private void reschedulePing() {
    long interval = holders.values().stream().mapToLong(h -> h.holder().pingInterval()).filter(i -> i > 0).min().orElse(0);
    if (interval == pingInterval) {
      return;
    }
    pingInterval = interval;
    if (pingTimer >= 0) {
      vertx.cancelTimer(pingTimer);
      pingTimer = -1;
    }
    if (interval > 0) {
      pingTimer = vertx.setPeriodic(interval, id -> ping());
    }
  }

  /** Pings every client; one silent for three intervals is a dead peer and is closed. */
  private void ping() {
    long now = System.currentTimeMillis();
    for (ClientConnection client : clients) {
      if (now - client.lastSeen() > 3 * pingInterval) {
        client.close(GOING_AWAY, "no answer to ping for " + 3 * pingInterval + " ms");
      } else if (!client.socket().isClosed()) {
        client.socket().writePing(Buffer.buffer("wsink"));
      }
    }
  }

  /** Whether every client has written out its queue (for a graceful stop). */
  boolean flushed() {
    return Arrays.stream(clients).allMatch(ClientConnection::idle);
  }

  /**
   * Stops taking frames: a new endpoint on the same path then has the only consumer of its address. Connected clients
   * stay until {@link #closeClients}, so they can take what is queued for them.
   */
  Future<Void> stopConsuming() {
    removed = true;
    LocalEndpoint.withdraw(vertx, local);
    if (pingTimer >= 0) {
      vertx.cancelTimer(pingTimer);
      pingTimer = -1;
    }
    return frames.unregister();
  }

  /** Closes every client with 1001; completes when they answered or the closing timeout passed. */
  Future<Void> closeClients(String reason) {
    List<Future<Void>> closed = new ArrayList<>();
    for (ClientConnection client : clients) {
      closed.add(client.close(GOING_AWAY, reason));
    }
    return Future.join(closed).mapEmpty();
  }

  private static ClientConnection[] append(ClientConnection[] all, ClientConnection one) {
    ClientConnection[] out = Arrays.copyOf(all, all.length + 1);
    out[all.length] = one;
    return out;
  }

  private static ClientConnection[] remove(ClientConnection[] all, ClientConnection one) {
    return Arrays.stream(all).filter(c -> c != one).toArray(ClientConnection[]::new);
  }
}
