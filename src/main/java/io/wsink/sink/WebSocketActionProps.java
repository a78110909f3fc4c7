package io.wsink.sink;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsink.config.NearestName;
import io.wsink.pipeline.codec.Compressor;
import io.wsink.pipeline.codec.Encryptor;
import io.wsink.pipeline.codec.Format;
import io.wsink.pipeline.template.GoTemplate;
import io.wsink.pipeline.template.TemplateException;
import io.wsink.server.EndpointPath;
import io.wsink.tls.ClientTls;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The properties of one websocket action (§4 and the common sink properties of §5), parsed and validated.
 *
 * <p>Names match case-insensitively, as in eKuiper; aliases are accepted; a wrong type or an unknown name is refused with
 * a message that names the property (and, for a likely typo, the nearest valid name). Defaults are eKuiper's.
 */
public record WebSocketActionProps(
  String addr,
  String path,
  String scheme,
  ClientTls tls,
  boolean checkConnection,
  Map<String, List<String>> requestHeader,
  FrameType frameType,
  long pingInterval,
  int maxConnRetry,
  Overflow overflow,
  int clientQueueBytes,
  boolean sendSingle,
  boolean omitIfEmpty,
  int bufferLength,
  int concurrency,
  List<String> fields,
  String dataField,
  String format,
  String delimiter,
  GoTemplate dataTemplate,
  String compression,
  String encryption,
  String encMode,
  byte[] encIv,
  int batchSize,
  long lingerInterval,
  // the cache: null = the node's sink: default
  Boolean enableCache,
  Integer memoryCacheThreshold,
  Integer maxDiskCache,
  Integer bufferPageSize,
  Long resendInterval,
  Boolean cleanCacheAtStop,
  String resendIndicatorField,
  // derived, client mode only
  String host,
  int port,
  String uri) {

  public static final long DEFAULT_PING_INTERVAL = 30_000;
  public static final int DEFAULT_MAX_CONN_RETRY = -1;
  public static final int DEFAULT_CLIENT_QUEUE_BYTES = 1_048_576;
  public static final int DEFAULT_BUFFER_LENGTH = 1024;
  /** Each instance is a verticle with its own socket(s) and buffer: more than this is a mistake, not a tuning. */
  public static final int MAX_CONCURRENCY = 64;

  public static final String PATH_MISSING = "websocket sink conf path should be defined";
  public static final String PATH_NO_SLASH = EndpointPath.NO_SLASH;

  private enum Type { STRING, BOOL, INT, STRING_LIST, OBJECT }

  /** A property's name and type; {@code inert} non-null: only that value is accepted here (see resourceId). */
  private record Spec(String name, Type type, Object inert) {
  }

  private static final Map<String, Spec> SPECS = new LinkedHashMap<>();
  private static final Map<String, String> ALIASES = Map.of(
    "address", "addr",
    "datasource", "path",
    "certficationraw", "certificationRaw",
    "tabledatafield", "dataField");

  private static void spec(String name, Type type) {
    SPECS.put(name.toLowerCase(Locale.ROOT), new Spec(name, type, null));
  }

  private static void notYet(String name, Type type, Object inert) {
    SPECS.put(name.toLowerCase(Locale.ROOT), new Spec(name, type, inert));
  }

  static {
    spec("addr", Type.STRING);
    spec("path", Type.STRING);
    spec("scheme", Type.STRING);
    spec("insecureSkipVerify", Type.BOOL);
    spec("certificationPath", Type.STRING);
    spec("privateKeyPath", Type.STRING);
    spec("rootCaPath", Type.STRING);
    spec("certificationRaw", Type.STRING);
    spec("privateKeyRaw", Type.STRING);
    spec("rootCARaw", Type.STRING);
    spec("checkConnection", Type.BOOL);
    spec("requestHeader", Type.OBJECT);
    spec("frameType", Type.STRING);
    spec("pingInterval", Type.INT);
    spec("maxConnRetry", Type.INT);
    spec("overflow", Type.STRING);
    spec("clientQueueBytes", Type.INT);
    spec("sendSingle", Type.BOOL);
    spec("omitIfEmpty", Type.BOOL);
    spec("bufferLength", Type.INT);
    spec("fields", Type.STRING_LIST);
    spec("dataField", Type.STRING);
    spec("format", Type.STRING);
    spec("delimiter", Type.STRING);
    spec("dataTemplate", Type.STRING);
    spec("batchSize", Type.INT);
    spec("lingerInterval", Type.INT);
    spec("compression", Type.STRING);
    spec("encryption", Type.STRING);
    spec("encProps", Type.OBJECT);
    spec("enableCache", Type.BOOL);
    spec("memoryCacheThreshold", Type.INT);
    spec("maxDiskCache", Type.INT);
    spec("bufferPageSize", Type.INT);
    spec("resendInterval", Type.INT);
    spec("cleanCacheAtStop", Type.BOOL);
    spec("resendIndicatorField", Type.STRING);
    spec("concurrency", Type.INT);
    // a node resolves it against conf/sinks/websocket.yaml before the properties get here (see Rule)
    notYet("resourceId", Type.STRING, "");
  }

  /** The canonical names of every property this action knows. */
  public static List<String> knownNames() {
    List<String> names = new ArrayList<>();
    SPECS.values().forEach(s -> names.add(s.name()));
    return names;
  }

  public boolean clientMode() {
    return !addr.isEmpty();
  }

  public boolean ssl() {
    return "wss".equals(scheme);
  }

  /** Where a client-mode action dials, for logs and status: query values (often tokens) show as ******. */
  public String url() {
    return scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port
      + uri.replaceAll("([?&][^=&#]*)=[^&#]*", "$1=******");
  }

  /**
   * Parses the property object of one websocket action.
   *
   * @throws PropertyException naming the first property that cannot be accepted
   */
  public static WebSocketActionProps parse(JsonObject raw) {
    Map<String, Object> p = canonical(raw);

    String addr = str(p, "addr", "").trim();
    String path = str(p, "path", "");
    if (path.isEmpty()) {
      throw new PropertyException(PATH_MISSING);
    }
    if (!path.startsWith("/")) {
      throw new PropertyException(PATH_NO_SLASH);
    }
    ClientTls tls = new ClientTls(bool(p, "insecureSkipVerify", false), str(p, "certificationPath", ""),
      str(p, "privateKeyPath", ""), str(p, "rootCaPath", ""), str(p, "certificationRaw", ""),
      str(p, "privateKeyRaw", ""), str(p, "rootCARaw", ""));

    String format = str(p, "format", "json").toLowerCase(Locale.ROOT);
    if (!Format.NAMES.contains(format)) {
      throw new PropertyException("invalid type for format property, should be one of " + String.join(", ", Format.NAMES)
        + " but found \"" + format + "\"");
    }
    String template = str(p, "dataTemplate", "");
    GoTemplate dataTemplate = null;
    if (!template.isEmpty()) {
      try {
        dataTemplate = GoTemplate.parse(template);
      } catch (TemplateException e) {
        throw new PropertyException("property dataTemplate " + template + " is invalid: " + e.getMessage());
      }
    }
    String compression = str(p, "compression", "");
    if (!compression.isEmpty() && !Compressor.NAMES.contains(compression)) {
      throw new PropertyException("property compression must be one of " + String.join(", ", Compressor.NAMES)
        + " (or empty for none); got \"" + compression + "\"");
    }
    String encryption = str(p, "encryption", "");
    if (!encryption.isEmpty() && !encryption.equals("aes")) {
      throw new PropertyException("property encryption must be aes (or empty for none); got \"" + encryption + "\"");
    }
    String encMode = "cfb";
    byte[] encIv = null;
    Object encProps = p.get("encProps");
    if (encProps != null) {
      for (Map.Entry<String, Object> e : (JsonObject) encProps) {
        switch (e.getKey().toLowerCase(Locale.ROOT)) {
          case "mode" -> {
            if (!(e.getValue() instanceof String m) || !Encryptor.MODES.contains(m.toLowerCase(Locale.ROOT))) {
              throw new PropertyException("property encProps.mode must be one of " + String.join(", ", Encryptor.MODES)
                + "; got " + (e.getValue() == null ? "null" : describe(e.getValue())));
            }
            encMode = ((String) e.getValue()).toLowerCase(Locale.ROOT);
          }
          case "iv" -> {
            if (!(e.getValue() instanceof String iv)) {
              throw new PropertyException("property encProps.iv must be a base64 string, got "
                + (e.getValue() == null ? "null" : describe(e.getValue())));
            }
            try {
              encIv = java.util.Base64.getDecoder().decode(iv.trim());
            } catch (IllegalArgumentException bad) {
              throw new PropertyException("property encProps.iv must be base64 (16 bytes for cfb, 12 for gcm): "
                + bad.getMessage());
            }
          }
          default -> {
            String near = NearestName.suggest(e.getKey(), List.of("mode", "iv"));
            throw new PropertyException("unknown property \"encProps." + e.getKey() + "\""
              + (near != null ? " (did you mean \"" + near + "\"?)" : "; encProps has mode and iv"));
          }
        }
      }
      if (encryption.isEmpty()) {
        throw new PropertyException("property encProps is set but encryption is not: add \"encryption\": \"aes\"");
      }
    }
    if (encIv != null) {
      int want = encMode.equals("gcm") ? 12 : 16;
      if (encIv.length != want) {
        throw new PropertyException("property encProps.iv must decode to " + want + " bytes for " + encMode + ", but it is "
          + encIv.length + " bytes");
      }
    }
    int batchSize = (int) integer(p, "batchSize", 0);
    if (batchSize < 0) {
      throw new PropertyException("invalid batchSize " + batchSize + ": use 0 (no batching) or a positive number of rows");
    }
    long lingerInterval = integer(p, "lingerInterval", 0);
    if (lingerInterval < 0) {
      throw new PropertyException("invalid lingerInterval " + lingerInterval + ": use 0 or a number of milliseconds");
    }
    String frame = str(p, "frameType", "auto");
    FrameType frameType = switch (frame.toLowerCase(Locale.ROOT)) {
      case "auto" -> FrameType.AUTO;
      case "text" -> FrameType.TEXT;
      case "binary" -> FrameType.BINARY;
      default -> throw new PropertyException("property frameType must be one of auto, text, binary; got \"" + frame + "\"");
    };
    if (frameType == FrameType.TEXT && (!compression.isEmpty() || !encryption.isEmpty() || format.equals("binary"))) {
      throw new PropertyException("frameType text cannot carry compressed, encrypted or binary-format output: use binary"
        + " or auto");
    }
    long pingInterval = integer(p, "pingInterval", DEFAULT_PING_INTERVAL);
    if (pingInterval < 0) {
      throw new PropertyException("property pingInterval must be 0 (off) or a positive number of milliseconds; got " + pingInterval);
    }
    int maxConnRetry = (int) integer(p, "maxConnRetry", DEFAULT_MAX_CONN_RETRY);
    if (maxConnRetry < -1) {
      throw new PropertyException("property maxConnRetry must be -1 (retry forever) or a number of attempts >= 0; got " + maxConnRetry);
    }
    int clientQueueBytes = (int) integer(p, "clientQueueBytes", DEFAULT_CLIENT_QUEUE_BYTES);
    if (clientQueueBytes <= 0) {
      throw new PropertyException("property clientQueueBytes must be a positive number of bytes; got " + clientQueueBytes);
    }
    int bufferLength = (int) integer(p, "bufferLength", DEFAULT_BUFFER_LENGTH);
    if (bufferLength <= 0) {
      throw new PropertyException("invalid type for bufferLength property, should be positive integer but found " + bufferLength);
    }
    long concurrency = integer(p, "concurrency", 1);
    if (concurrency <= 0) {
      throw new PropertyException("invalid type for concurrency property, should be positive integer but found " + concurrency);
    }
    if (concurrency > MAX_CONCURRENCY) {
      throw new PropertyException("property concurrency must be at most " + MAX_CONCURRENCY + " sink instances; got "
        + concurrency);
    }
    Overflow overflow = Overflow.parse(str(p, "overflow", Overflow.DROP_OLDEST.value()));
    List<String> fields = stringList(p, "fields");
    Map<String, List<String>> headers = headers(p);

    String host = "";
    int port = 0;
    String uri = path;
    String scheme = str(p, "scheme", "").toLowerCase(Locale.ROOT);
    if (!scheme.isEmpty() && !scheme.equals("ws") && !scheme.equals("wss")) {
      throw new PropertyException("property scheme must be ws or wss; got \"" + scheme + "\"");
    }
    if (!addr.isEmpty()) {
      String urlScheme = null;
      String hostPort = addr;
      if (addr.contains("://")) {
        URI url;
        try {
          url = new URI(addr);
        } catch (URISyntaxException e) {
          throw new PropertyException("property addr is neither host:port nor a ws:// or wss:// URL: " + e.getMessage());
        }
        urlScheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!urlScheme.equals("ws") && !urlScheme.equals("wss")) {
          throw new PropertyException("property addr must use the ws:// or wss:// scheme; got \"" + addr + "\"");
        }
        if (url.getRawPath() != null && !url.getRawPath().isEmpty() && !url.getRawPath().equals("/")) {
          throw new PropertyException("property addr must not contain a path (\"" + url.getRawPath() + "\"); put it in path");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
          throw new PropertyException("property addr must not contain a query or fragment; put the query in path"
            + " (\"/api?token=x\")");
        }
        if (url.getRawUserInfo() != null) {
          throw new PropertyException("property addr must not contain user info; send credentials with requestHeader");
        }
        if (!scheme.isEmpty() && !scheme.equals(urlScheme)) {
          throw new PropertyException("property scheme \"" + scheme + "\" contradicts addr \"" + addr + "\"");
        }
        hostPort = url.getRawAuthority() == null ? "" : url.getRawAuthority();
      }
      if (scheme.isEmpty()) {
        scheme = urlScheme != null ? urlScheme : tls.anySet() ? "wss" : "ws";
      }
      if (scheme.equals("ws") && tls.anySet()) {
        throw new PropertyException("TLS properties are set but the scheme is ws: use wss (or leave scheme out) or remove them");
      }
      int defaultPort = scheme.equals("wss") ? 443 : 80;
      if (hostPort.startsWith("[")) {
        int end = hostPort.indexOf(']');
        if (end < 0) {
          throw new PropertyException("property addr has an unterminated IPv6 literal: \"" + addr + "\"");
        }
        host = hostPort.substring(1, end);
        String rest = hostPort.substring(end + 1);
        if (rest.isEmpty()) {
          port = defaultPort;
        } else if (rest.startsWith(":")) {
          port = parsePort(rest.substring(1), addr);
        } else {
          throw new PropertyException("property addr must be host:port or [IPv6]:port; got \"" + addr + "\"");
        }
      } else if (hostPort.indexOf(':') != hostPort.lastIndexOf(':')) {
        throw new PropertyException("property addr: write an IPv6 address in brackets, as [::1]:9000; got \"" + addr + "\"");
      } else if (hostPort.contains(":")) {
        int colon = hostPort.indexOf(':');
        host = hostPort.substring(0, colon);
        port = parsePort(hostPort.substring(colon + 1), addr);
      } else {
        host = hostPort;
        port = defaultPort;
      }
      if (host.isEmpty()) {
        throw new PropertyException("property addr must name a host, as host:port or ws://host:port; got \"" + addr + "\"");
      }
      for (int i = 0; i < path.length(); i++) {
        char c = path.charAt(i);
        if (c <= ' ' || c == 0x7f) { // the request line would break: such a character must be percent-encoded
          throw new PropertyException(String.format("property path has the character U+%04X at position %d;"
            + " percent-encode it (%%%02X)", (int) c, i, (int) c));
        }
      }
      List<String> tlsProblems = tls.validate();
      if (!tlsProblems.isEmpty()) {
        throw new PropertyException(tlsProblems.get(0));
      }
    } else {
      String problem = EndpointPath.problem(path);
      if (problem != null) {
        throw new PropertyException(problem);
      }
      scheme = scheme.isEmpty() ? "ws" : scheme;
    }
    return new WebSocketActionProps(addr, path, scheme, tls, bool(p, "checkConnection", false), headers, frameType,
      pingInterval, maxConnRetry, overflow, clientQueueBytes, bool(p, "sendSingle", false), bool(p, "omitIfEmpty", false),
      bufferLength, (int) concurrency, fields, str(p, "dataField", ""), format, str(p, "delimiter", ","), dataTemplate, compression,
      encryption, encMode, encIv, batchSize, lingerInterval, (Boolean) p.get("enableCache"),
      intOrNull(p, "memoryCacheThreshold"), intOrNull(p, "maxDiskCache"), intOrNull(p, "bufferPageSize"),
      p.get("resendInterval") == null ? null : integer(p, "resendInterval", 0), (Boolean) p.get("cleanCacheAtStop"),
      str(p, "resendIndicatorField", ""), host, port, uri);
  }

  private static int parsePort(String text, String addr) {
    try {
      int port = Integer.parseInt(text);
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new PropertyException("property addr has an invalid port \"" + text + "\" (1-65535): \"" + addr + "\"");
  }

  /** Maps every given name to its canonical spelling, checking types, duplicates and unknown names. */
  private static Map<String, Object> canonical(JsonObject raw) {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, String> givenAs = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : raw) {
      String lower = e.getKey().toLowerCase(Locale.ROOT);
      Spec spec = SPECS.get(ALIASES.getOrDefault(lower, lower).toLowerCase(Locale.ROOT));
      if (spec == null) {
        String near = NearestName.suggest(e.getKey(), knownNames());
        throw new PropertyException("unknown property \"" + e.getKey() + "\" of the websocket action"
          + (near != null ? " (did you mean \"" + near + "\"?)" : ""));
      }
      String previous = givenAs.put(spec.name(), e.getKey());
      if (previous != null) {
        throw new PropertyException("property \"" + spec.name() + "\" is given twice (as \"" + previous + "\" and \""
          + e.getKey() + "\")");
      }
      Object value = e.getValue();
      if (value == null) {
        continue; // JSON null reads as "not given", as eKuiper's decoder does
      }
      checkType(spec, e.getKey(), value);
      if (spec.name().equals("resourceId") && !"".equals(value)) {
        throw new PropertyException("property resourceId names an entry of conf/sinks/websocket.yaml, which only a wsink"
          + " node resolves: give a standalone sink its properties directly");
      }
      if (spec.inert() != null && !inertEquals(spec.inert(), value)) {
        throw new PropertyException("property " + spec.name() + " is not supported by this version of wsink yet"
          + " (only " + JsonObject.of("v", spec.inert()).encode().replaceAll("^\\{\"v\":|}$", "") + " is accepted)");
      }
      out.put(spec.name(), value);
    }
    return out;
  }

  private static boolean inertEquals(Object inert, Object value) {
    if (inert instanceof Number n && value instanceof Number v) {
      return n.doubleValue() == v.doubleValue();
    }
    return inert.equals(value);
  }

  private static void checkType(Spec spec, String givenName, Object value) {
    boolean ok = switch (spec.type()) {
      case STRING -> value instanceof String;
      case BOOL -> value instanceof Boolean;
      case INT -> value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
        && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE;
      case STRING_LIST -> value instanceof JsonArray a && a.stream().allMatch(String.class::isInstance);
      case OBJECT -> value instanceof JsonObject;
    };
    if (!ok) {
      String expected = switch (spec.type()) {
        case STRING -> "a string";
        case BOOL -> "a boolean (true or false, without quotes)";
        case INT -> "an integer";
        case STRING_LIST -> "an array of strings";
        case OBJECT -> "an object";
      };
      throw new PropertyException("property \"" + givenName + "\" must be " + expected + ", got " + describe(value));
    }
  }

  private static String describe(Object value) {
    if (value instanceof String s) {
      return "string \"" + s + "\"";
    }
    if (value instanceof Number n) {
      return "number " + n;
    }
    if (value instanceof Boolean b) {
      return "boolean " + b;
    }
    if (value instanceof JsonArray) {
      return "an array";
    }
    if (value instanceof JsonObject) {
      return "an object";
    }
    return value.getClass().getSimpleName();
  }

  private static String str(Map<String, Object> p, String name, String def) {
    Object v = p.get(name);
    return v == null ? def : (String) v;
  }

  private static boolean bool(Map<String, Object> p, String name, boolean def) {
    Object v = p.get(name);
    return v == null ? def : (Boolean) v;
  }

  private static long integer(Map<String, Object> p, String name, long def) {
    Object v = p.get(name);
    return v == null ? def : ((Number) v).longValue();
  }

  private static Integer intOrNull(Map<String, Object> p, String name) {
    return p.get(name) == null ? null : (int) integer(p, name, 0);
  }

  private static List<String> stringList(Map<String, Object> p, String name) {
    Object v = p.get(name);
    if (v == null) {
      return null;
    }
    if (((JsonArray) v).isEmpty()) {
      return null; // eKuiper: no fields selects nothing away
    }
    List<String> out = new ArrayList<>();
    ((JsonArray) v).forEach(s -> out.add((String) s));
    return Collections.unmodifiableList(out);
  }

  private static Map<String, List<String>> headers(Map<String, Object> p) {
    Object v = p.get("requestHeader");
    if (v == null) {
      return Map.of();
    }
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : (JsonObject) v) {
      Object value = e.getValue();
      if (value instanceof String s) {
        out.put(e.getKey(), List.of(s));
      } else if (value instanceof JsonArray a && a.stream().allMatch(String.class::isInstance)) {
        List<String> values = new ArrayList<>();
        a.forEach(s -> values.add((String) s));
        out.put(e.getKey(), List.copyOf(values));
      } else {
        throw new PropertyException("requestHeader \"" + e.getKey() + "\" must be a string or an array of strings, got "
          + (value == null ? "null" : describe(value)));
      }
    }
    return Collections.unmodifiableMap(out);
  }
}
