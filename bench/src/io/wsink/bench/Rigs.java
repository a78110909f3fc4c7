package io.wsink.bench;

import io.vertx.core.json.JsonObject;

import java.io.IOException;

/** Starts the process pairs of a rig and waits (bounded) until they are connected; cleans up when that fails. */
final class Rigs {

  private static final long READY_MS = 60_000;
  private static final long CONNECT_MS = 120_000;

  private Rigs() {
  }

  /** Server mode: the server under test, then a load client with {@code clients} connections to its endpoint. */
  static Rig serverMode(String impl, Child sut, int clients, LoadFactory load)
    throws Child.BenchException, InterruptedException, IOException {
    Child receiver = null;
    try {
      JsonObject ready = sut.expect("READY", READY_MS);
      String url = "ws://127.0.0.1:" + ready.getInteger("port") + ready.getString("path");
      receiver = load.start(url, clients);
      awaitConnected(receiver, clients);
      return new Rig(impl, sut, url, receiver);
    } catch (Child.BenchException | InterruptedException | IOException | RuntimeException e) {
      if (receiver != null) {
        receiver.close();
      }
      sut.close();
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

  /** Client mode: the counting server, then the server under test dialling it; waits for the connection. */
  static Rig clientMode(String impl, Child counting, SutFactory sut)
    throws Child.BenchException, InterruptedException, IOException {
    Child client = null;
    try {
      JsonObject ready = counting.expect("READY", READY_MS);
      client = sut.start("ws://127.0.0.1:" + ready.getInteger("port") + ready.getString("path"));
      client.expect("READY", READY_MS);
      awaitConnected(counting, 1);
      return new Rig(impl, client, null, counting);
    } catch (Child.BenchException | InterruptedException | IOException | RuntimeException e) {
      if (client != null) {
        client.close();
      }
      counting.close();
      throw e;
    }
  }

  interface LoadFactory {
    Child start(String url, int clients) throws IOException;
  }

  interface SutFactory {
    Child start(String targetUrl) throws IOException;
  }
}
