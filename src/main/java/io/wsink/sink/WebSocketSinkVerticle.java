package io.wsink.sink;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsink.Addresses;
import io.wsink.Detached;
import io.wsink.config.DataServerSettings;
import io.wsink.pipeline.Frame;
import io.wsink.pipeline.Payload;
import io.wsink.pipeline.PipelineException;
import io.wsink.pipeline.SinkPipeline;
import io.wsink.server.EndpointHolder;
import io.wsink.server.EndpointRegistry;
import io.wsink.server.EventBusEndpointRegistry;
import io.wsink.server.ServerVerticle;
import io.wsink.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One websocket action: consumes an event-bus address, runs each message through the sink pipeline and sends the
 * frames to a remote server (client mode) or to every client of an endpoint (server mode).
 *
 * <p>Deployed by the rule manager for each action of each running rule, or standalone (§9) with the config
 * <pre>{"from": "&lt;address&gt;", "websocket": { ...properties }, "source": { ...data server, optional }}</pre>
 * Standalone in server mode, it starts the data server it needs when this Vert.x instance has none.
 */
public final class WebSocketSinkVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(WebSocketSinkVerticle.class);

  /** Config keys. */
  public static final String FROM = "from";
  public static final String WEBSOCKET = "websocket";
  public static final String SOURCE = "source";
  /** The {@code sink} section of wsink.yaml: node-wide defaults, and {@code aesKey} for encryption. */
  public static final String SINK = "sink";
  static final String RULE = "rule";
  static final String ACTION = "action";
  static final String INSTANCE = "instance";
  static final String INPUT = "input";
  static final String MANAGED = "managed";

  /** Control operations on {@link Addresses#sinkControl}. */
  public static final String OP_STATUS = "status";
  public static final String OP_CLOSE_CODE = "closeCode";
  /** Puts the current status into the sink's Prometheus meters (GET /metrics asks right before it scrapes). */
  public static final String OP_REFRESH_METERS = "refreshMeters";

  private static final short GOING_AWAY = 1001;

  private final SinkMetrics metrics = new SinkMetrics();
  /** The node's store, for the disk cache; null for a standalone sink. */
  private final Store store;
  /** Where a sink of a node registers its meters; null for a standalone sink, or when the node's metrics are off. */
  private final MeterRegistry meterRegistry;
  private SinkMeters meters;
  private CacheStage cache;
  private WebSocketActionProps props;
  private SinkPipeline pipeline;
  private Batcher batcher;
  private SinkTarget target;
  private MessageConsumer<Object> input;
  private MessageConsumer<JsonObject> controls;
  /**
   * Where messages, control requests and the batcher run: this verticle's context, or the local data server's when a
   * server-mode sink hands its frames over there by a method call ({@link SinkTarget#workContext}). Everything the
   * sink holds is confined to it.
   */
  private Context work;
  private short closeCode = GOING_AWAY;

  /** A standalone sink (§9): no store, so no disk cache; no rule id to label meters with, so no meters. */
  public WebSocketSinkVerticle() {
    this(null, null);
  }

  /**
   * A sink of a node: {@code store} keeps its disk cache, {@code meterRegistry} (null: none) gets its meters.
   */
  public WebSocketSinkVerticle(Store store, MeterRegistry meterRegistry) {
    this.store = store;
    this.meterRegistry = meterRegistry;
  }

  /** The config of instance {@code instance} of action {@code action}, deployed by the rule manager. */
  public static JsonObject managedConfig(String ruleId, int action, int instance, String from, String input,
                                         JsonObject properties, JsonObject sinkDefaults) {
    return new JsonObject().put(RULE, ruleId).put(ACTION, action).put(INSTANCE, instance).put(FROM, from)
      .put(INPUT, input).put(WEBSOCKET, properties).put(SINK, sinkDefaults).put(MANAGED, true);
  }

  @Override
  public Future<?> start() {
    JsonObject config = config();
    String from = config.getString(FROM);
    if (from == null || from.isBlank()) {
      return Future.failedFuture(new IllegalArgumentException(
        "WebSocketSinkVerticle needs config \"from\": the event-bus address to consume"));
    }
    JsonObject properties = config.getJsonObject(WEBSOCKET);
    if (properties == null) {
      return Future.failedFuture(new IllegalArgumentException(
        "WebSocketSinkVerticle needs config \"websocket\": the properties of the action"));
    }
    // parsed off the event loop: validating TLS properties looks at certificate files
    return vertx.executeBlocking(() -> WebSocketActionProps.parse(properties), false)
      .compose(parsed -> start(config, from, parsed));
  }

  private Future<Void> start(JsonObject config, String from, WebSocketActionProps parsed) {
    props = parsed;
    String aesKey = config.getJsonObject(SINK, new JsonObject()).getString("aesKey", "");
    pipeline = new SinkPipeline(props, aesKey.isEmpty() ? null : Base64.getDecoder().decode(aesKey));
    if (props.batchSize() > 0 || props.lingerInterval() > 0) {
      batcher = new Batcher(vertx, props.batchSize(), props.lingerInterval(), this::deliver);
    }
    String ruleId = config.getString(RULE);
    int action = config.getInteger(ACTION, 0);
    int instance = config.getInteger(INSTANCE, 0);
    boolean managed = config.getBoolean(MANAGED, false);
    if (ruleId == null && props.concurrency() > 1) {
      return Future.failedFuture(new IllegalArgumentException("concurrency " + props.concurrency()
        + " needs the rule manager of a wsink node, which runs the instances; a standalone sink is one instance"));
    }

    Future<Void> ready;
    if (props.clientMode()) {
      ClientTarget client = new ClientTarget(vertx, props, metrics);
      target = client;
      CacheSettings cacheSettings = CacheSettings.resolve(props, config.getJsonObject(SINK));
      if (cacheSettings.enabled()) {
        if (store == null || ruleId == null) {
          return Future.failedFuture(new IllegalArgumentException(
            "enableCache needs the store of a wsink node: a standalone sink has none"));
        }
        cache = new CacheStage(vertx, cacheSettings, store, cacheKey(ruleId, action, instance), client, metrics, this::emit);
        ready = cache.start().compose(v -> target.start());
      } else {
        ready = target.start();
      }
    } else {
      EndpointRegistry registry = new EventBusEndpointRegistry(vertx);
      String holder = ruleId != null ? EndpointHolder.ruleHolderId(ruleId, action, instance) : "verticle:" + deploymentID();
      target = new ServerTarget(vertx, registry, props, holder, metrics);
      ready = (managed ? Future.<Void>succeededFuture()
        : ensureDataServer(registry, config.getJsonObject(SOURCE, new JsonObject())))
        .compose(v -> target.start());
    }
    if (ruleId != null && meterRegistry != null) {
      meters = new SinkMeters(meterRegistry, ruleId, action, instance, props, cache != null);
      metrics.recordLatencyIn(meters.sendLatency());
    }
    String inputAddress = config.getString(INPUT, from);
    return ready.compose(v -> {
      // one instance with cheap stages moves next to a local endpoint; concurrency and costly stages keep their own loop
      work = props.concurrency() == 1 && pipeline.lightweight() ? target.workContext(context) : context;
      return onWork(() -> {
        // the rule's own address is cluster-wide; a dispatcher's per-action address is local
        input = inputAddress.equals(from) ? vertx.eventBus().consumer(from, this::onMessage)
          : vertx.eventBus().localConsumer(inputAddress, this::onMessage);
        Future<Void> registered = input.completion();
        if (ruleId != null) {
          controls = vertx.eventBus().localConsumer(Addresses.sinkControl(ruleId, action, instance), this::control);
          registered = Future.all(registered, controls.completion()).mapEmpty();
        }
        if (cache != null && vertx.isClustered() && instance == 0) {
          registered = Future.all(registered,
            vertx.eventBus().<JsonArray>consumer(Addresses.cacheHandoff(ruleId, action), this::takeOverCache).completion())
            .mapEmpty();
        }
        return registered;
      });
    }).onFailure(err -> { // no stop() follows a failed start
      if (input != null) {
        input.unregister();
      }
      unregisterControls();
      removeMeters();
    });
  }

  /**
   * Runs {@code action} on the work context. Handlers registered there belong to that context, not to this
   * verticle's deployment, so {@link #stop} unregisters them itself.
   */
  private <T> Future<T> onWork(Supplier<Future<T>> action) {
    if (work == null || work == context) {
      return action.get();
    }
    Promise<T> done = Promise.promise();
    // completed back on this verticle's context, where start() and stop() go on
    work.runOnContext(v -> action.get().onComplete(ar -> context.runOnContext(x -> done.handle(ar))));
    return done.future();
  }

  private void onMessage(Message<Object> msg) {
    long received = System.nanoTime();
    metrics.received();
    Payload payload;
    try {
      payload = pipeline.classify(msg.body());
    } catch (PipelineException e) {
      metrics.exception(e.getMessage());
      if (msg.replyAddress() != null) {
        msg.fail(AckFailure.UNSUPPORTED_BODY, e.getMessage());
      }
      return;
    }
    Promise<Integer> ack = null;
    if (msg.replyAddress() != null) {
      ack = Promise.promise();
      ack.future().onComplete(ar -> {
        if (ar.succeeded()) {
          msg.reply(new JsonObject().put("delivered", ar.result()));
        } else if (ar.cause() instanceof ReplyException re) {
          msg.fail(re.failureCode(), re.getMessage());
        } else {
          msg.fail(AckFailure.NOT_DELIVERED, ar.cause().getMessage());
        }
      });
    }
    if (pipeline.omitted(payload)) {
      if (ack != null) {
        ack.complete(0);
      }
      return;
    }
    if (batcher != null) {
      batcher.add(payload, ack, received);
    } else if (ack == null) {
      deliver(payload, List.of(), received); // the common case: nothing to acknowledge, nothing to allocate
    } else {
      // the acknowledgement goes with the last row (or the raw payload)
      int entries = payload instanceof Payload.Rows r ? Math.max(1, r.rows().size()) : 1;
      if (entries == 1) {
        deliver(payload, List.of(ack), received); // one row or a raw payload: the usual request
        return;
      }
      List<Promise<Integer>> rowAcks = new ArrayList<>(Collections.nCopies(entries, null));
      rowAcks.set(entries - 1, ack);
      deliver(payload, rowAcks, received);
    }
  }

  /**
   * A page of the disk cache that another node of the cluster kept for this action while it ran it (§7), handed over
   * when that node came back: resent from here, through this action's own cache and its bounds.
   */
  private void takeOverCache(Message<JsonArray> msg) {
    long now = System.nanoTime();
    for (Object item : msg.body()) {
      cache.accept(CacheStage.decode((JsonObject) item), List.of(), now);
    }
    msg.reply(msg.body().size());
  }

  /** Through the cache when there is one (client mode with enableCache), else straight on. */
  private void deliver(Payload payload, List<Promise<Integer>> rowAcks, long received) {
    if (cache != null) {
      cache.accept(payload, rowAcks, received);
    } else {
      emit(payload, rowAcks, received);
    }
  }

  /** The key of the disk cache of one instance of a rule action in the store; every key of a rule starts with its id. */
  public static String cacheKey(String ruleId, int action, int instance) {
    return instance == 0 ? ruleId + "/" + action : ruleId + "/" + action + "/" + instance;
  }

  /** What every {@link #cacheKey} of the rule starts with (rule ids have no {@code /}). */
  public static String cacheKeyPrefix(String ruleId) {
    return ruleId + "/";
  }

  /**
   * Encodes one payload (a message or a batch) and sends its frames. With {@code sendSingle} every row is its own
   * frame and a row that cannot be encoded costs only itself; otherwise the payload is one frame.
   *
   * @param rowAcks per row (one entry for a raw payload): the acknowledgement its frame completes, or null; an empty
   *                list when nothing waits for an acknowledgement
   */
  private void emit(Payload payload, List<Promise<Integer>> rowAcks, long received) {
    if (payload instanceof Payload.Rows rows && pipeline.sendSingle()) {
      if (rows.rows().isEmpty()) {
        rowAcks.stream().filter(Objects::nonNull).forEach(a -> a.tryComplete(0));
        return;
      }
      for (int i = 0; i < rows.rows().size(); i++) {
        Promise<Integer> ack = rowAcks.isEmpty() ? null : rowAcks.get(i);
        Frame frame;
        try {
          frame = pipeline.encodeRow(rows.rows().get(i));
        } catch (PipelineException e) {
          failed(e, ack == null ? List.of() : List.of(ack));
          continue;
        }
        if (frame == null) { // omitIfEmpty
          if (ack != null) {
            ack.tryComplete(0);
          }
        } else {
          target.send(frame, ack, received);
        }
      }
      return;
    }
    List<Promise<Integer>> acks = rowAcks.isEmpty() || rowAcks.size() == 1 && rowAcks.get(0) != null ? rowAcks
      : rowAcks.stream().filter(Objects::nonNull).toList();
    Frame frame;
    try {
      List<Frame> frames = pipeline.encode(payload);
      frame = frames.isEmpty() ? null : frames.get(0); // one unit: one frame
    } catch (PipelineException e) {
      failed(e, acks);
      return;
    }
    if (frame == null) {
      acks.forEach(a -> a.tryComplete(0));
      return;
    }
    if (acks.size() <= 1) {
      target.send(frame, acks.isEmpty() ? null : acks.get(0), received);
      return;
    }
    Promise<Integer> all = Promise.promise();
    target.send(frame, all, received);
    all.future().onComplete(ar -> acks.forEach(a -> {
      if (ar.succeeded()) {
        a.tryComplete(ar.result());
      } else {
        a.tryFail(ar.cause());
      }
    }));
  }

  /** A message (or row) the pipeline cannot encode: an exception of the action, which keeps running. */
  private void failed(PipelineException e, List<Promise<Integer>> acks) {
    metrics.exception(e.getMessage());
    acks.forEach(a -> a.tryFail(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, AckFailure.NOT_ENCODED,
      e.getMessage())));
  }

  private void control(Message<JsonObject> msg) {
    switch (msg.body().getString("op", "")) {
      case OP_STATUS -> {
        JsonObject status = ownStatus();
        // a data server that does not answer leaves its keys out; the sink's own still count
        target.addStatus(status).onComplete(ar -> msg.reply(status));
      }
      case OP_REFRESH_METERS -> {
        JsonObject status = ownStatus();
        target.addStatus(status).onComplete(ar -> {
          // only a whole status: without the data server's drops, a counter would go down
          if (ar.succeeded() && meters != null) {
            meters.show(status);
          }
          msg.reply(new JsonObject());
        });
      }
      case OP_CLOSE_CODE -> {
        closeCode = msg.body().getInteger("code", (int) GOING_AWAY).shortValue();
        msg.reply(new JsonObject());
      }
      default -> msg.fail(400, "unknown sink operation " + msg.body().getString("op"));
    }
  }

  /** The §6.1 status keys this verticle knows itself; the target adds its own ({@link SinkTarget#addStatus}). */
  private JsonObject ownStatus() {
    JsonObject status = metrics.toJson(target.bufferLength() + (cache == null ? 0 : cache.length()));
    if (cache != null) {
      status.put(SinkMetrics.CACHE_DISK_LENGTH, cache.committedOnDisk());
    }
    return status;
  }

  private void removeMeters() {
    if (meters != null) {
      meters.remove();
      metrics.recordLatencyIn(null);
      meters = null;
    }
  }

  /** Stops taking messages, writes out what is queued (bounded), closes with 1000 for a rule stop, 1001 otherwise. */
  @Override
  public Future<?> stop() {
    Future<Void> unregistered = input == null ? Future.succeededFuture() : input.unregister();
    return unregistered.transform(ar -> onWork(() -> {
        if (batcher != null) {
          batcher.flush(); // a partial batch goes out before the close
        }
        return cache == null ? Future.succeededFuture() : cache.stop();
      }))
      // back on this verticle's context: a server-mode target's release is answered by the data server, which
      // undeploys itself when its last endpoint goes, and a reply awaited on the data server's context went with it
      .transform(x -> target == null ? Future.succeededFuture() : target.stop(closeCode))
      .eventually(this::unregisterControls).andThen(ar -> removeMeters());
  }

  /** The status stays available while the sink stops; it goes last. */
  private Future<Void> unregisterControls() {
    return controls == null ? Future.succeededFuture() : controls.unregister();
  }

  /**
   * A standalone server-mode sink needs a data server: start one (undeployed with its last endpoint) unless this Vert.x
   * already has one. A local lock keeps two sinks starting at once from starting two.
   */
  private Future<Void> ensureDataServer(EndpointRegistry registry, JsonObject source) {
    DataServerSettings settings = standaloneServerSettings(source);
    return vertx.sharedData().getLocalLockWithTimeout("wsink.data-server", 10_000).compose(lock ->
      registry.list()
        .<Void>mapEmpty()
        .recover(err -> {
          if (err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
            LOG.info("starting a data server on {}:{} for standalone sinks", settings.httpServerIp(),
              settings.httpServerPort());
            // detached, so that it outlives this sink: other sinks may share it; it undeploys itself when idle
            return Detached.deploy(vertx, () -> new ServerVerticle(settings, true), new DeploymentOptions()).mapEmpty();
          }
          return Future.failedFuture(err);
        })
        .andThen(ar -> lock.release()));
  }

  /** The {@code source} block of a standalone sink's config, with the defaults of conf/sources/websocket.yaml. */
  private static DataServerSettings standaloneServerSettings(JsonObject source) {
    return DataServerSettings.fromJson(source);
  }
}
