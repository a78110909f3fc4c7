package io.wsink.testkit;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Blocking sockets on loopback that do the WebSocket opening handshake by hand (RFC 6455 §4.1) and then read only when
 * the test does, for peers that misbehave on purpose; {@link #close()} closes every one of them.
 */
public final class RawWsClients implements AutoCloseable {

  /** RFC 6455 §1.3 sample key … */
  private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
  /** … and its accept value. */
  private static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

  private final List<Socket> sockets = new ArrayList<>();

  /** The upgrade request for {@code path} on 127.0.0.1:{@code port}: the headers RFC 6455 requires, no Origin. */
  public static String request(String path, int port, String... extraHeaders) {
    StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\n"
      + "Host: 127.0.0.1:" + port + "\r\n"
      + "Upgrade: websocket\r\n"
      + "Connection: Upgrade\r\n"
      + "Sec-WebSocket-Key: " + KEY + "\r\n"
      + "Sec-WebSocket-Version: 13\r\n");
    for (String header : extraHeaders) {
      request.append(header).append("\r\n");
    }
    return request.append("\r\n").toString();
  }

  /** Throws unless {@code head} (a response head) accepts the upgrade {@link #request} asked for. */
  public static void checkSwitched(String head, String path) throws IOException {
    if (!head.startsWith("HTTP/1.1 101")
      || !head.toLowerCase(Locale.ROOT).contains("sec-websocket-accept: " + ACCEPT.toLowerCase(Locale.ROOT))) {
      throw new IOException("the upgrade of " + path + " was not accepted: " + head);
    }
  }

  /** A socket upgraded by {@link #upgradeWith} and the head of the server's 101 answer. */
  public record Upgraded(Socket socket, String head) {
  }

  /**
   * Upgrades {@code path} on 127.0.0.1:{@code port} with {@code extraHeaders} ({@code "Name: value"}, say an extension
   * offer) and reads the response head, nothing more.
   */
  public Upgraded upgradeWith(int port, String path, String... extraHeaders) throws IOException {
    Socket socket = connect(port, 0);
    String head = exchange(socket, request(path, port, extraHeaders));
    checkSwitched(head, path);
    return new Upgraded(socket, head);
  }

  /** {@link #upgrade(int, String, int)} with the default receive buffer. */
  public Socket upgrade(int port, String path) throws IOException {
    return upgrade(port, path, 0);
  }

  /**
   * Connects to 127.0.0.1:{@code port}, upgrades {@code path} and reads the response head, nothing more. Reads time out
   * after 10 s.
   *
   * @param receiveBufferSize set before connecting, so that the window the server sees stays that small; 0: default
   */
  public Socket upgrade(int port, String path, int receiveBufferSize) throws IOException {
    Socket socket = connect(port, receiveBufferSize);
    checkSwitched(exchange(socket, request(path, port)), path);
    return socket;
  }

  /**
   * Sends the upgrade of {@code path} (which may carry a query) with {@code extraHeaders} ({@code "Name: value"}) and
   * returns the status code of the answer; the socket stays open until {@link #close()}.
   */
  public int upgradeStatus(int port, String path, String... extraHeaders) throws IOException {
    String head = exchange(connect(port, 0), request(path, port, extraHeaders));
    try {
      return Integer.parseInt(head.substring("HTTP/1.1 ".length(), "HTTP/1.1 ".length() + 3));
    } catch (RuntimeException e) {
      throw new IOException("not an HTTP/1.1 response head: " + head, e);
    }
  }

  private Socket connect(int port, int receiveBufferSize) throws IOException {
    Socket socket = new Socket();
    synchronized (sockets) {
      sockets.add(socket);
    }
    if (receiveBufferSize > 0) {
      socket.setReceiveBufferSize(receiveBufferSize);
    }
    socket.setSoTimeout(10_000);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    return socket;
  }

  /** Writes {@code request} and reads the response head (up to the blank line), nothing more. */
  private static String exchange(Socket socket, String request) throws IOException {
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (head.length() < 8192 && !head.toString().endsWith("\r\n\r\n")) { // bounded: one response head
      int b = in.read();
      if (b < 0) {
        throw new EOFException("the server closed the connection before the end of its answer: " + head);
      }
      head.append((char) b);
    }
    return head.toString();
  }

  /**
   * Writes one masked frame (RFC 6455 §5.2) with {@code opcode} (1 text, 2 binary, 0 continuation) and the whole
   * payload in one write, so that the server has all of it before it can answer.
   */
  public static void writeFrame(Socket socket, int opcode, byte[] payload, boolean fin) throws IOException {
    writeFrame(socket, opcode, payload, fin, 0);
  }

  /**
   * {@link #writeFrame(Socket, int, byte[], boolean)} with reserved bits: {@code rsv} is RSV1 RSV2 RSV3 as three bits
   * (4 is RSV1, which permessage-deflate uses; 2 is RSV2; 1 is RSV3).
   */
  public static void writeFrame(Socket socket, int opcode, byte[] payload, boolean fin, int rsv) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
    frame.write((fin ? 0x80 : 0) | (rsv & 0x7) << 4 | opcode);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      frame.write(0x80 | 126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length & 0xff);
    } else {
      frame.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        frame.write((int) ((long) payload.length >>> shift) & 0xff);
      }
    }
    byte[] mask = {0x11, 0x22, 0x33, 0x44};
    frame.write(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i % 4]);
    }
    socket.getOutputStream().write(frame.toByteArray());
    socket.getOutputStream().flush();
  }

  /** A frame from the server: its opcode and (unmasked) payload. */
  public record ServerFrame(int opcode, byte[] payload) {

    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The status code of a Close frame; 1005 when it has none. */
    public int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }
  }

  /** One whole server-to-client frame (unmasked, at most 1 MiB), RFC 6455 §5.2. */
  public static ServerFrame readFrame(DataInputStream in) throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    if ((b0 & 0x80) == 0) {
      throw new IOException("unexpected fragmented frame (opcode " + (b0 & 0x0f) + ")");
    }
    if ((b1 & 0x80) != 0) {
      throw new IOException("a server frame must not be masked");
    }
    long len = b1 & 0x7f;
    if (len == 126) {
      len = in.readUnsignedShort();
    } else if (len == 127) {
      len = in.readLong();
    }
    if (len < 0 || len > 1 << 20) {
      throw new IOException("implausible frame length " + len);
    }
    byte[] payload = new byte[(int) len];
    in.readFully(payload);
    return new ServerFrame(b0 & 0x0f, payload);
  }

  /**
   * Reads whatever the server left until the connection ends, at most {@code maxFrames} frames: "close &lt;code&gt;"
   * for a Close frame, "eof" or "reset" when the TCP connection was closed, "timeout" when it is still open.
   */
  public static String readUntilClosed(Socket socket, int maxFrames) {
    try {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      for (int frames = 0; frames < maxFrames; frames++) {
        ServerFrame f = readFrame(in);
        if (f.opcode() == 8) {
          return "close " + f.closeCode();
        }
      }
      return "too many frames";
    } catch (SocketTimeoutException e) {
      return "timeout";
    } catch (EOFException e) {
      return "eof";
    } catch (SocketException e) {
      return "reset";
    } catch (IOException e) {
      return "error " + e;
    }
  }

  /**
   * Reads server frames until a Close frame (skipping at most 100 others) and returns its status code; -1 when the
   * connection ends without one (what a client reports as 1006), 1005 for a Close without a code.
   */
  public static int readCloseCode(Socket socket) throws IOException {
    DataInputStream in = new DataInputStream(socket.getInputStream());
    for (int frames = 0; frames < 100; frames++) {
      int first;
      try {
        first = in.readUnsignedByte();
      } catch (EOFException e) {
        return -1;
      }
      int length = in.readUnsignedByte() & 0x7f; // server frames are not masked
      long size = length == 126 ? in.readUnsignedShort() : length == 127 ? in.readLong() : length;
      byte[] payload = new byte[(int) size];
      in.readFully(payload);
      if ((first & 0x0f) == 0x8) {
        return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
      }
    }
    throw new IOException("no Close frame among the first 100 frames");
  }

  @Override
  public void close() throws IOException {
    synchronized (sockets) {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
