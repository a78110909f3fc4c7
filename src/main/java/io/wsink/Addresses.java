package io.wsink;

/**
 * Every event-bus address wsink uses, in one place.
 *
 * <p>Producers only need {@link #defaultFrom(String)}; the others are wsink's own plumbing between its verticles.
 */
public final class Addresses {

  private Addresses() {
  }

  /** Every address of wsink's own plumbing starts with this: rules may not consume them, REST may not publish there. */
  public static final String INTERNAL_PREFIX = "wsink.";

  public static boolean isInternal(String address) {
    return address.startsWith(INTERNAL_PREFIX);
  }

  /** The address a rule consumes when its definition has no {@code from}. */
  public static String defaultFrom(String ruleId) {
    return "rule." + ruleId;
  }

  /**
   * Frames for one server-mode endpoint, published by sink verticles and written to sockets by the server verticle; a
   * request is answered with the number of sockets the frame was handed to (an Integer).
   */
  public static String endpointFrames(String path) {
    return "wsink.endpoint:" + path;
  }

  /**
   * In a cluster (§7), frames for one endpoint of one node: a sink sends each frame to every node's address, and each
   * node's data server writes it to its own clients and answers a request with their number.
   */
  public static String nodeEndpointFrames(String nodeId, String path) {
    return "wsink.endpoint@" + nodeId + ":" + path;
  }

  /** Header of a frame message: the endpoint holder that sent it (its overflow policy and queue size apply). */
  public static final String HOLDER_HEADER = "h";

  /** Text that clients send to an endpoint is published here (§4.2). */
  public static String endpointInbound(String path) {
    return "ws.in." + path;
  }

  /** Requests to the data server: hold/release an endpoint, list endpoints, endpoint statistics. */
  public static final String SERVER_CONTROL = "wsink.server.control";

  /** Status and control of one running sink verticle: instance {@code instance} of action {@code action}. */
  public static String sinkControl(String ruleId, int action, int instance) {
    return "wsink.sink." + ruleId + "." + action + "." + instance;
  }

  /**
   * Input of action {@code index} when a rule has several actions, or an action several instances ({@code concurrency}):
   * the rule's dispatcher sends every message here once per action, and the event bus hands it to one of the action's
   * instances, round-robin.
   */
  public static String actionInput(String ruleId, int index) {
    return "wsink.action." + ruleId + "." + index;
  }

  /**
   * A cluster-wide table (§7) — {@code rules}, {@code endpoints}, {@code owners}: the name of its Hazelcast map, and the
   * address on which a node that changed an entry tells the others.
   */
  public static String clusterTable(String name) {
    return "wsink.cluster." + name;
  }

  /**
   * In a cluster, the disk cache another node kept for action {@code action} of a rule, handed to the node that runs the
   * action now (its instance 0 takes it); a request carries one cache page (a JsonArray) and is answered once taken.
   */
  public static String cacheHandoff(String ruleId, int action) {
    return "wsink.cache." + ruleId + "." + action;
  }

  /** Requests to the rule manager of one node of a cluster, e.g. the status of a rule it runs. */
  public static String nodeRules(String nodeId) {
    return "wsink.node." + nodeId + ".rules";
  }
}
