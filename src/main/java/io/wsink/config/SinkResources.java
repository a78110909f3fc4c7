package io.wsink.config;

import io.vertx.config.yaml.YamlProcessor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The named property sets of {@code <confDir>/sinks/websocket.yaml} (eKuiper's resource reuse): an action with
 * {@code resourceId: name} starts from that entry and overrides it with its own properties.
 * <pre>
 * edge:                 # a resource name
 *   addr: edge.example.com:8443
 *   rootCaPath: /etc/wsink/ca.pem
 * </pre>
 */
public final class SinkResources {

  private static final Logger LOG = LoggerFactory.getLogger(SinkResources.class);
  static final String FILE = "sinks/websocket.yaml";

  private SinkResources() {
  }

  /** The resources of the node; none when the file is absent. Fails with a one-line {@link ConfigException}. */
  public static Future<Map<String, JsonObject>> load(Vertx vertx, String confDir) {
    Path file = Path.of(confDir == null ? ConfigLoader.DEFAULT_CONF_DIR : confDir).resolve(FILE);
    String origin = file.toString();
    String absolute = file.toAbsolutePath().toString();
    return vertx.fileSystem().exists(absolute).compose(exists -> {
      if (!exists) {
        return Future.succeededFuture(Map.<String, JsonObject>of());
      }
      return vertx.fileSystem().readFile(absolute)
        .compose(bytes -> new YamlProcessor().process(vertx, new JsonObject(), bytes))
        .recover(err -> Future.failedFuture(new ConfigException(origin, "(whole file)", "cannot read it: "
          + String.valueOf(err.getMessage()).lines().findFirst().orElse(""))))
        .compose(json -> {
          Map<String, JsonObject> resources = new LinkedHashMap<>();
          for (Map.Entry<String, Object> e : json == null ? new JsonObject() : json) {
            if (!(e.getValue() instanceof JsonObject props)) {
              return Future.failedFuture(new ConfigException(origin, e.getKey(),
                "must be a mapping of websocket action properties"));
            }
            resources.put(e.getKey(), props);
          }
          LOG.info("{} websocket sink resource(s) in {}", resources.size(), origin);
          return Future.succeededFuture(resources);
        });
    });
  }
}
