package io.wsink.server;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.wsink.pipeline.Frame;

/**
 * The local fast path to an endpoint of a data server in the same Vert.x instance: a sink whose handlers run on the
 * data server's event loop hands its frames to the endpoint with a method call instead of an event-bus request and its
 * reply. It gives the same answer as the frames address ({@link io.wsink.Addresses#endpointFrames}): the number of
 * sockets the frame was handed to.
 *
 * <p>Usable only on {@link #context()}, and only while {@link #open()}: anywhere else, or after the endpoint was
 * removed, the sender goes through the event bus as before.
 */
public final class LocalEndpoint implements Shareable {

  private static final String MAP = "wsink.local-endpoints";

  private final Endpoint endpoint;
  private final Context context;
  /** The event-loop thread of {@link #context}: event-bus handlers run on duplicates of a context, so compare threads. */
  private final Thread thread;

  private LocalEndpoint(Endpoint endpoint, Context context) {
    this.endpoint = endpoint;
    this.context = context;
    this.thread = Thread.currentThread();
  }

  /** The endpoint on {@code path} of this Vert.x instance's data server, or null when there is none. */
  public static LocalEndpoint find(Vertx vertx, String path) {
    return map(vertx).get(path);
  }

  /** Publishes {@code endpoint}, which lives on {@code context}, for senders in this Vert.x instance; called there. */
  static LocalEndpoint publish(Vertx vertx, Context context, Endpoint endpoint) {
    LocalEndpoint local = new LocalEndpoint(endpoint, context);
    map(vertx).put(endpoint.path(), local);
    return local;
  }

  /** Withdraws {@code local} (and nothing that replaced it on the same path). */
  static void withdraw(Vertx vertx, LocalEndpoint local) {
    map(vertx).removeIfPresent(local.endpoint.path(), local);
  }

  private static LocalMap<String, LocalEndpoint> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP);
  }

  /** The event loop the endpoint is confined to: {@link #deliver} may be called there only. */
  public Context context() {
    return context;
  }

  /** Whether the caller may deliver now: on the endpoint's event loop, and the endpoint still takes frames. */
  public boolean open() {
    return Thread.currentThread() == thread && endpoint.consuming();
  }

  /**
   * Offers {@code frame} to every client of the endpoint, as a frame sent to its address with the holder header.
   *
   * @return the number of sockets it was handed to
   */
  public int deliver(Frame frame, String holderId) {
    return endpoint.fanOut(frame, holderId);
  }

  /** Whether the acknowledgement of the frame {@code holderId} just delivered must wait (see {@link #whenRoom}). */
  public boolean mustHoldAck(String holderId) {
    return endpoint.mustHoldAck(holderId);
  }

  /** Runs {@code ack} once no client is over its queue limit under {@code overflow: block}; at once when none is. */
  public void whenRoom(Runnable ack) {
    endpoint.whenRoom(ack);
  }
}
