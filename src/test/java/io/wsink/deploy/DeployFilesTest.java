package io.wsink.deploy;

import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.wsink.config.ConfigLoader;
import io.wsink.config.SinkResources;
import io.wsink.config.WsinkSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.Yaml;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The files of {@code deploy/} (and {@code conf/cluster.xml}) parsed, and checked for what an operator relies on: the
 * Kubernetes manifests fit together (probes on the REST port, the headless Service Hazelcast resolves, the ConfigMap
 * laid out as wsink reads its conf directory, a configuration wsink accepts), the Hazelcast XML joins as it should,
 * the systemd unit has its stop and restart settings.
 */
class DeployFilesTest {

  private static final Path DEPLOY = Path.of("deploy");
  private static final Path K8S = DEPLOY.resolve("kubernetes");
  private static final Path SHIPPED_CLUSTER_XML = Path.of("conf", "cluster.xml");
  private static final Path K8S_CLUSTER_XML = K8S.resolve("conf/cluster.xml");
  private static final String HZ_NS = "http://www.hazelcast.com/schema/config";
  /** The files wsink reads from its conf directory, as the ConfigMap must lay them out. */
  private static final Set<String> CONF_FILES =
    Set.of("wsink.yaml", "sources/websocket.yaml", "sinks/websocket.yaml", "cluster.xml");

  @TempDir
  Path dir;

  // ---- Kubernetes ------------------------------------------------------------------------------------------------

  @Test
  void everyYamlUnderDeployKubernetesParses() throws IOException {
    List<Path> files = files(K8S, ".yaml");
    assertTrue(files.size() >= 6, "expected manifests and conf files, found " + files);
    for (Path file : files) {
      List<Object> documents = yamlDocuments(file);
      assertFalse(documents.isEmpty(), file + " holds no YAML document");
    }
  }

  @Test
  void kustomizationListsEveryManifestAndGeneratesTheConfigMapFromConf() throws IOException {
    Map<String, Object> kustomization = single(K8S.resolve("kustomization.yaml"));
    assertEquals("Kustomization", kustomization.get("kind"));
    Set<String> manifests = new TreeSet<>();
    for (Path file : files(K8S, ".yaml")) {
      if (file.getParent().equals(K8S) && !file.getFileName().toString().equals("kustomization.yaml")) {
        manifests.add(file.getFileName().toString());
      }
    }
    assertEquals(manifests, new TreeSet<>(strings(kustomization.get("resources"))), "resources of kustomization.yaml");

    Map<String, String> generated = configMapFiles();
    assertEquals(Set.of("wsink.yaml", "sources-websocket.yaml", "sinks-websocket.yaml", "cluster.xml"),
      generated.keySet());
    generated.values().forEach(path -> assertTrue(Files.isRegularFile(K8S.resolve(path)), path + " is missing"));
  }

  @Test
  void everyManifestHasKindAndName() throws IOException {
    List<Map<String, Object>> all = manifests();
    for (Map<String, Object> m : all) {
      assertNotNull(m.get("apiVersion"), () -> "apiVersion of " + m);
      assertNotNull(m.get("kind"), () -> "kind of " + m);
      assertNotNull(at(m, "metadata.name"), () -> "metadata.name of " + m);
    }
    assertEquals(List.of("PodDisruptionBudget", "Service", "Service", "StatefulSet"),
      all.stream().map(m -> (String) m.get("kind")).sorted().toList());
  }

