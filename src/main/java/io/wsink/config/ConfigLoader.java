package io.wsink.config;

import io.vertx.config.yaml.YamlProcessor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * Reads, merges and validates the node configuration (SPEC §2) into {@link WsinkSettings}.
 *
 * <p>Layers, lowest precedence first; each one keeps its origin so that an error can say where a bad value came from:
 * <ol>
 *   <li>the defaults packaged in the jar ({@code wsink-defaults/wsink.yaml}, {@code wsink-defaults/sources/websocket.yaml}),</li>
 *   <li>{@code <confDir>/wsink.yaml} and {@code <confDir>/sources/websocket.yaml}, when they exist,</li>
 *   <li>{@code -D} system properties {@code <section>.<key>[.<subkey>]},</li>
 *   <li>environment variables {@code WSINK__<SECTION>__<KEY>[__<SUBKEY>]},</li>
 *   <li>the sections of the programmatic configuration given to {@code Wsink.deploy}.</li>
 * </ol>
 * Keys match case-insensitively at every level. Layers merge key by key (later wins; lists are replaced, not
 * appended). The merged tree is then checked against the schema; the first problem fails the future with a
 * {@link ConfigException}, so nothing starts half-configured.
 *
 * <p>Vert.x Config's YAML processor parses the files; the environment and the system properties are read as they are.
 * This class does the merging itself, because Vert.x Config's merge forgets where each value came from and its env
 * store has no nesting. (Vert.x Config's retriever is not used: starting one cost a noticeable part of start-up.)
 */
public final class ConfigLoader {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);

  public static final String DEFAULT_CONF_DIR = "conf";
  public static final String CONF_DIR_KEY = "confDir";
  static final String OPTIONS_ORIGIN = "Wsink.deploy config";
  /** Where the pom puts a copy of conf/ inside the jar. */
  static final String PACKAGED_PREFIX = "wsink-defaults/";
  static final String ENV_PREFIX = "WSINK__";
  static final List<String> FILES = List.of("wsink.yaml", "sources/websocket.yaml");

  private static final String TLS = "source.httpServerTls";
  private static final String CAFILE = TLS + ".cafile";
  private static final String CLIENT_AUTH = TLS + ".clientAuth";
  private static final String MAX_FRAME_SIZE = "source.maxFrameSize";
  private static final String MAX_MESSAGE_SIZE = "source.maxMessageSize";
  static final String STANDALONE_ORIGIN = "WebSocketSinkVerticle config";
  private static final String FILE_LEVEL = "(whole file)";
  private static final String PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----";
  private static final String AES_RULE = "must be empty or the base64 of a 16, 24 or 32 byte AES key";

  /** The schema: every valid key in canonical spelling; nested maps are objects, {@link Shape#LEAF} a value. */
  static final Shape SCHEMA = Shape.object(
      "rest", Shape.object("ip", Shape.LEAF, "port", Shape.LEAF, "tokens", Shape.LEAF),
      "store", Shape.object("dir", Shape.LEAF),
      "sink", Shape.object("enableCache", Shape.LEAF, "memoryCacheThreshold", Shape.LEAF, "maxDiskCache", Shape.LEAF,
          "bufferPageSize", Shape.LEAF, "resendInterval", Shape.LEAF, "cleanCacheAtStop", Shape.LEAF,
          "aesKey", Shape.LEAF),
      "cluster", Shape.object("enabled", Shape.LEAF, "host", Shape.LEAF, "port", Shape.LEAF, "config", Shape.LEAF),
      "metrics", Shape.object("enabled", Shape.LEAF),
      "source", Shape.object("httpServerIp", Shape.LEAF, "httpServerPort", Shape.LEAF,
          "httpServerTls", Shape.object("certfile", Shape.LEAF, "keyfile", Shape.LEAF, "cafile", Shape.LEAF,
              "clientAuth", Shape.LEAF),
          "allowedOrigins", Shape.LEAF, "tokens", Shape.LEAF, "maxConnections", Shape.LEAF, "maxFrameSize", Shape.LEAF,
          "maxMessageSize", Shape.LEAF));

  private ConfigLoader() {
  }

  /**
   * Loads the configuration of this node.
   *
   * @param options the programmatic configuration: optional {@code confDir} (default {@code conf}, relative to the
   *                working directory) and any of the sections {@code rest, store, sink, cluster, metrics, source}, which
   *                override every other layer; may be null
   * @return the validated settings, or a failed future with a {@link ConfigException}
   */
  public static Future<WsinkSettings> load(Vertx vertx, JsonObject options) {
    // every value a string: the loader gives env and -D values one JSON-or-string rule of its own
    Properties props = new Properties();
    System.getProperties().forEach((k, v) -> props.setProperty(String.valueOf(k), String.valueOf(v)));
    return load(vertx, options, System.getenv(), props);
  }

  /** As {@link #load(Vertx, JsonObject)}, with the environment and system properties given (for tests). */
  static Future<WsinkSettings> load(Vertx vertx, JsonObject options, Map<String, String> env, Properties sys) {
    JsonObject opts = options == null ? new JsonObject() : options;
    // Start from a succeeded future so that a ConfigException thrown anywhere below becomes a failed future.
    return Future.succeededFuture()
        .compose(v -> readFileLayers(vertx, opts))
        .map(fileLayers -> {
          List<Layer> layers = new ArrayList<>(fileLayers);
          layers.addAll(systemPropertyLayers(sys));
          layers.addAll(environmentLayers(env));
          layers.add(optionsLayer(opts));
          LOG.debug("configuration layers, lowest precedence first: {}", layers.stream().map(Layer::origin).toList());
          Node root = Node.object(layers.get(0).origin());
          for (Layer layer : layers) {
            merge(root, layer.content(), SCHEMA, "", layer.origin());
          }
          return root;
        })
        .compose(root -> build(vertx, root))
        .onSuccess(s -> LOG.info("configuration: REST API {}:{}, data server {}:{} ({}), store {}, cluster {}",
            s.rest().ip(), s.rest().port(), s.source().httpServerIp(), s.source().httpServerPort(),
            describeAccess(s.source()), s.store().dir(), s.cluster().enabled() ? "on" : "off"));
  }

  /** How the data server is guarded, for the start-up log line: counts and names, never a token. */
  private static String describeAccess(DataServerSettings source) {
    String tls = source.tls() == null ? "plain ws"
        : "TLS, client certificates " + clientAuthName(source.tls().clientAuth());
    String origins = source.allowedOrigins().isEmpty() ? "any origin" : "origins " + source.allowedOrigins();
    String tokens = source.tokens().isEmpty() ? "no token needed" : source.tokens().size() + " token(s)";
    return tls + ", " + origins + ", " + tokens + ", at most " + source.maxConnections() + " connections";
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Reading the layers

  /** One source of configuration values, already parsed into JSON, and the name an error message gives it. */
  record Layer(String origin, JsonObject content) {
  }

  private static Future<List<Layer>> readFileLayers(Vertx vertx, JsonObject options) {
    String confDir = confDir(options);
    boolean explicit = options.fieldNames().stream().anyMatch(CONF_DIR_KEY::equalsIgnoreCase);
    List<Layer> layers = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    // One file after the other, so that the first error reported is the one in the lowest layer.
    for (String file : FILES) {
      chain = chain.compose(v -> readPackaged(vertx, file)).map(layer -> {
        layers.add(layer);
        return null;
      });
    }
    // An absolute path keeps Vert.x's file resolver from looking the file up on the classpath as well.
    Path dir = Path.of(confDir);
    String absoluteDir = dir.toAbsolutePath().toString();
    return chain
        .compose(v -> vertx.fileSystem().exists(absoluteDir))
        .compose(exists -> {
          if (!exists) {
            if (explicit) {
              LOG.warn("configuration directory {} does not exist; using the packaged defaults", confDir);
            } else {
              LOG.info("no configuration directory {}; using the packaged defaults", confDir);
            }
            return Future.succeededFuture();
          }
          return vertx.fileSystem().props(absoluteDir).compose(props -> {
            if (!props.isDirectory()) {
              String origin = explicit ? OPTIONS_ORIGIN : "working directory";
              return Future.failedFuture(new ConfigException(origin, CONF_DIR_KEY,
                  "must be a directory, but " + confDir + " is a file"));
            }
            Future<Void> files = Future.succeededFuture();
            for (String file : FILES) {
              files = files.compose(v -> readConfFile(vertx, dir.resolve(file))).map(layer -> {
                if (layer != null) {
                  layers.add(layer);
                }
                return null;
              });
            }
            return files;
          });
        })
        .map(v -> layers);
  }

  private static String confDir(JsonObject options) {
    for (String key : options.fieldNames()) {
      if (key.equalsIgnoreCase(CONF_DIR_KEY)) {
        Object value = options.getValue(key);
        if (value instanceof String s && !s.isBlank()) {
          return s;
        }
        throw new ConfigException(OPTIONS_ORIGIN, CONF_DIR_KEY, "must be a non-empty string, got " + describe(value));
      }
    }
    return DEFAULT_CONF_DIR;
  }

  /** A packaged default file: read from the classpath off the event loop, parsed by Vert.x Config's YAML processor. */
  private static Future<Layer> readPackaged(Vertx vertx, String file) {
    String origin = "packaged defaults (" + file + ")";
    String resource = PACKAGED_PREFIX + file;
    return vertx.executeBlocking(() -> {
          try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
              throw new ConfigException(origin, FILE_LEVEL, "not found on the classpath as " + resource
                  + " (the jar is incomplete)");
            }
            return Buffer.buffer(in.readAllBytes());
          }
        })
        .compose(bytes -> new YamlProcessor().process(vertx, new JsonObject(), bytes))
        .map(json -> new Layer(origin, json == null ? new JsonObject() : json))
        .recover(e -> Future.failedFuture(readFailure(origin, e)));
  }

  /** A file under confDir, parsed by Vert.x Config's YAML processor as the packaged defaults are; null when absent. */
  private static Future<Layer> readConfFile(Vertx vertx, Path file) {
    String origin = file.toString();
    String absolute = file.toAbsolutePath().toString();
    return vertx.fileSystem().exists(absolute).compose(exists -> {
      if (!exists) {
        return Future.succeededFuture(null);
      }
      return vertx.fileSystem().readFile(absolute)
          .compose(bytes -> new YamlProcessor().process(vertx, new JsonObject(), bytes))
          .map(json -> new Layer(origin, json == null ? new JsonObject() : json)) // a file of comments only: empty
          .recover(e -> Future.failedFuture(readFailure(origin, e)));
    });
  }

  private static ConfigException readFailure(String origin, Throwable e) {
    if (e instanceof ConfigException ce) {
      return ce;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MarkedYAMLException yaml) {
        Mark mark = yaml.getProblemMark() != null ? yaml.getProblemMark() : yaml.getContextMark();
        String where = mark == null ? FILE_LEVEL : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
        String what = yaml.getProblem() != null ? yaml.getProblem() : yaml.getContext();
        return new ConfigException(origin, where, "not valid YAML: " + what, e);
      }
    }
    // The YAML processor casts the document to a map; a list or a bare scalar fails that cast.
    if (e instanceof DecodeException && e.getCause() instanceof ClassCastException) {
      return new ConfigException(origin, FILE_LEVEL, "must be a YAML mapping of sections (rest:, store:, sink:, "
          + "cluster:, metrics:, source:)", e);
    }
    return new ConfigException(origin, FILE_LEVEL, "cannot read: " + e.getMessage(), e);
  }

  private static List<Layer> systemPropertyLayers(Properties sys) {
    List<Layer> layers = new ArrayList<>();
    // Sorted, so that the outcome does not depend on hash order when two spellings of one key are set.
    for (String name : new TreeSet<>(sys.stringPropertyNames())) {
      String[] path = name.split("\\.", -1);
      // Only <section>.<key>…: java.*, vertx.* and a bare "cluster" are somebody else's.
      if (path.length < 2 || SCHEMA.canonical(path[0]) == null) {
        continue;
      }
      layers.add(new Layer("system property " + name, nest(path, parseValue(sys.getProperty(name)))));
    }
    return layers;
  }

  private static List<Layer> environmentLayers(Map<String, String> env) {
    List<Layer> layers = new ArrayList<>();
    for (String name : new TreeSet<>(env.keySet())) {
      if (!name.regionMatches(true, 0, ENV_PREFIX, 0, ENV_PREFIX.length())) {
        continue;
      }
      String[] path = name.substring(ENV_PREFIX.length()).split("__", -1);
      layers.add(new Layer("environment " + name, nest(path, parseValue(env.get(name)))));
    }
    return layers;
  }

  /** The programmatic sections; confDir was consumed when the files were read. */
  private static Layer optionsLayer(JsonObject options) {
    JsonObject sections = new JsonObject();
    List<String> valid = new ArrayList<>(SCHEMA.names());
    valid.add(0, CONF_DIR_KEY);
    for (String key : options.fieldNames()) {
      if (key.equalsIgnoreCase(CONF_DIR_KEY)) {
        continue;
      }
      if (SCHEMA.canonical(key) == null) {
        throw unknownKey(OPTIONS_ORIGIN, "", key, valid, "key");
      }
      sections.put(key, options.getValue(key));
    }
    return new Layer(OPTIONS_ORIGIN, sections);
  }

  /** Env and -D values are text: JSON when they parse as JSON ({@code 10082}, {@code true}, {@code ["a"]}), else the text. */
  static Object parseValue(String raw) {
    if (raw == null || raw.isBlank()) {
      return raw;
    }
    try {
      return Json.decodeValue(raw);
    } catch (DecodeException e) {
      return raw;
    }
  }

  private static JsonObject nest(String[] path, Object value) {
    Object nested = value;
    for (int i = path.length - 1; i > 0; i--) {
      nested = new JsonObject().put(path[i], nested);
    }
    return new JsonObject().put(path[0], nested);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Merging

  /** The schema: {@code fields} null for a value, else the keys of an object in canonical spelling, in order. */
  record Shape(Map<String, Shape> fields) {
    static final Shape LEAF = new Shape(null);

    static Shape object(Object... namesAndShapes) {
      Map<String, Shape> fields = new LinkedHashMap<>();
      for (int i = 0; i < namesAndShapes.length; i += 2) {
        fields.put((String) namesAndShapes[i], (Shape) namesAndShapes[i + 1]);
      }
      return new Shape(fields);
    }

    boolean isObject() {
      return fields != null;
    }

    List<String> names() {
      return List.copyOf(fields.keySet());
    }

    /** The canonical spelling of {@code given}, or null when it is not a key of this object. */
    String canonical(String given) {
      for (String name : fields.keySet()) {
        if (name.equalsIgnoreCase(given)) {
          return name;
        }
      }
      return null;
    }
  }

  /**
   * The merged configuration. An object node has children; a leaf holds the value of the layer that set it last.
   * {@code origin}: for a leaf the layer that set it, for an object the layer that introduced it (the one to blame
   * when a required key inside is missing).
   */
  static final class Node {
    final Map<String, Node> children;
    final Object value;
    final String origin;

    private Node(Map<String, Node> children, Object value, String origin) {
      this.children = children;
      this.value = value;
      this.origin = origin;
    }

    static Node object(String origin) {
      return new Node(new LinkedHashMap<>(), null, origin);
    }

    static Node leaf(Object value, String origin) {
      return new Node(null, value, origin);
    }
  }

  private static void merge(Node target, JsonObject layer, Shape shape, String path, String origin) {
    // Two spellings of one key in the same object (port and PORT): refuse rather than pick one silently.
    Map<String, String> seen = new HashMap<>();
    for (String given : layer.fieldNames()) {
      String name = shape.canonical(given);
      if (name == null) {
        throw unknownKey(origin, path, given, shape.names(), path.isEmpty() ? "section" : "key");
      }
      String key = join(path, name);
      String earlier = seen.put(name, given);
      if (earlier != null) {
        throw new ConfigException(origin, key, "set twice, as " + earlier + " and as " + given);
      }
      Shape child = shape.fields().get(name);
      Object value = layer.getValue(given);
      if (!child.isObject()) {
        target.children.put(name, Node.leaf(value, origin));
      } else if (value instanceof JsonObject object) {
        Node node = target.children.get(name);
        if (node == null || node.children == null) {
          node = Node.object(origin);
          target.children.put(name, node);
        }
        merge(node, object, child, key, origin);
      } else if (value == null) {
        // An empty section (everything under "rest:" commented out) changes nothing; an explicit null for a nested
        // object switches it off (httpServerTls: null means plain ws://).
        if (!path.isEmpty()) {
          target.children.put(name, Node.leaf(null, origin));
        }
      } else {
        throw new ConfigException(origin, key, "must be an object with the keys " + String.join(", ", child.names())
            + ", got " + describe(value));
      }
    }
  }

  private static ConfigException unknownKey(String origin, String parentPath, String given, Collection<String> valid,
                                            String what) {
    String key = join(parentPath, given.isEmpty() ? "\"\"" : given);
    String nearest = NearestName.suggest(given, valid);
    String hint;
    if (nearest != null) {
      hint = "did you mean " + join(parentPath, nearest) + "?";
    } else {
      hint = "valid " + what + "s: " + String.join(", ", valid.stream().map(n -> join(parentPath, n)).toList());
    }
    return new ConfigException(origin, key, "unknown " + what + " (" + hint + ")");
  }

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Validating and building

  private static Future<WsinkSettings> build(Vertx vertx, Node root) {
    Values v = new Values(root);
    RestSettings rest = new RestSettings(v.nonEmptyString("rest.ip"), v.port("rest.port"), v.tokens("rest.tokens"));
    StoreSettings store = new StoreSettings(v.nonEmptyString("store.dir"));
    SinkDefaults sink = new SinkDefaults(
        v.bool("sink.enableCache"),
        v.integer("sink.memoryCacheThreshold", 0, "must be an integer >= 0"),
        v.integer("sink.maxDiskCache", 0, "must be an integer >= 0"),
        v.integer("sink.bufferPageSize", 1, "must be an integer > 0"),
        v.integer("sink.resendInterval", 0, "must be an integer >= 0"),
        v.bool("sink.cleanCacheAtStop"),
        v.aesKey("sink.aesKey"));
    ClusterSettings cluster = new ClusterSettings(v.bool("cluster.enabled"), v.nonEmptyString("cluster.host"),
        v.port("cluster.port"), v.nonEmptyString("cluster.config"));
    MetricsSettings metrics = new MetricsSettings(v.bool("metrics.enabled"));
    DataServerSettings source = dataServer(v);
    return checkTlsFiles(vertx, v, source.tls())
        .map(ok -> new WsinkSettings(rest, store, sink, cluster, source, metrics));
  }

  /**
   * The {@code source} block of a standalone sink verticle (§9): the same schema and checks as
   * conf/sources/websocket.yaml over the defaults, without the file layers (a standalone sink reads no conf/).
   */
  static DataServerSettings standaloneDataServer(JsonObject source) {
    JsonObject defaults = new JsonObject()
        .put("httpServerIp", DataServerSettings.DEFAULT_IP)
        .put("httpServerPort", DataServerSettings.DEFAULT_PORT);
    Node root = Node.object(STANDALONE_ORIGIN);
    merge(root, new JsonObject().put("source", defaults), SCHEMA, "", "defaults");
    merge(root, new JsonObject().put("source", source == null ? new JsonObject() : source), SCHEMA, "",
        STANDALONE_ORIGIN);
    return dataServer(new Values(root));
  }

  /** The data server settings, every value checked; the optional keys (§8) take their defaults when absent. */
  private static DataServerSettings dataServer(Values v) {
    String ip = v.nonEmptyString("source.httpServerIp");
    int port = v.port("source.httpServerPort");
    DataServerSettings.TlsFiles tls = tlsFiles(v);
    List<String> origins = v.has("source.allowedOrigins") ? v.origins("source.allowedOrigins") : List.of();
    List<String> tokens = v.has("source.tokens") ? v.tokens("source.tokens") : List.of();
    int maxConnections = v.positiveOr("source.maxConnections", DataServerSettings.DEFAULT_MAX_CONNECTIONS);
    int maxFrameSize = v.positiveOr(MAX_FRAME_SIZE, DataServerSettings.DEFAULT_MAX_FRAME_SIZE);
    int maxMessageSize = v.positiveOr(MAX_MESSAGE_SIZE, DataServerSettings.DEFAULT_MAX_MESSAGE_SIZE);
    if (maxMessageSize < maxFrameSize) {
      // a message is one frame or more: a frame the message limit refuses anyway makes the frame limit meaningless
      Node blamed = v.has(MAX_MESSAGE_SIZE) ? v.find(MAX_MESSAGE_SIZE) : v.find(MAX_FRAME_SIZE);
      throw new ConfigException(blamed.origin, MAX_MESSAGE_SIZE, "must be at least " + MAX_FRAME_SIZE + " ("
          + maxFrameSize + "), got " + maxMessageSize + (v.has(MAX_MESSAGE_SIZE) ? "" : " (the default)"));
    }
    return new DataServerSettings(ip, port, tls, origins, tokens, maxConnections, maxFrameSize, maxMessageSize);
  }

  /**
   * {@code httpServerTls}: null when absent or null (plain ws://). {@code clientAuth} defaults to {@code required}
   * when a {@code cafile} is given (a CA bundle nobody is checked against would be a silent no-op) and to {@code none}
   * otherwise; the two contradictory combinations are refused.
   */
  private static DataServerSettings.TlsFiles tlsFiles(Values v) {
    Node tlsNode = v.find(TLS);
    if (tlsNode == null || tlsNode.children == null) {
      return null;
    }
    for (String file : List.of("certfile", "keyfile")) {
      if (!tlsNode.children.containsKey(file)) {
        throw new ConfigException(tlsNode.origin, TLS + "." + file, "is required when " + TLS + " is set");
      }
    }
    String certfile = v.nonEmptyString(TLS + ".certfile");
    String keyfile = v.nonEmptyString(TLS + ".keyfile");
    String cafile = v.has(CAFILE) ? v.nonEmptyString(CAFILE) : null;
    if (!v.has(CLIENT_AUTH)) {
      return new DataServerSettings.TlsFiles(certfile, keyfile, cafile, cafile == null ? ClientAuth.NONE
          : ClientAuth.REQUIRED);
    }
    ClientAuth clientAuth = v.clientAuth(CLIENT_AUTH);
    String origin = v.find(CLIENT_AUTH).origin;
    if (cafile == null && clientAuth != ClientAuth.NONE) {
      throw new ConfigException(origin, CLIENT_AUTH, "is " + clientAuthName(clientAuth) + ", which needs " + CAFILE
          + " (the PEM bundle of the CAs that sign client certificates)");
    }
    if (cafile != null && clientAuth == ClientAuth.NONE) {
      throw new ConfigException(origin, CLIENT_AUTH, "is none, so " + CAFILE + " would be ignored: set it to "
          + "required or request, or remove " + CAFILE);
    }
    return new DataServerSettings.TlsFiles(certfile, keyfile, cafile, clientAuth);
  }

  private static String clientAuthName(ClientAuth clientAuth) {
    return clientAuth.name().toLowerCase(Locale.ROOT);
  }

  /** The TLS files are read by the data server only when its first endpoint comes: check them now. */
  private static Future<Void> checkTlsFiles(Vertx vertx, Values v, DataServerSettings.TlsFiles tls) {
    if (tls == null) {
      return Future.succeededFuture();
    }
    Future<Void> checked = checkReadable(vertx, v.find(TLS + ".certfile").origin, TLS + ".certfile", tls.certfile())
        .compose(ok -> checkReadable(vertx, v.find(TLS + ".keyfile").origin, TLS + ".keyfile", tls.keyfile()));
    return tls.cafile() == null ? checked
        : checked.compose(ok -> checkCaBundle(vertx, v.find(CAFILE).origin, CAFILE, tls.cafile()));
  }

  /** The TLS files are read by the data server much later; a typo should stop start-up now, not the first upgrade. */
  private static Future<Void> checkReadable(Vertx vertx, String origin, String key, String file) {
    return vertx.executeBlocking(() -> unreadableBecause(file)).compose(reason -> reason == null
        ? Future.succeededFuture()
        : Future.failedFuture(new ConfigException(origin, key, "cannot read file " + file + " (" + reason + ")")));
  }

  /** A CA bundle must be readable and hold at least one PEM certificate, or no client could ever connect. */
  private static Future<Void> checkCaBundle(Vertx vertx, String origin, String key, String file) {
    return vertx.executeBlocking(() -> {
      String unreadable = unreadableBecause(file);
      if (unreadable != null) {
        return "cannot read file " + file + " (" + unreadable + ")";
      }
      // PEM is ASCII; ISO-8859-1 decodes any byte, so a binary file is reported as such rather than as a decode error
      String text = new String(Files.readAllBytes(Path.of(file)), StandardCharsets.ISO_8859_1);
      return text.contains(PEM_CERTIFICATE) ? null
          : "file " + file + " holds no PEM certificate (a " + PEM_CERTIFICATE + " block)";
    }).compose(reason -> reason == null ? Future.succeededFuture()
        : Future.failedFuture(new ConfigException(origin, key, reason)));
  }

  /** Why {@code file} cannot be read, or null when it can. Relative paths resolve against the working directory. */
  private static String unreadableBecause(String file) {
    try {
      Path path = Path.of(file);
      if (Files.isDirectory(path)) {
        return "is a directory";
      }
      try (InputStream in = Files.newInputStream(path)) {
        in.read(); // some problems only show on the first read, not on open
        return null;
      }
    } catch (NoSuchFileException e) {
      return "no such file";
    } catch (AccessDeniedException e) {
      return "permission denied";
    } catch (InvalidPathException e) {
      return "invalid path";
    } catch (IOException e) {
      return e.getMessage();
    }
  }

  /** Typed, checked access to the leaves of the merged tree; every failure names the layer that set the value. */
  private record Values(Node root) {

    Node find(String path) {
      Node node = root;
      for (String name : path.split("\\.")) {
        if (node.children == null) {
          return null;
        }
        node = node.children.get(name);
        if (node == null) {
          return null;
        }
      }
      return node;
    }

    /** Whether some layer set {@code path} (to anything, null included). */
    boolean has(String path) {
      return find(path) != null;
    }

    private Node leaf(String path) {
      Node node = find(path);
      if (node != null) {
        return node;
      }
      // Only reachable when the packaged defaults lack a key: blame the nearest enclosing object.
      String parent = path.substring(0, path.lastIndexOf('.'));
      Node owner = find(parent);
      throw new ConfigException(owner == null ? "packaged defaults" : owner.origin, path, "is required");
    }

    String nonEmptyString(String path) {
      Node node = leaf(path);
      if (node.value instanceof String s && !s.isEmpty()) {
        return s;
      }
      throw new ConfigException(node.origin, path, "must be a non-empty string, got " + describe(node.value));
    }

    boolean bool(String path) {
      Node node = leaf(path);
      if (node.value instanceof Boolean b) {
        return b;
      }
      throw new ConfigException(node.origin, path, "must be true or false, got " + describe(node.value));
    }

    int port(String path) {
      return integer(path, 0, 65535, "must be an integer from 0 to 65535");
    }

    int integer(String path, int min, String rule) {
      return integer(path, min, Integer.MAX_VALUE, rule);
    }

    /** Only whole JSON/YAML numbers: "9081" (a string) and 9081.0 (a fraction) are refused, not coerced. */
    int integer(String path, int min, int max, String rule) {
      Node node = leaf(path);
      Object value = node.value;
      if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
          || value instanceof BigInteger) {
        BigInteger n = value instanceof BigInteger big ? big : BigInteger.valueOf(((Number) value).longValue());
        if (n.compareTo(BigInteger.valueOf(min)) >= 0 && n.compareTo(BigInteger.valueOf(max)) <= 0) {
          return n.intValue();
        }
        if (max == Integer.MAX_VALUE && n.signum() > 0) {
          rule += " and at most " + Integer.MAX_VALUE;
        }
      }
      throw new ConfigException(node.origin, path, rule + ", got " + describe(value));
    }

    /** An optional positive integer: {@code fallback} when no layer sets it. */
    int positiveOr(String path, int fallback) {
      return has(path) ? integer(path, 1, "must be a positive integer") : fallback;
    }

    /** One of {@code required}, {@code request}, {@code none} (any case). */
    ClientAuth clientAuth(String path) {
      Node node = leaf(path);
      if (node.value instanceof String s) {
        for (ClientAuth mode : ClientAuth.values()) {
          if (mode.name().equalsIgnoreCase(s)) {
            return mode;
          }
        }
      }
      throw new ConfigException(node.origin, path, "must be one of required, request or none, got "
          + describe(node.value));
    }

    /**
     * Origins as a browser sends them in the {@code Origin} header: {@code scheme://host[:port]}, no path. Stored in
     * lower case, since scheme and host compare case-insensitively.
     */
    List<String> origins(String path) {
      Node node = leaf(path);
      if (!(node.value instanceof JsonArray array)) {
        throw new ConfigException(node.origin, path, "must be a list of origins, e.g. [\"https://example.com\"] "
            + "(written as JSON in environment variables and -D properties), got " + describe(node.value));
      }
      List<String> origins = new ArrayList<>();
      for (int i = 0; i < array.size(); i++) {
        Object origin = array.getValue(i);
        if (!(origin instanceof String s) || !isOrigin(s)) {
          throw new ConfigException(node.origin, path + "[" + i + "]", "must be an origin, scheme://host[:port] "
              + "without a path, e.g. https://example.com, got " + describe(origin));
        }
        origins.add(s.toLowerCase(Locale.ROOT));
      }
      return origins;
    }

    private static boolean isOrigin(String text) {
      try {
        URI uri = new URI(text);
        return uri.getScheme() != null && uri.getHost() != null && uri.getRawUserInfo() == null
            && (uri.getRawPath() == null || uri.getRawPath().isEmpty()) && uri.getRawQuery() == null
            && uri.getRawFragment() == null;
      } catch (URISyntaxException e) {
        return false;
      }
    }

    /** Tokens are secrets: errors describe a bad token by its type, never by its text. */
    List<String> tokens(String path) {
      Node node = leaf(path);
      if (!(node.value instanceof JsonArray array)) {
        throw new ConfigException(node.origin, path, "must be a list of strings, e.g. [\"t1\",\"t2\"] (written as "
            + "JSON in environment variables and -D properties), got " + kind(node.value));
      }
      List<String> tokens = new ArrayList<>();
      for (int i = 0; i < array.size(); i++) {
        Object token = array.getValue(i);
        if (!(token instanceof String s) || s.isEmpty()) {
          throw new ConfigException(node.origin, path + "[" + i + "]", "must be a non-empty string, got "
              + kind(token));
        }
        tokens.add(s);
      }
      return tokens;
    }

    /** eKuiper's {@code aesKey}; a secret too, so it never appears in a message. */
    String aesKey(String path) {
      Node node = leaf(path);
      if (!(node.value instanceof String key)) {
        throw new ConfigException(node.origin, path, AES_RULE + ", got " + kind(node.value));
      }
      if (key.isEmpty()) {
        return key;
      }
      byte[] bytes;
      try {
        bytes = Base64.getDecoder().decode(key);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(node.origin, path, AES_RULE + ", got a value that is not valid base64");
      }
      if (bytes.length != 16 && bytes.length != 24 && bytes.length != 32) {
        throw new ConfigException(node.origin, path, AES_RULE + ", got " + bytes.length + " bytes");
      }
      return key;
    }
  }

  /** A value for an error message: strings quoted (so that "" and " 1" are visible), long ones cut short. */
  static String describe(Object value) {
    String text;
    if (value == null) {
      return "null (no value)";
    } else if (value instanceof String s) {
      text = Json.encode(s);
    } else if (value instanceof JsonObject || value instanceof JsonArray) {
      text = Json.encode(value);
    } else {
      text = String.valueOf(value);
    }
    return text.length() > 60 ? text.substring(0, 57) + "..." : text;
  }

  /** The type of a value, for messages about secrets. */
  static String kind(Object value) {
    if (value == null) {
      return "null (no value)";
    } else if (value instanceof String s) {
      return s.isEmpty() ? "an empty string" : "a string";
    } else if (value instanceof Number) {
      return "a number";
    } else if (value instanceof Boolean) {
      return "a boolean";
    } else if (value instanceof JsonArray) {
      return "a list";
    } else if (value instanceof JsonObject) {
      return "an object";
    }
    return "a " + value.getClass().getSimpleName();
  }
}
