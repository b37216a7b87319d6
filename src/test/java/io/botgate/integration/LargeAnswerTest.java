package io.botgate.integration;

import io.botgate.TestGateway;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A large answer (5 MB of JSON, of gzip-encoded JSON, of text) of an integration without custom data fields is read
 * off the event loop: where its JSON is checked, its text made for {@code api_<rdv>} and for the finish event, and its
 * coding undone, the gateway's other sessions on that loop would wait. The usual small answer is read on the loop,
 * without a hop. What the finish event shows of a large answer is scrubbed before it is cut: no secret is shown half.
 */
@ExtendWith(VertxExtension.class)
class LargeAnswerTest {

  static final String TOKEN = "tok-9Zq4VbN2xLm7Rw8s";
  static final int FIVE_MB = 5_000_000;
  static TestGateway gw;
  static HttpServer upstream;
  static final String ARRAY = array();
  static final String TEXT = "a line of plain text that is no JSON at all\n".repeat(FIVE_MB / 44);
  /** Whether each reading of a large answer ran on an event loop, in order. */
  static final List<Boolean> readOnLoop = new CopyOnWriteArrayList<>();
  /** Whether each result was recorded, and each large answer's text written, on an event loop, in order. */
  static final List<Boolean> recordedOnLoop = new CopyOnWriteArrayList<>();
  static final List<Boolean> writtenOnLoop = new CopyOnWriteArrayList<>();
  /** The answer the /echo path gives next. */
  static volatile String echo;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject().put("upstream.limit.bytes", 6_000_000)
      .put("session.maxBytes", 64_000_000).put("env", new JsonObject().put("TOKEN", TOKEN))));
    Buffer gzipped = gzip("{\"items\":" + ARRAY + "}");
    upstream = vertx.createHttpServer().requestHandler(req -> {
      switch (req.path()) {
        case "/array" -> req.response().putHeader("Content-Type", "application/json").end(ARRAY);
        case "/gzip" -> req.response().putHeader("Content-Type", "application/json")
          .putHeader("Content-Encoding", "gzip").end(gzipped);
        case "/text" -> req.response().putHeader("Content-Type", "text/plain").end(TEXT);
        case "/echo" -> req.response().end(echo);
        default -> req.response().putHeader("Content-Type", "application/json")
          .end("{\"items\":[{\"title\":\"a\"},{\"title\":\"b\"}]}");
      }
    });
    result(upstream.listen(0, "127.0.0.1"));
    gw.gateway.executor().whileReading = thread -> readOnLoop.add(Context.isOnEventLoopThread());
    gw.gateway.executor().whileWriting = thread -> writtenOnLoop.add(Context.isOnEventLoopThread());
    gw.gateway.executor().onResult(result -> recordedOnLoop.add(Context.isOnEventLoopThread()));
  }

  @AfterAll
  static void stop() {
    result(upstream.close());
  }

  @BeforeEach
  void forget() {
    readOnLoop.clear();
    recordedOnLoop.clear();
    writtenOnLoop.clear();
  }

  private static String array() {
    StringBuilder out = new StringBuilder(FIVE_MB + 64).append('[');
    for (int i = 0; out.length() < FIVE_MB; i++) {
      out.append("{\"id\":").append(i).append(",\"title\":\"item number ").append(i).append("\"},");
    }
    out.setCharAt(out.length() - 1, ']');
    return out.toString();
  }

  private static Buffer gzip(String text) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer(bytes.toByteArray());
  }

  private static JsonObject run(String session, String name, String path, JsonObject extra) {
    JsonObject definition = new JsonObject().put("name", name).put("method", "GET")
      .put("url", "http://127.0.0.1:" + upstream.actualPort() + path).mergeIn(extra);
    return result(gw.declareAndExecute(session, definition, null));
  }

  private static JsonObject shownBody(JsonObject report) {
    return report.getJsonArray("events").stream().map(e -> (JsonObject) e)
      .filter(e -> "integration".equals(e.getString("kind")) && "finish".equals(e.getJsonObject("data").getString("phase")))
      .findFirst().orElseThrow().getJsonObject("data").getJsonObject("response").getJsonObject("body");
  }

  private static String apiData(String session, String rdv) {
    return result(gw.session(session)).getJsonObject("variables").getJsonObject("api_" + rdv).getString("jsonData");
  }

  @Test
  void shouldReadALargeJsonAnswerOffTheEventLoop() {
    JsonObject report = run("large-array", "largeArray", "/array", new JsonObject());

    assertThat(report.getJsonObject("result").getString("statusCode")).isEqualTo("200");
    assertThat(readOnLoop).as("where the answer was read").containsExactly(false);
    JsonObject body = shownBody(report);
    assertThat(body.getInteger("bytes")).isEqualTo(ARRAY.length());
    assertThat(body.getBoolean("truncated")).isTrue();
    assertThat(body.getString("text")).startsWith("(JSON too large to show as a tree)\n[{\"id\":0,");
    assertThat(apiData("large-array", "largeArray")).hasSize(ARRAY.length() + "{\"api_largeArray\":}".length())
      .startsWith("{\"api_largeArray\":[{\"id\":0,").endsWith("}]}");
  }

  @Test
  void shouldUndoTheCodingOfALargeGzipAnswerAndReadItOffTheEventLoop() {
    JsonObject report = run("large-gzip", "largeGzip", "/gzip", new JsonObject()
      .put("customDataFields", new JsonObject().put("last", "{$.api_largeGzip.items[-1:].id}")));

    assertThat(report.getJsonObject("result").getString("statusCode")).isEqualTo("200");
    assertThat(readOnLoop).as("where the coding was undone, then where the answer was read").containsExactly(false, false);
    assertThat(shownBody(report).getInteger("bytes")).isEqualTo(ARRAY.length() + "{\"items\":}".length());
    assertThat(report.getJsonObject("variables").getJsonArray("largeGzip.last")).hasSize(1);
  }

  /** A pass-through call's captured answer: its coding undone, and it read, off the event loop too. */
  @Test
  void shouldDecodeAndReadALargeCapturedGzipAnswerOffTheEventLoop() {
    JsonObject definition = new JsonObject().put("name", "capturesGzip").put("method", "GET")
      .put("url", "http://127.0.0.1:" + upstream.actualPort()).put("capture", true)
      .put("customDataFields", new JsonObject().put("first", "{$.api_capturesGzip.items[0].id}"));
    assertThat(result(gw.declare(definition)).statusCode()).isLessThan(300);

    var answer = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/proxy/capturesGzip/gzip")
      .putHeader("X-Botgate-Session", "captured").send());

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(readOnLoop).as("where the coding was undone, then where the answer was read").containsExactly(false, false);
    assertThat(result(gw.session("captured")).getJsonObject("variables").getInteger("capturesGzip.first")).isZero();
  }

  @Test
  void shouldReadALargeTextAnswerOffTheEventLoop() {
    JsonObject report = run("large-text", "largeText", "/text", new JsonObject()
      .put("successCodes", new JsonArray().add(299)));

    assertThat(report.getJsonObject("result").getString("statusCode")).isEqualTo("200");
    assertThat(readOnLoop).containsExactly(false);
    JsonObject body = shownBody(report);
    assertThat(body.getString("text")).hasSize(ExchangeTrace.BODY_BYTES_SHOWN).startsWith("a line of plain text");
    assertThat(apiData("large-text", "largeText")).startsWith("{\"api_largeText\":\"a line of plain text")
      .hasSizeGreaterThan(TEXT.length());
  }

  /**
   * An {@code [i]} field over a 5 MB answer lists all its titles: they are stored, masked and shown in the finish
   * event, and written into the answer, on a worker (they held the event loop 30 to 50 ms); each as before.
   */
  @Test
  void shouldRecordShowAndWriteTheFieldsOfALargeAnswerOffTheEventLoop() {
    JsonObject report = run("large-fields", "largeFields", "/array", new JsonObject()
      .put("customDataFields", new JsonObject().put("title", "{$.api_largeFields[i].title}")
        .put("password", "{$.api_largeFields[0]}")));

    int items = new JsonArray(ARRAY).size();
    assertThat(report.getJsonObject("result").getString("statusCode")).isEqualTo("200");
    assertThat(report.getJsonObject("variables").getJsonArray("largeFields.title")).hasSize(items)
      .startsWith("item number 0", "item number 1");
    assertThat(report.getJsonObject("variables").getInteger("largeFields.title.count")).isEqualTo(items);
    JsonObject shown = report.getJsonArray("events").stream().map(e -> ((JsonObject) e).getJsonObject("data"))
      .filter(data -> "finish".equals(data.getString("phase"))).findFirst().orElseThrow().getJsonObject("fields");
    assertThat(shown.getJsonArray("largeFields.title")).hasSize(items).endsWith("item number " + (items - 1));
    assertThat(shown.getString("largeFields.password")).as("a secret-named field, masked").isEqualTo("****");
    assertThat(readOnLoop).as("where the answer was read").containsExactly(false);
    assertThat(recordedOnLoop).as("where the result was recorded").containsExactly(false);
    assertThat(writtenOnLoop).as("where the answer's text was written").containsExactly(false);
  }

  @Test
  void shouldReadASmallAnswerOnTheEventLoopWithoutAHop() {
    JsonObject report = run("small", "smallAnswer", "/small", new JsonObject()
      .put("customDataFields", new JsonObject().put("title", "{$.api_smallAnswer.items[i].title}")));

    assertThat(report.getJsonObject("variables").getJsonArray("smallAnswer.title")).containsExactly("a", "b");
    assertThat(readOnLoop).as("no reading handed to a worker").isEmpty();
    assertThat(recordedOnLoop).as("where the result was recorded").containsExactly(true);
    assertThat(writtenOnLoop).as("no answer's text written on a worker").isEmpty();
  }

  /**
   * A secret the gateway knows (an env value another integration sent) echoed across the cut of what the finish event
   * shows, in a text answer, a JSON answer read on the loop and one read on a worker: masked whole, not shown half.
   */
  @Test
  void shouldNeverShowHalfASecretEchoedAcrossTheCut() {
    run("learn", "sendsToken", "/small", new JsonObject().put("headers", new JsonObject().put("X-Team", "{$env.TOKEN}")));
    int at = ExchangeTrace.BODY_BYTES_SHOWN - TOKEN.length() / 2;
    String half = TOKEN.substring(0, TOKEN.length() / 2);
    for (int size : new int[] {40_000, 400_000}) {
      for (boolean json : new boolean[] {false, true}) {
        String lead = json ? "{\"note\":\"" : "";
        String text = lead + "x".repeat(at - lead.length()) + TOKEN + "y".repeat(size) + (json ? "\"}" : "");
        echo = text;
        JsonObject report = run("echo", "echoes", "/echo", new JsonObject()
          .put("successCodes", new JsonArray().add(200).add(299)));
        String shown = shownBody(report).getString("text");
        assertThat(shown).as("%d bytes, %s", size, json ? "JSON" : "text").contains("x****").doesNotContain(half);
      }
    }
  }

  /**
   * The value of a secret-named member that begins before the cut and runs far past it (further than the window
   * around the cut that is masked) is masked whole, as when the whole text was masked.
   */
  @Test
  void shouldMaskASecretNamedValueThatRunsFarPastTheCut() {
    for (int size : new int[] {40_000, 400_000}) {
      echo = "{\"note\":\"" + "x".repeat(ExchangeTrace.BODY_BYTES_SHOWN - 100) + "\",\"password\":\""
        + "Q".repeat(size) + "\",\"after\":1}";
      JsonObject report = run("masked", "masksPassword", "/echo", new JsonObject());
      String shown = shownBody(report).getString("text");
      assertThat(shown).as("%d bytes", size).contains("\"password\":\"****\"").doesNotContain("QQ");
    }
  }
}
