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
    List<Child> started = new ArrayList<>(List.of(rawSut, wsinkSut));
    try {
      String rawUrl = endpointUrl(rawSut.expect("READY", READY_MS));
      String wsinkUrl = endpointUrl(wsinkSut.expect("READY", READY_MS));
      Child rawLoad = load.start(RAW, rawUrl, clients);
      started.add(rawLoad);
      Child wsinkLoad = load.start(WSINK, wsinkUrl, clients);
      started.add(wsinkLoad);
      awaitConnected(rawLoad, clients);
      awaitConnected(wsinkLoad, clients);
      return new Rig[] {new Rig(RAW, rawSut, rawUrl, rawLoad), new Rig(WSINK, wsinkSut, wsinkUrl, wsinkLoad)};
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
