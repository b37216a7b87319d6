package io.botgate.api;

import io.vertx.core.json.JsonObject;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * A client of the TCP event-bus bridge as a process outside the JVM would be: a plain socket speaking the
 * frame protocol (4-byte big-endian length, then JSON), blocking, with a read timeout so a test cannot hang.
 */
public final class BridgeClient implements AutoCloseable {

  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;
  private final String token;
  private final List<JsonObject> passedOver = new ArrayList<>();

  BridgeClient(int port, String token) throws IOException {
    this(port, token, 0);
  }

  /** With {@code receiveBufferBytes} > 0, a fixed small receive buffer: the kernel holds little for a slow reader. */
  BridgeClient(int port, String token, int receiveBufferBytes) throws IOException {
    this(port, token, receiveBufferBytes, null);
  }

  /** From {@code from}, an address of the loopback network (127.0.0.2...): another remote address to the bridge. */
  static BridgeClient from(String from, int port) throws IOException {
    return new BridgeClient(port, null, 0, from);
  }

  private BridgeClient(int port, String token, int receiveBufferBytes, String from) throws IOException {
    socket = new Socket();
    if (receiveBufferBytes > 0) {
      socket.setReceiveBufferSize(receiveBufferBytes);
    }
    if (from != null) {
      socket.bind(new InetSocketAddress(from, 0));
    }
    socket.connect(new InetSocketAddress("127.0.0.1", port));
    socket.setSoTimeout(20_000);
    in = new DataInputStream(socket.getInputStream());
    out = new DataOutputStream(socket.getOutputStream());
    this.token = token;
  }

  public BridgeClient(int port) throws IOException {
    this(port, null);
  }

  /** Writes one frame as given (no token added). */
  void write(JsonObject frame) throws IOException {
    byte[] json = frame.encode().getBytes(StandardCharsets.UTF_8);
    out.writeInt(json.length);
    out.write(json);
    out.flush();
  }

  /** Writes raw bytes, for frames the protocol does not allow. */
  void writeRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** A frame of {@code type} to {@code address}, with the token in its headers if this client has one. */
  JsonObject frame(String type, String address) {
    JsonObject frame = new JsonObject().put("type", type).put("address", address);
    if (token != null) {
      frame.put("headers", new JsonObject().put("token", token));
    }
    return frame;
  }

  void register(String address) throws IOException {
    write(frame("register", address));
  }

  /** Sends a request; returns the reply address to wait on. */
  public String request(String address, JsonObject body) throws IOException {
    String replyAddress = "reply-" + UUID.randomUUID();
    write(frame("send", address).put("replyAddress", replyAddress).put("body", body));
    return replyAddress;
  }

  /** The next frame, or empty once the server has closed the connection. */
  Optional<JsonObject> read() throws IOException {
    int length;
    try {
      length = in.readInt();
    } catch (EOFException e) {
      return Optional.empty();
    }
    byte[] json = in.readNBytes(length);
    if (json.length < length) {
      return Optional.empty(); // closed in the middle of a frame
    }
    return Optional.of(new JsonObject(new String(json, StandardCharsets.UTF_8)));
  }

  /**
   * The first frame that matches, among those passed over by earlier calls and then those still to come
   * (others are kept for later calls); fails if the connection closes or goes quiet.
   */
  public JsonObject readUntil(Predicate<JsonObject> wanted) throws IOException {
    for (Iterator<JsonObject> it = passedOver.iterator(); it.hasNext(); ) {
      JsonObject frame = it.next();
      if (wanted.test(frame)) {
        it.remove();
        return frame;
      }
    }
    while (true) {
      JsonObject frame = read().orElseThrow(() -> new AssertionError("the bridge closed the connection; "
        + "frames passed over: " + passedOver));
      if (wanted.test(frame)) {
        return frame;
      }
      passedOver.add(frame);
    }
  }

  /** Whether the server has closed the connection (reads until end of stream, skipping frames). */
  boolean closedByServer() throws IOException {
    try {
      while (read().isPresent()) {
        // skip what was in flight
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