  @Test
  void statefulSetRunsThreeClusteredPodsEachWithItsOwnStore() throws IOException {
    Map<String, Object> sts = manifest("StatefulSet");
    assertEquals(3, at(sts, "spec.replicas"));
    assertTrue(List.of("OrderedReady", "Parallel").contains(at(sts, "spec.podManagementPolicy")),
      "podManagementPolicy: " + at(sts, "spec.podManagementPolicy"));
    assertEquals(at(sts, "spec.selector.matchLabels"), at(sts, "spec.template.metadata.labels"));
    assertEquals(at(headlessService(), "metadata.name"), at(sts, "spec.serviceName"));

    Map<String, Object> container = container();
    List<String> args = strings(container.get("args"));
    assertTrue(args.contains("--cluster"), "args " + args);
    Map<String, Object> env = env(container);
    assertEquals(Map.of("fieldRef", Map.of("fieldPath", "status.podIP")), env.get("WSINK__CLUSTER__HOST"),
      "the event-bus host is the pod's IP");
    assertEquals("0.0.0.0", env.get("WSINK__REST__IP"));
    assertEquals("0.0.0.0", env.get("WSINK__SOURCE__HTTPSERVERIP"));

    // the store: a volume claim per pod, mounted where --data points
    List<Map<String, Object>> claims = maps(at(sts, "spec.volumeClaimTemplates"));
    assertEquals(1, claims.size());
    String claim = (String) at(claims.get(0), "metadata.name");
    assertNotNull(at(claims.get(0), "spec.resources.requests.storage"));
    assertEquals(argument(args, "--data"), mountPath(container, claim));

    int grace = (Integer) at(sts, "spec.template.spec.terminationGracePeriodSeconds");
    assertTrue(grace > 5, "terminationGracePeriodSeconds " + grace + " must leave the 5 s flush its time");
    assertNotNull(at(container, "resources.requests.cpu"));
    assertNotNull(at(container, "resources.requests.memory"));
  }

  @Test
  void probesAskTheHealthEndpointsOnTheRestPort() throws IOException {
    Map<String, Object> container = container();
    int restPort = restPort(container);
    assertEquals("/health/live", at(container, "livenessProbe.httpGet.path"));
    assertEquals(restPort, containerPort(container, at(container, "livenessProbe.httpGet.port")));
    assertEquals("/health/ready", at(container, "readinessProbe.httpGet.path"));
    assertEquals(restPort, containerPort(container, at(container, "readinessProbe.httpGet.port")));
    if (container.containsKey("startupProbe")) {
      assertEquals("/health/live", at(container, "startupProbe.httpGet.path"));
      assertEquals(restPort, containerPort(container, at(container, "startupProbe.httpGet.port")));
    }
    // wsink's probes answer within their own 2 s bound; README asks for a timeout of 3 s or more
    for (String probe : List.of("livenessProbe", "readinessProbe")) {
      assertTrue((Integer) at(container, probe + ".timeoutSeconds") >= 3, probe + ".timeoutSeconds");
    }
  }

  @Test
  void headlessServiceSelectsThePodsOnTheHazelcastPort() throws IOException {
    Map<String, Object> headless = headlessService();
    assertEquals("None", at(headless, "spec.clusterIP"));
    assertEquals(Boolean.TRUE, at(headless, "spec.publishNotReadyAddresses"),
      "members must find each other before they are ready");
    assertEquals(at(manifest("StatefulSet"), "spec.template.metadata.labels"), at(headless, "spec.selector"));
    List<Map<String, Object>> ports = maps(at(headless, "spec.ports"));
    assertEquals(1, ports.size());
    assertEquals(5701, ports.get(0).get("port"));
    assertEquals(5701, containerPort(container(), ports.get(0).get("targetPort")));
  }

  @Test
  void clientServiceExposesTheDataServerAndTheRestApi() throws IOException {
    Map<String, Object> service = services().stream().filter(s -> !"None".equals(at(s, "spec.clusterIP")))
      .findFirst().orElseThrow();
    assertEquals(at(manifest("StatefulSet"), "spec.template.metadata.labels"), at(service, "spec.selector"));
    Map<String, Object> container = container();
    Set<Integer> targets = maps(at(service, "spec.ports")).stream()
      .map(p -> containerPort(container, p.get("targetPort"))).collect(Collectors.toSet());
    int dataPort = (Integer) at(single(K8S.resolve("conf/sources/websocket.yaml")), "source.httpServerPort");
    assertEquals(Set.of(dataPort, restPort(container)), targets);
  }

