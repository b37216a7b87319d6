package io.botgate.console;

import io.vertx.core.json.JsonObject;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A console client on a plain socket with a small receive buffer that reads only when the test says so: the
 * slowest reader a gateway meets, whose kernel buffers fill after a few kilobytes.
 */
final class SlowReader implements AutoCloseable {

  private final Socket socket = new Socket();
  private final OutputStream out;
  private final DataInputStream in;

  SlowReader(int port, int receiveBufferBytes) throws IOException {
    socket.setReceiveBufferSize(receiveBufferBytes); // before connecting, so the window is small from the start
    socket.setSoTimeout(60_000);
    socket.connect(new InetSocketAddress("127.0.0.1", port));
    out = socket.getOutputStream();
    out.write(("GET /console HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
      + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
      .getBytes(StandardCharsets.US_ASCII));
    in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      head.append((char) in.readUnsignedByte());
    }
    assertThat(head.toString()).startsWith("HTTP/1.1 101");
  }

  /** Sends a text frame (masked with a zero key, as a client must mask: the payload as it is). */
  void send(JsonObject frame) throws IOException {
    sendFrame(0x81, frame.encode().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Sends one frame of these bytes as they are (masked with a zero key): {@code first} is its first byte, the
   * final bit and the opcode ({@code 0x81} a whole text message, {@code 0x01} its first fragment, {@code 0x80} the
   * last continuation).
   */
  void sendFrame(int first, byte[] payload) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write(first);
    if (payload.length < 126) {
      bytes.write(0x80 | payload.length);
    } else {
      bytes.write(0x80 | 126);
      bytes.write(payload.length >>> 8);
      bytes.write(payload.length & 0xff);
    }
    bytes.write(new byte[4]);
    bytes.write(payload);
    out.write(bytes.toByteArray());
    out.flush();
  }

  /** Sends bytes as they are: a frame's head and payload in pieces, say. */
  void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** The next text message (frames of one message joined), skipping control frames. */
  JsonObject next() throws IOException {
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    while (true) {
      Frame frame = frame();
      if (frame.opcode() == 0x8) {
        throw new EOFException("the gateway closed the console");
      }
      if (frame.opcode() >= 0x8) {
        continue; // ping or pong
      }
      message.write(frame.payload());
      if (frame.last()) {
        return new JsonObject(message.toString(StandardCharsets.UTF_8));
      }
    }
  }

  /** The status of the close frame the gateway sends, skipping every frame before it. */
  int closeStatus() throws IOException {
    Frame frame;
    do {
      frame = frame();
    } while (frame.opcode() != 0x8);
    return (frame.payload()[0] & 0xff) << 8 | frame.payload()[1] & 0xff;
  }

  /** Reads what follows: -1 once the gateway has ended its side in order (a reset throws instead). */
  int read() throws IOException {
    return in.read();
  }

  private Frame frame() throws IOException {
    int first = in.readUnsignedByte();
    int second = in.readUnsignedByte();
    long length = second & 0x7f;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    return new Frame(first & 0x0f, (first & 0x80) != 0, payload);
  }

  private record Frame(int opcode, boolean last, byte[] payload) {
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
