package io.wsink.bench;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static io.wsink.bench.Table.RAW;
import static io.wsink.bench.Table.WSINK;

/**
 * Sets up the raw and the wsink rig of a cell side by side: both servers under test start at once, then both
 * receivers, so that their (slow, on a busy machine) JVM start-ups overlap. Waits are bounded; when anything fails,
 * every process started here is closed again.
 */
final class Rigs {

  private static final long READY_MS = 60_000;
  private static final long CONNECT_MS = 120_000;

  private Rigs() {
  }

  /** Starts a receiver whose clients connect to {@code url}. */
  interface LoadFactory {
    Child start(String impl, String url, int clients) throws IOException;
  }

  /** Starts a client-mode server under test that dials {@code targetUrl}. */
  interface SutFactory {
    Child start(String impl, String targetUrl) throws IOException;
  }

  /**
   * Server mode: {@code rawSut} and {@code wsinkSut} (already starting) get a load client each with {@code clients}
   * connections to their endpoint.
   *
   * @return the raw rig and the wsink rig, connected
   */
  static Rig[] serverMode(Child rawSut, Child wsinkSut, int clients, LoadFactory load)
    throws Child.BenchException, InterruptedException, IOException {
    return serverMode(RAW, rawSut, WSINK, wsinkSut, clients, load);
  }

  /** As {@link #serverMode(Child, Child, int, LoadFactory)}, for any two implementations. */
  static Rig[] serverMode(String baseline, Child baselineSut, String subject, Child subjectSut, int clients,
                          LoadFactory load) throws Child.BenchException, InterruptedException, IOException {
    List<Child> started = new ArrayList<>(List.of(baselineSut, subjectSut));
    try {
      String baselineUrl = endpointUrl(baselineSut.expect("READY", READY_MS));
      String subjectUrl = endpointUrl(subjectSut.expect("READY", READY_MS));
      Child baselineLoad = load.start(baseline, baselineUrl, clients);
      started.add(baselineLoad);
      Child subjectLoad = load.start(subject, subjectUrl, clients);
      started.add(subjectLoad);
      awaitConnected(baselineLoad, clients);
      awaitConnected(subjectLoad, clients);
      return new Rig[] {new Rig(baseline, baselineSut, baselineUrl, baselineLoad),
        new Rig(subject, subjectSut, subjectUrl, subjectLoad)};
    } catch (Child.BenchException | InterruptedException | IOException | RuntimeException e) {
      started.forEach(Child::close);
      throw e;
    }
  }

  /**
   * Client mode: {@code rawCounting} and {@code wsinkCounting} (already starting) each get a server under test that
   * dials them.
   *
   * @return the raw rig and the wsink rig, connected
   */
  static Rig[] clientMode(Child rawCounting, Child wsinkCounting, SutFactory sut)
    throws Child.BenchException, InterruptedException, IOException {
    List<Child> started = new ArrayList<>(List.of(rawCounting, wsinkCounting));
    try {
      String rawTarget = endpointUrl(rawCounting.expect("READY", READY_MS));
      String wsinkTarget = endpointUrl(wsinkCounting.expect("READY", READY_MS));
      Child rawSut = sut.start(RAW, rawTarget);
      started.add(rawSut);
      Child wsinkSut = sut.start(WSINK, wsinkTarget);
      started.add(wsinkSut);
      rawSut.expect("READY", READY_MS);
      wsinkSut.expect("READY", READY_MS);
      awaitConnected(rawCounting, 1);
      awaitConnected(wsinkCounting, 1);
      return new Rig[] {new Rig(RAW, rawSut, null, rawCounting), new Rig(WSINK, wsinkSut, null, wsinkCounting)};
    } catch (Child.BenchException | InterruptedException | IOException | RuntimeException e) {
      started.forEach(Child::close);
      throw e;
    }
  }

  static void awaitConnected(Child receiver, int clients) throws Child.BenchException, InterruptedException {
    JsonObject connected = receiver.expect("CONNECTED", CONNECT_MS);
    int opened = connected.getInteger("opened", 0);
    if (opened != clients) {
      throw new Child.BenchException(receiver.name() + " opened " + opened + " of " + clients + " connections: "
        + connected.encode());
    }
  }

  private static String endpointUrl(JsonObject ready) {
    return "ws://127.0.0.1:" + ready.getInteger("port") + ready.getString("path");
  }
}