  @Test
  void configMapIsMountedAsTheConfDirectoryWithTheFilesWsinkReads() throws IOException {
    Map<String, Object> container = container();
    String confDir = argument(strings(container.get("args")), "--conf");
    Map<String, Object> volume = confVolume();
    assertEquals(confDir, mountPath(container, (String) volume.get("name")));
    Map<String, String> pathByKey = new TreeMap<>();
    for (Map<String, Object> item : maps(at(volume, "configMap.items"))) {
      pathByKey.put((String) item.get("key"), (String) item.get("path"));
    }
    assertEquals(configMapFiles().keySet(), pathByKey.keySet(), "every key of the ConfigMap is mounted");
    assertEquals(CONF_FILES, Set.copyOf(pathByKey.values()));
    // the generator's source files sit in deploy/kubernetes/conf as they will in the pod
    configMapFiles().forEach((key, source) -> assertEquals("conf/" + pathByKey.get(key), source, key));
  }

  @Test
  void theConfigurationOfAPodIsOneWsinkAccepts() throws Exception {
    // lay the ConfigMap out as the pod sees it, and load it as Main does, with the StatefulSet's WSINK__ variables
    Path conf = dir.resolve("etc-wsink");
    Map<String, String> sources = configMapFiles();
    for (Map<String, Object> item : maps(at(confVolume(), "configMap.items"))) {
      Path target = conf.resolve((String) item.get("path"));
      Files.createDirectories(target.getParent());
      Files.copy(K8S.resolve(sources.get((String) item.get("key"))), target);
    }
    JsonObject options = new JsonObject().put("confDir", conf.toString());
    env(container()).forEach((name, value) -> {
      if (name.startsWith("WSINK__")) {
        Object v = value instanceof String s ? parse(s) : fieldRefStandIn(value);
        if (v != null) {
          put(options, name.substring("WSINK__".length()).toLowerCase().split("__"), v);
        }
      }
    });
    Vertx vertx = Vertx.vertx();
    try {
      WsinkSettings settings = ConfigLoader.load(vertx, options).await(20, TimeUnit.SECONDS);
      assertTrue(settings.cluster().enabled(), "cluster.enabled");
      assertEquals("0.0.0.0", settings.rest().ip());
      assertEquals(restPort(container()), settings.rest().port());
      assertEquals(Map.of(), SinkResources.load(vertx, conf.toString()).await(20, TimeUnit.SECONDS));
    } finally {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void kubernetesClusterXmlJoinsThroughTheHeadlessServiceByDns() throws Exception {
    Element join = only(xml(K8S_CLUSTER_XML).getDocumentElement(), "network", "join");
    Element kubernetes = only(join, "kubernetes");
    assertEquals("true", kubernetes.getAttribute("enabled"));
    for (String off : List.of("multicast", "tcp-ip", "auto-detection")) {
      assertEquals("false", only(join, off).getAttribute("enabled"), off + " must be off");
    }
    // DNS lookup mode: service-dns and nothing of the API mode (which would need RBAC)
    String headless = (String) at(headlessService(), "metadata.name");
    String serviceDns = text(only(kubernetes, "service-dns"));
    assertTrue(serviceDns.startsWith(headless + "."), "service-dns " + serviceDns + " names " + headless);
    assertTrue(children(kubernetes, "service-name").isEmpty(), "service-name would switch to API mode");
    assertEquals(5701, Integer.parseInt(text(only(kubernetes, "service-port"))));
    assertEquals(5701, Integer.parseInt(text(only(xml(K8S_CLUSTER_XML).getDocumentElement(), "network", "port"))));
    // the StatefulSet points Hazelcast at the same Service in the pod's own namespace
    Object override = env(container()).get("HAZELCAST_KUBERNETES_SERVICE_DNS");
    assertEquals(headless + ".$(POD_NAMESPACE).svc.cluster.local", override);
    assertTrue(serviceDns.endsWith(".svc.cluster.local"), serviceDns);
    assertVertxStructures(xml(K8S_CLUSTER_XML));
  }

  @Test
  void kubernetesClusterXmlDiffersFromTheShippedOneOnlyInTheNetwork() throws Exception {
    assumeTrue(Files.isRegularFile(SHIPPED_CLUSTER_XML), "conf/cluster.xml does not exist yet");
    Element shipped = xml(SHIPPED_CLUSTER_XML).getDocumentElement();
    Element k8s = xml(K8S_CLUSTER_XML).getDocumentElement();
    assertEquals(text(only(shipped, "cluster-name")), text(only(k8s, "cluster-name")));
    assertEquals(properties(shipped), properties(k8s), "failure detection and the other properties");
    assertEquals(structures(shipped), structures(k8s), "maps and multimaps");
  }

  // ---- the shipped Hazelcast configuration, as local-cluster.sh rewrites it ----------------------------------------

  @Test
  void shippedClusterXmlListsLoopbackMembersOnePerElement() throws Exception {
    assumeTrue(Files.isRegularFile(SHIPPED_CLUSTER_XML), "conf/cluster.xml does not exist yet");
    Element root = xml(SHIPPED_CLUSTER_XML).getDocumentElement();
    assertFalse(text(only(root, "cluster-name")).isEmpty());
    Element join = only(root, "network", "join");
    assertEquals("false", only(join, "multicast").getAttribute("enabled"));
    Element tcpIp = only(join, "tcp-ip");
    assertEquals("true", tcpIp.getAttribute("enabled"));
    List<Element> members = children(tcpIp, "member");
    assertTrue(members.size() >= 3, "at least three members for a local cluster");
    int base = Integer.parseInt(text(only(root, "network", "port")));
    for (int i = 0; i < members.size(); i++) {
      assertEquals("127.0.0.1:" + (base + i), text(members.get(i)), "member " + i);
    }
    // local-cluster.sh rewrites the members line by line
    long memberLines = Files.readAllLines(SHIPPED_CLUSTER_XML).stream()
      .filter(l -> l.matches("\\s*<member>[^<]*</member>\\s*")).count();
    assertEquals(members.size(), memberLines, "one <member> per line");
    assertVertxStructures(xml(SHIPPED_CLUSTER_XML));
  }

  @Test
  void everyClusterXmlUnderDeployParses() throws Exception {
    List<Path> files = files(DEPLOY, "cluster.xml");
    assertFalse(files.isEmpty());
    for (Path file : files) {
      assertEquals("hazelcast", xml(file).getDocumentElement().getLocalName(), file.toString());
    }
  }

  // ---- systemd, the script, the README ---------------------------------------------------------------------------

  @Test
  void systemdUnitRunsTheJarAsItsOwnUserAndStopsWithSigterm() throws IOException {
    Map<String, Map<String, List<String>>> unit = unit(DEPLOY.resolve("systemd/wsink.service"));
    Map<String, List<String>> service = unit.get("Service");
    assertNotNull(service, "[Service]");
    String user = last(service, "User");
    assertFalse(user.isEmpty() || user.equals("root"), "User=" + user);
    assertTrue(last(service, "WorkingDirectory").startsWith("/"));
    String exec = last(service, "ExecStart");
    assertTrue(exec.matches("/\\S*java .*-jar \\S+\\.jar.*"), "ExecStart=" + exec);
    assertEquals("on-failure", last(service, "Restart"));
    assertEquals("SIGTERM", last(service, "KillSignal"));
    int timeout = Integer.parseInt(last(service, "TimeoutStopSec").replaceAll("s$", ""));
    assertTrue(timeout > 5, "TimeoutStopSec=" + timeout + " must leave the 5 s flush its time");
    assertTrue(List.of(last(service, "SuccessExitStatus").split("\\s+")).contains("143"),
      "SuccessExitStatus: 143 is the JVM's exit on SIGTERM");
    assertTrue(last(service, "EnvironmentFile").endsWith(".env"));
    assertEquals("yes", last(service, "NoNewPrivileges"));
    assertEquals("strict", last(service, "ProtectSystem"));
    assertEquals("multi-user.target", last(unit.get("Install"), "WantedBy"));
  }

  @Test
  void localClusterScriptIsStrictBashAndExecutable() throws IOException {
    Path script = DEPLOY.resolve("local-cluster.sh");
    List<String> lines = Files.readAllLines(script);
    assertEquals("#!/usr/bin/env bash", lines.get(0));
    assertTrue(lines.contains("set -euo pipefail"));
    assertTrue(Files.getPosixFilePermissions(script).contains(PosixFilePermission.OWNER_EXECUTE));
  }

  @Test
  void deployReadmeExplainsEveryFile() throws IOException {
    String readme = Files.readString(DEPLOY.resolve("README.md"));
    for (Path file : files(DEPLOY, "")) {
      String relative = DEPLOY.relativize(file).toString();
      if (!relative.equals("README.md")) {
        assertTrue(readme.contains(relative), "deploy/README.md does not mention " + relative);
      }
    }
  }

  // ---- the manifests ---------------------------------------------------------------------------------------------

  private static List<Map<String, Object>> manifests() throws IOException {
    List<Map<String, Object>> all = new ArrayList<>();
    for (String resource : strings(single(K8S.resolve("kustomization.yaml")).get("resources"))) {
      yamlDocuments(K8S.resolve(resource)).forEach(d -> all.add(map(d)));
    }
    return all;
  }

  private static Map<String, Object> manifest(String kind) throws IOException {
    List<Map<String, Object>> found = manifests().stream().filter(m -> kind.equals(m.get("kind"))).toList();
    assertEquals(1, found.size(), "one " + kind);
    return found.get(0);
  }

  private static List<Map<String, Object>> services() throws IOException {
    return manifests().stream().filter(m -> "Service".equals(m.get("kind"))).toList();
  }

  private static Map<String, Object> headlessService() throws IOException {
    return services().stream().filter(s -> "None".equals(at(s, "spec.clusterIP"))).findFirst()
      .orElseThrow(() -> new AssertionError("no headless Service (clusterIP: None)"));
  }

  private static Map<String, Object> container() throws IOException {
    List<Map<String, Object>> containers = maps(at(manifest("StatefulSet"), "spec.template.spec.containers"));
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  private static Map<String, Object> confVolume() throws IOException {
    return maps(at(manifest("StatefulSet"), "spec.template.spec.volumes")).stream()
      .filter(v -> v.containsKey("configMap")).findFirst().orElseThrow(() -> new AssertionError("no configMap volume"));
  }

  /** key → file (relative to deploy/kubernetes) of the ConfigMap generated by kustomization.yaml. */
  private static Map<String, String> configMapFiles() throws IOException {
    List<Map<String, Object>> generators = maps(single(K8S.resolve("kustomization.yaml")).get("configMapGenerator"));
    assertEquals(1, generators.size());
    assertEquals(at(confVolume(), "configMap.name"), generators.get(0).get("name"));
    Map<String, String> files = new TreeMap<>();
    for (String entry : strings(generators.get(0).get("files"))) {
      String[] keyAndPath = entry.split("=", 2);
      assertEquals(2, keyAndPath.length, "key=path: " + entry);
      files.put(keyAndPath[0], keyAndPath[1]);
    }
    return files;
  }

  /** name → value (a String) or valueFrom (a Map) of the container's environment. */
  private static Map<String, Object> env(Map<String, Object> container) {
    Map<String, Object> env = new LinkedHashMap<>();
    for (Map<String, Object> e : maps(container.get("env"))) {
      env.put((String) e.get("name"), e.containsKey("value") ? e.get("value") : e.get("valueFrom"));
    }
    return env;
  }

  /** The REST port of the pod: WSINK__REST__PORT when set, else rest.port of the ConfigMap's wsink.yaml. */
  private static int restPort(Map<String, Object> container) throws IOException {
    Object env = env(container).get("WSINK__REST__PORT");
    if (env != null) {
      return Integer.parseInt((String) env);
    }
    return (Integer) at(single(K8S.resolve("conf/wsink.yaml")), "rest.port");
  }

  /** A probe's or Service's port (a number or the name of a container port) as a container port number. */
  private static int containerPort(Map<String, Object> container, Object port) {
    if (port instanceof Integer number) {
      return number;
    }
    return maps(container.get("ports")).stream().filter(p -> port.equals(p.get("name")))
      .map(p -> (Integer) p.get("containerPort")).findFirst()
      .orElseThrow(() -> new AssertionError("no container port named " + port));
  }

  private static String mountPath(Map<String, Object> container, String volume) {
    return maps(container.get("volumeMounts")).stream().filter(m -> volume.equals(m.get("name")))
      .map(m -> (String) m.get("mountPath")).findFirst()
      .orElseThrow(() -> new AssertionError("volume " + volume + " is not mounted"));
  }

  private static String argument(List<String> args, String flag) {
    int i = args.indexOf(flag);
    assertTrue(i >= 0 && i + 1 < args.size(), flag + " in " + args);
    return args.get(i + 1);
  }

  /** A WSINK__ variable from the downward API gets a value of the kind it would have in a pod. */
  private static Object fieldRefStandIn(Object valueFrom) {
    if (at(map(valueFrom), "fieldRef.fieldPath") instanceof String path && path.equals("status.podIP")) {
      return "10.0.0.1";
    }
    // an optional Secret (rest tokens) may be absent
    return null;
  }

  /** Env values are read as JSON when they parse as JSON, else as text, as wsink reads them. */
  private static Object parse(String value) {
    try {
      return Json.decodeValue(value);
    } catch (RuntimeException notJson) {
      return value;
    }
  }

  private static void put(JsonObject root, String[] path, Object value) {
    JsonObject node = root;
    for (int i = 0; i < path.length - 1; i++) {
      if (!node.containsKey(path[i])) {
        node.put(path[i], new JsonObject());
      }
      node = node.getJsonObject(path[i]);
    }
    node.put(path[path.length - 1], value);
  }

  // ---- YAML ------------------------------------------------------------------------------------------------------

  private static List<Object> yamlDocuments(Path file) throws IOException {
    List<Object> documents = new ArrayList<>();
    try (Reader reader = Files.newBufferedReader(file)) {
      for (Object document : new Yaml().loadAll(reader)) {
        if (document != null) {
          documents.add(document);
        }
      }
    }
    return documents;
  }

  private static Map<String, Object> single(Path file) throws IOException {
    List<Object> documents = yamlDocuments(file);
    assertEquals(1, documents.size(), file + " holds one document");
    return map(documents.get(0));
  }

  /** The value at a dotted path of nested maps, or null. */
  private static Object at(Map<String, Object> root, String path) {
    Object node = root;
    for (String key : path.split("\\.")) {
      if (!(node instanceof Map<?, ?> m)) {
        return null;
      }
      node = m.get(key);
    }
    return node;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    assertTrue(o instanceof Map, () -> "expected a mapping, got " + o);
    return (Map<String, Object>) o;
  }

  private static List<Map<String, Object>> maps(Object o) {
    assertTrue(o instanceof List, () -> "expected a list, got " + o);
    return ((List<?>) o).stream().map(DeployFilesTest::map).toList();
  }

  private static List<String> strings(Object o) {
    assertTrue(o instanceof List, () -> "expected a list, got " + o);
    return ((List<?>) o).stream().map(String::valueOf).toList();
  }

  // ---- XML -------------------------------------------------------------------------------------------------------

  private static Document xml(Path file) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    DocumentBuilder builder = factory.newDocumentBuilder();
    Document document = builder.parse(file.toFile());
    assertEquals(HZ_NS, document.getDocumentElement().getNamespaceURI(), file + " is Hazelcast XML");
    return document;
  }

  /** The Hazelcast elements named {@code name} right under {@code parent}. */
  private static List<Element> children(Element parent, String name) {
    List<Element> found = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node node = nodes.item(i);
      if (node instanceof Element e && HZ_NS.equals(e.getNamespaceURI()) && name.equals(e.getLocalName())) {
        found.add(e);
      }
    }
    return found;
  }

  /** The one element at the path of names below {@code parent}. */
  private static Element only(Element parent, String... path) {
    Element element = parent;
    for (String name : path) {
      List<Element> found = children(element, name);
      assertEquals(1, found.size(), () -> "one <" + name + "> in <" + parent.getLocalName() + ">");
      element = found.get(0);
    }
    return element;
  }

  private static String text(Element e) {
    return e.getTextContent().trim();
  }

  private static Map<String, String> properties(Element root) {
    Map<String, String> properties = new TreeMap<>();
    for (Element p : children(only(root, "properties"), "property")) {
      properties.put(p.getAttribute("name"), text(p));
    }
    return properties;
  }

  /** "map name" / "multimap name" → the element's text content, whitespace collapsed. */
  private static Map<String, String> structures(Element root) {
    Map<String, String> structures = new TreeMap<>();
    for (String kind : List.of("map", "multimap")) {
      for (Element e : children(root, kind)) {
        structures.put(kind + " " + e.getAttribute("name"), e.getTextContent().replaceAll("\\s+", " ").trim());
      }
    }
    return structures;
  }

  /** What vertx-hazelcast's default-cluster.xml configures, which a custom cluster.xml must keep. */
  private static void assertVertxStructures(Document document) {
    Map<String, String> structures = structures(document.getDocumentElement());
    assertTrue(structures.keySet().containsAll(
      Set.of("multimap __vertx.subs", "map __vertx.haInfo", "map __vertx.nodeInfo")), structures.toString());
    Element subs = children(document.getDocumentElement(), "multimap").stream()
      .filter(e -> e.getAttribute("name").equals("__vertx.subs")).findFirst().orElseThrow();
    assertEquals("SET", text(only(subs, "value-collection-type")));
  }

  // ---- systemd ---------------------------------------------------------------------------------------------------

  /** section → key → values in order (a key may repeat), from an ini-style unit; comments and blanks skipped. */
  private static Map<String, Map<String, List<String>>> unit(Path file) throws IOException {
    Map<String, Map<String, List<String>>> unit = new LinkedHashMap<>();
    Map<String, List<String>> section = null;
    for (String raw : Files.readAllLines(file)) {
      String line = raw.trim();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        section = unit.computeIfAbsent(line.substring(1, line.length() - 1), s -> new LinkedHashMap<>());
        continue;
      }
      int eq = line.indexOf('=');
      assertTrue(section != null && eq > 0, () -> file + ": not a key=value line in a section: " + raw);
      section.computeIfAbsent(line.substring(0, eq).trim(), k -> new ArrayList<>()).add(line.substring(eq + 1).trim());
    }
    return unit;
  }

  private static String last(Map<String, List<String>> section, String key) {
    List<String> values = section.get(key);
    assertTrue(values != null && !values.isEmpty(), "no " + key + "=");
    return values.get(values.size() - 1);
  }

  // ---- files -----------------------------------------------------------------------------------------------------

  /** The regular files under {@code root} whose name ends with {@code suffix}, sorted. */
  private static List<Path> files(Path root, String suffix) throws IOException {
    assertTrue(Files.isDirectory(root), root + " (tests run from the project directory)");
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(suffix)).sorted()
        .toList();
    }
  }
}
