package io.botgate.api;

import io.botgate.KeepsSending;
import io.botgate.LingeringClose;
import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;

import static io.botgate.Await.result;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request refused while its client is still sending it (a request head over the limit, an upload over the
 * pass-through's or the API's limit, an HTTP version not spoken) is answered, and the connection ends in order:
 * the client reads the whole answer and then the end, and none of its writes meets a reset. Closed at once with
 * the rest unread, the connection ended in a reset, which a client still writing may take before the answer. On
 * the native transport, the gateway's own, which resets every time where NIO only does now and then.
 */
class RefusedRequestsTest {

  /** What the client goes on sending after the head: well past every limit, well under LingeringClose's bound. */
  static final long REST = 2 << 20;
  static Vertx vertx;
  static TestGateway gw;

  @BeforeAll
  static void start() {
    vertx = TestGateway.nativeVertx();
    gw = result(TestGateway.start(vertx, new JsonObject().put("proxy.request.limit.bytes", 100_000)
      .put("body.limit.bytes", 100_000)));
    assertThat(result(gw.declare(new JsonObject().put("name", "echo").put("method", "POST").put("url", "stub:/echo")))
      .statusCode()).isIn(200, 201);
  }

  @AfterAll
  static void stop() {
    result(vertx.close());
  }

  @Test
  void shouldLetAClientStillSendingARequestLineOverTheLimitReadThe414() throws Exception {
    String answer = answerWhileSending("GET /");
    assertThat(status(answer)).isEqualTo(414);
    assertThat(answer).contains("\"uri_too_long\"");
    gw.assertHealthy();
  }

  @Test
  void shouldLetAClientStillSendingAHeaderOverTheLimitReadThe431() throws Exception {
    String answer = answerWhileSending("GET /health HTTP/1.1\r\n" + host() + "X-Big: ");
    assertThat(status(answer)).isEqualTo(431);
    assertThat(answer).contains("\"headers_too_large\"");
    gw.assertHealthy();
  }

  @Test
  void shouldLetAClientStillUploadingPastThePassThroughLimitReadThe413() throws Exception {
    String answer = answerWhileSending("POST /proxy/echo/up HTTP/1.1\r\n" + host() + "X-Botgate-Session: up\r\n"
      + "Content-Type: application/octet-stream\r\nContent-Length: " + REST + "\r\n\r\n");
    assertThat(status(answer)).isEqualTo(413);
    assertThat(answer).contains("proxy.request.limit.bytes");
    assertThat(gw.upstream.hits("/echo/up")).as("nothing was forwarded").isZero();
    gw.assertHealthy();
  }

  @Test
  void shouldLetAClientStillSendingABodyPastTheApiLimitReadThe413() throws Exception {
    String answer = answerWhileSending("POST /api/sessions/big/scripts HTTP/1.1\r\n" + host()
      + "Content-Type: application/json\r\nContent-Length: " + REST + "\r\n\r\n");
    assertThat(status(answer)).isEqualTo(413);
    assertThat(answer).contains("\"payload_too_large\"");
    gw.assertHealthy();
  }

  @Test
  void shouldLetAClientStillSendingABodyInAnUnknownHttpVersionReadThe505() throws Exception {
    String answer = answerWhileSending("POST /api/sessions/v/scripts HTTP/2.5\r\n" + host()
      + "Content-Type: application/json\r\nContent-Length: " + REST + "\r\n\r\n");
    assertThat(status(answer)).isEqualTo(505);
    assertThat(answer).contains("\"http_version_not_supported\"");
    gw.assertHealthy();
  }

  /**
   * Vert.x fails a connection whose request it could not decode as soon as the answer is written; a client that
   * sends the rest slowly shows whether that closes it at once: its next write meets the reset.
   */
  @Test
  void shouldKeepReadingAClientThatSendsTheRestOfARefusedHeadSlowly() throws Exception {
    assertThat(status(answerWhileTrickling("GET /"))).isEqualTo(414);
    assertThat(status(answerWhileTrickling("GET /health HTTP/1.1\r\n" + host() + "X-Big: "))).isEqualTo(431);
    assertThat(status(answerWhileTrickling("GET /health HTTP/1.1\r\n" + host() + "Not a header\r\n\r\n")))
      .isEqualTo(400);
    gw.assertHealthy();
  }

  @Test
  void shouldStopReadingAClientThatGoesOnSendingAfterARefusedHead() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", gw.gateway.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(("GET /health HTTP/1.1\r\n" + host() + "X-Big: ").getBytes(ISO_8859_1));
      KeepsSending rest = KeepsSending.start(out::write, 1L << 30);
      // what the gateway drops after the refusal, plus what the two sockets' buffers hold
      assertThat(rest.sentUntilCut()).isLessThan(LingeringClose.MAX_BYTES + (32L << 20));
    }
    gw.assertHealthy();
  }

  /** The status of an answer's status line (a request line over the limit is answered in HTTP/1.0). */
  private static int status(String answer) {
    assertThat(answer).startsWith("HTTP/1.");
    return Integer.parseInt(answer.split(" ", 3)[1]);
  }

  private static String host() {
    return "Host: 127.0.0.1:" + gw.gateway.port() + "\r\n";
  }

  /**
   * Sends {@code head} padded past the request head limit, then a byte every 50 ms for 600 ms (well within
   * {@link LingeringClose#MAX_MILLIS}), then reads the answer; fails if a write meets a reset.
   */
  private static String answerWhileTrickling(String head) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", gw.gateway.port())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(ISO_8859_1));
      out.write(new byte[64 << 10]);
      for (int i = 0; i < 12; i++) {
        Thread.sleep(50);
        out.write('x');
        out.flush();
      }
      return new String(socket.getInputStream().readAllBytes(), ISO_8859_1);
    }
  }

  /**
   * Sends {@code head}, then {@link #REST} zero bytes from another thread while this one reads the answer to the
   * end; fails if the read or a write meets a reset.
   */
  private static String answerWhileSending(String head) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", gw.gateway.port())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(ISO_8859_1));
      KeepsSending rest = KeepsSending.start(out::write, REST);
      String answer = new String(socket.getInputStream().readAllBytes(), ISO_8859_1);
      rest.stop(socket); // fails if a write met a reset before the end was read
      return answer;
    }
  }
}
