package io.botgate.integration;

import io.botgate.TestGateway;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.botgate.Await.failure;
import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Record mode's files, against real gateways: what mock mode answers from is what the disk holds (a recording that
 * could not be written is not kept, and says so), temporary files a killed gateway left are removed, and a directory
 * another gateway records into, in this process or another, is refused with a message naming both.
 */
@Timeout(180)
class RecordedMocksTest {

  @TempDir
  Path mocks;
  /** Each gateway on its own Vert.x, closed after the test: closing it stops the gateway and lets its lock go. */
  final List<Vertx> started = new ArrayList<>();
  /** A gateway in a process of its own, and its output. */
  Process other;
  Path otherLog;

  @AfterEach
  void stop() throws InterruptedException, IOException {
    if (other != null) {
      other.destroyForcibly();
      other.waitFor(30, TimeUnit.SECONDS);
      Files.deleteIfExists(otherLog);
    }
    for (Vertx vertx : started) {
      result(vertx.close());
    }
  }

  TestGateway gateway(JsonObject config) {
    Vertx vertx = Vertx.vertx();
    started.add(vertx);
    return result(TestGateway.start(vertx, config.copy().put("upstream.mocksDir", mocks.toString())));
  }

  Throwable refusedStart(JsonObject config) {
    Vertx vertx = Vertx.vertx();
    started.add(vertx);
    return failure(TestGateway.start(vertx, config.copy().put("upstream.mocksDir", mocks.toString())));
  }

  static JsonObject recorded(String name, String mode) {
    return new JsonObject().put("name", name).put("method", "GET").put("mode", mode).put("url", "stub:/faq")
      .put("query", new JsonObject().put("q", "roaming"));
  }

  static void declare(TestGateway g, JsonObject definition) {
    HttpResponse<Buffer> r = result(g.declare(definition));
    assertThat(r.statusCode()).as(r.bodyAsString()).isIn(200, 201);
  }

  static String status(JsonObject answer) {
    return answer.getJsonObject("result").getString("statusCode");
  }

  static List<String> warnings(JsonObject answer) {
    return answer.getJsonArray("events").stream().map(JsonObject.class::cast)
      .filter(e -> "warning".equals(e.getString("kind"))).map(e -> e.getString("text")).toList();
  }

  List<String> files() throws IOException {
    try (Stream<Path> files = Files.list(mocks)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void shouldKeepNoRecordingTheFileCouldNotTakeAndSaySo() throws IOException {
    // The recording went into memory first: a write that failed left mock mode answering what the disk lacked (until
    // a restart took it away), and only the log said so.
    TestGateway g = gateway(new JsonObject());
    Path blocked = Files.createDirectories(mocks.resolve("unwritable.json"));
    Files.writeString(blocked.resolve("in-the-way"), "a directory where the file goes: the rename fails");
    declare(g, recorded("unwritable", "record"));

    JsonObject live = result(g.execute("rec", "unwritable", null));
    assertThat(status(live)).as("the call's answer stands").isEqualTo("200");
    assertThat(warnings(live)).anySatisfy(w -> assertThat(w).startsWith("unwritable: record mode: the answer was not"
      + " recorded").contains(mocks + "/unwritable.json", "are as they were"));

    declare(g, recorded("unwritable", "mock"));
    JsonObject replayed = result(g.execute("mock", "unwritable", null));
    assertThat(status(replayed)).as("no mock but what the disk holds").isEqualTo("440");
    assertThat(files()).containsExactly(".botgate.lock", "unwritable.json");

    // once the file can be written, the recording is on the disk and answers
    Files.delete(blocked.resolve("in-the-way"));
    Files.delete(blocked);
    declare(g, recorded("unwritable", "record"));
    assertThat(warnings(result(g.execute("rec", "unwritable", null)))).isEmpty();
    assertThat(new JsonArray(Files.readString(mocks.resolve("unwritable.json")))).hasSize(1);
    declare(g, recorded("unwritable", "mock"));
    assertThat(status(result(g.execute("mock", "unwritable", null)))).isEqualTo("200");
  }

  @Test
  void shouldWriteThroughNoSymbolicLinkPutInTheDirectory(@TempDir Path elsewhere) throws IOException {
    Path victim = Files.writeString(elsewhere.resolve("victim.txt"), "not the gateway's\n");
    Path lockVictim = Files.writeString(elsewhere.resolve("lock-victim.txt"), "not the gateway's either\n");
    TestGateway g = gateway(new JsonObject());
    declare(g, recorded("linked", "record"));
    Files.createSymbolicLink(mocks.resolve(".botgate.lock"), lockVictim);
    JsonObject refused = result(g.execute("rec", "linked", null));
    assertThat(status(refused)).as("the call's answer stands").isEqualTo("200");
    assertThat(warnings(refused)).anySatisfy(w -> assertThat(w).startsWith("linked: record mode: the answer was not"));
    assertThat(Files.readString(lockVictim)).isEqualTo("not the gateway's either\n");

    Files.delete(mocks.resolve(".botgate.lock"));
    assertThat(warnings(result(g.execute("rec", "linked", null)))).isEmpty();
    Files.createSymbolicLink(mocks.resolve("linked.json.tmp"), victim); // what a recording writes, then renames
    assertThat(warnings(result(g.execute("rec", "linked", null)))).isEmpty();
    assertThat(Files.readString(victim)).isEqualTo("not the gateway's\n");
    assertThat(Files.isSymbolicLink(mocks.resolve("linked.json"))).isFalse();
    assertThat(new JsonArray(Files.readString(mocks.resolve("linked.json")))).hasSize(1);
  }

  @Test
  void shouldRemoveTheTemporaryFilesAGatewayKilledWhileWritingLeft() throws IOException {
    Files.writeString(mocks.resolve("faq.json"), "[]\n");
    Files.writeString(mocks.resolve("faq.json.tmp"), "[{\"status\": 2");
    Files.writeString(mocks.resolve("faq.8123456789012345678.tmp"), "[{\"sta"); // as earlier builds named them
    Files.writeString(mocks.resolve("notes.tmp"), "not the gateway's");
    gateway(new JsonObject().put("upstream.mode", "record"));
    assertThat(files()).containsExactly(".botgate.lock", "faq.json", "notes.tmp");
  }

  @Test
  void shouldRefuseASecondGatewayRecordingIntoTheSameDirectoryInThisProcess() throws IOException {
    TestGateway first = gateway(new JsonObject().put("upstream.mode", "record").put("node.id", "first-gw"));

    Throwable refused = refusedStart(new JsonObject().put("upstream.mode", "record").put("node.id", "second-gw"));
    assertThat(refused).hasMessageContainingAll("upstream.mocksDir " + mocks, "another gateway in this process",
      "node first-gw", "overwrite each other's recordings");

    // one that only reads it starts; an integration of its own that records is refused at its recording, and says why
    TestGateway reader = gateway(new JsonObject().put("node.id", "reader-gw"));
    declare(reader, recorded("sideRecording", "record"));
    JsonObject answer = result(reader.execute("side", "sideRecording", null));
    assertThat(status(answer)).isEqualTo("200");
    assertThat(warnings(answer)).anySatisfy(w -> assertThat(w).contains("not recorded", "node first-gw"));
    assertThat(files()).doesNotContain("sideRecording.json");

    // the first records as before; once it stops, the directory is free
    declare(first, recorded("own", "record"));
    assertThat(warnings(result(first.execute("own", "own", null)))).isEmpty();
    assertThat(files()).contains("own.json");
    result(started.get(0).close());
    started.remove(0);
    gateway(new JsonObject().put("upstream.mode", "record").put("node.id", "third-gw"));
  }

  @Test
  void shouldLetTheDirectoryGoWhenTheStartThatTookItFailsAfterwards() throws IOException {
    // The lock taken at start (upstream.mode record) outlived a start that failed later, here on a port in use: the
    // verticle's stop never runs after a failed start, so every later gateway of this process (one deployed again on
    // a free port, say) was refused the directory, "in this process", until the JVM ended.
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      Throwable failed = refusedStart(new JsonObject().put("upstream.mode", "record").put("node.id", "failed-gw")
        .put("http.port", taken.getLocalPort()));
      assertThat(failed).hasMessageNotContaining("upstream.mocksDir");
    }

    TestGateway next = gateway(new JsonObject().put("upstream.mode", "record").put("node.id", "next-gw"));
    declare(next, recorded("afterFailedStart", "record"));
    assertThat(warnings(result(next.execute("s", "afterFailedStart", null)))).isEmpty();
    assertThat(files()).contains("afterFailedStart.json");
  }

  /**
   * A pass-through call in record mode is kept as a mock, masked as an execution's answer is, before its caller sees
   * the answer end, so that mock mode answers the same call with the upstream gone: it was passed on and nothing kept.
   */
  @Test
  void shouldRecordPassThroughCallsAndReplayThemInMockMode() throws Exception {
    TestGateway gw = gateway(new JsonObject());
    String secret = "proxiedKey5519";
    List<Boolean> recordedOnLoop = new CopyOnWriteArrayList<>();
    RecordedMocks.whileRecording = thread -> recordedOnLoop.add(Context.isOnEventLoopThread());
    try {
      Buffer large = new JsonObject().put("items", new JsonArray().add("x".repeat(1 << 20))).toBuffer();
      HttpServer upstream = gw.vertx.createHttpServer().requestHandler(req -> req.response()
        .putHeader("Content-Type", "application/json").putHeader("X-Upstream", "yes")
        .end(req.path().equals("/large") ? large : new JsonObject().put("path", req.path()).put("q", req.getParam("q"))
          .toBuffer()));
      result(upstream.listen(0, "127.0.0.1"));
      JsonObject definition = new JsonObject().put("name", "proxiedRec").put("method", "GET").put("mode", "record")
        .put("url", "http://127.0.0.1:" + upstream.actualPort());
      declare(gw, definition);
      HttpResponse<Buffer> live = proxy(gw, "/proxy/proxiedRec/faq?q=roaming&api_key=" + secret, "proxy-live");
      HttpResponse<Buffer> liveLarge = proxy(gw, "/proxy/proxiedRec/large", "proxy-live");
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(liveLarge.body()).isEqualTo(large);

      String file = Files.readString(mocks.resolve("proxiedRec.json"));
      JsonArray kept = new JsonArray(file);
      assertThat(kept).hasSize(2);
      assertThat(kept.getJsonObject(0).getJsonObject("match")).isEqualTo(new JsonObject().put("method", "GET")
        .put("path", "/faq").put("query", new JsonObject().put("q", "roaming").put("api_key", "****")));
      assertThat(file).doesNotContain(secret);
      assertThat(recordedOnLoop).as("where each answer was made a mock").containsExactly(false, false);

      result(upstream.close());
      declare(gw, definition.copy().put("mode", "mock"));
      HttpResponse<Buffer> replayed = proxy(gw, "/proxy/proxiedRec/faq?q=roaming&api_key=another", "proxy-mock");
      HttpResponse<Buffer> replayedLarge = proxy(gw, "/proxy/proxiedRec/large", "proxy-mock");
      assertThat(replayed.statusCode()).isEqualTo(200);
      assertThat(replayed.body()).isEqualTo(live.body());
      assertThat(replayed.getHeader("X-Upstream")).isEqualTo("yes");
      assertThat(replayedLarge.body()).isEqualTo(large);
    } finally {
      RecordedMocks.whileRecording = thread -> { };
    }
  }

  /** An execution's large answer is made a mock (checked as UTF-8, parsed, masked) on a worker, not the event loop. */
  @Test
  void shouldMakeALargeAnswerAMockOffTheEventLoop() {
    TestGateway gw = gateway(new JsonObject());
    List<Boolean> recordedOnLoop = new CopyOnWriteArrayList<>();
    RecordedMocks.whileRecording = thread -> recordedOnLoop.add(Context.isOnEventLoopThread());
    try {
      JsonObject definition = new JsonObject().put("name", "recLarge").put("method", "GET").put("mode", "record")
        .put("url", "stub:/big/512"); // half of session.maxBytes
      declare(gw, definition);
      JsonObject live = result(gw.execute("large-live", "recLarge", null));
      assertThat(status(live)).as(live.encode()).isEqualTo("200");
      assertThat(recordedOnLoop).as("where the answer was made a mock").containsExactly(false);

      declare(gw, definition.copy().put("mode", "mock"));
      assertThat(status(result(gw.execute("large-mock", "recLarge", null)))).isEqualTo("200");
      assertThat(jsonData(gw, "large-mock", "recLarge")).isEqualTo(jsonData(gw, "large-live", "recLarge"));
    } finally {
      RecordedMocks.whileRecording = thread -> { };
    }
  }

  static String jsonData(TestGateway gw, String session, String integration) {
    return result(gw.session(session)).getJsonObject("variables").getJsonObject("api_" + integration).getString("jsonData");
  }

  static HttpResponse<Buffer> proxy(TestGateway gw, String path, String session) {
    return result(gw.http.get(gw.gateway.port(), "127.0.0.1", path).putHeader("X-Botgate-Session", session).send());
  }

  /**
   * A start that took the directory (upstream.mode record) and then failed on another setting, here a port in use,
   * leaves the directory as it found it: the lock file it made was left behind, and the directory it made too.
   */
  @Test
  void shouldLeaveNoLockFileNorDirectoryBehindWhenTheStartThatMadeThemFails() throws IOException {
    Path fresh = mocks.resolve("made").resolve("mocks");
    Files.writeString(mocks.resolve("kept.json"), "[]\n");
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      JsonObject failing = new JsonObject().put("upstream.mode", "record").put("http.port", taken.getLocalPort());
      Vertx vertx = Vertx.vertx();
      started.add(vertx);
      Throwable inFresh = failure(TestGateway.start(vertx, failing.copy().put("upstream.mocksDir", fresh.toString())));
      Throwable inExisting = refusedStart(failing);
      assertThat(inFresh).hasMessageNotContaining("upstream.mocksDir");
      assertThat(inExisting).hasMessageNotContaining("upstream.mocksDir");
    }

    assertThat(mocks.resolve("made")).as("the directories the failed start made").doesNotExist();
    assertThat(files()).as("the directory that was there, as it was").containsExactly("kept.json");
    TestGateway next = gateway(new JsonObject().put("upstream.mode", "record"));
    declare(next, recorded("afterFailedStarts", "record"));
    assertThat(warnings(result(next.execute("s", "afterFailedStarts", null)))).isEmpty();
    assertThat(files()).containsExactly(".botgate.lock", "afterFailedStarts.json", "kept.json");
  }

  /** Starts a gateway recording into {@link #mocks} in a process of its own; answers its port. */
  int otherProcessRecording() throws Exception {
    Path log = Files.createTempFile("botgate-recording", ".log");
    log.toFile().deleteOnExit();
    otherLog = log;
    other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
      "-Dnode.id=process-gw", "-Dupstream.mode=record", "-Dupstream.mocksDir=" + mocks,
      "-Dintegrations.file=" + TestGateway.emptyFile("integrations.json"),
      "-Dcredentials.file=" + TestGateway.emptyFile("credentials.json"),
      "-Dimports.file=" + TestGateway.emptyFile("imports.json"),
      "io.botgate.Main", "--port", "0").redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Pattern listening = Pattern.compile("botgate listening on http://127\\.0\\.0\\.1:(\\d+)");
    int[] port = {0};
    await().atMost(120, TimeUnit.SECONDS).until(() -> {
      Matcher m = listening.matcher(Files.readString(log));
      assertThat(other.isAlive()).as("the other gateway runs: %s", Files.readString(log)).isTrue();
      if (m.find()) {
        port[0] = Integer.parseInt(m.group(1));
        return true;
      }
      return false;
    });
    return port[0];
  }

  /**
   * The lock file deleted while a gateway records (a clean-up by hand): a second gateway then locks a new one and
   * starts recording there too. The first one sees it at its next recording and keeps nothing rather than write over
   * the second one's files, saying which gateway holds the directory now.
   */
  @Test
  void shouldStopRecordingWhenAnotherGatewayLockedTheDirectoryAfterItsLockFileWasDeleted() throws Exception {
    int otherPort = otherProcessRecording();
    Files.delete(mocks.resolve(MocksDirLock.FILE));
    TestGateway second = gateway(new JsonObject().put("upstream.mode", "record"));

    JsonObject definition = new JsonObject().put("name", "demoFaq").put("method", "GET").put("url", "/demo/faq")
      .put("query", new JsonObject().put("q", "roaming"));
    HttpResponse<Buffer> put = result(second.http.put(otherPort, "127.0.0.1", "/api/integrations/demoFaq")
      .sendJsonObject(definition));
    assertThat(put.statusCode()).as(put.bodyAsString()).isEqualTo(201);
    JsonObject answer = result(second.http.post(otherPort, "127.0.0.1", "/api/sessions/s/integrations/demoFaq")
      .sendJsonObject(new JsonObject())).bodyAsJsonObject();

    assertThat(status(answer)).isEqualTo("200");
    assertThat(warnings(answer)).singleElement().asString().contains("not recorded",
      "another gateway in another process", "pid " + ProcessHandle.current().pid());
    assertThat(files()).doesNotContain("demoFaq.json");
  }

  /**
   * A mocks file edited by hand while its gateway records: the next recording keeps the edit (it records on what the
   * file holds now, not on the list the gateway read before), and an edit that left the file invalid is not written
   * over: that recording is not kept, and its warning names the file and what is wrong.
   */
  @Test
  void shouldKeepAHandEditOfAMocksFileMadeWhileRecording() throws IOException {
    TestGateway g = gateway(new JsonObject());
    declare(g, recorded("edited", "record"));
    assertThat(warnings(result(g.execute("s", "edited", null)))).isEmpty();
    Path file = mocks.resolve("edited.json");
    JsonArray byHand = new JsonArray(Files.readString(file)).add(new JsonObject()
      .put("match", new JsonObject().put("path", "/handmade")).put("status", 503));
    Files.writeString(file, byHand.encodePrettily());

    declare(g, recorded("edited", "record").put("query", new JsonObject().put("q", "billing")));
    assertThat(warnings(result(g.execute("s", "edited", null)))).isEmpty();
    JsonArray kept = new JsonArray(Files.readString(file));
    assertThat(kept).hasSize(3);
    assertThat(kept.getJsonObject(1).getJsonObject("match").getString("path")).isEqualTo("/handmade");

    Files.writeString(file, "[{\"match\": ");
    List<String> refused = warnings(result(g.execute("s", "edited", null)));
    assertThat(refused).singleElement().asString().contains("not recorded", file.toString(), "not valid JSON");
    assertThat(Files.readString(file)).isEqualTo("[{\"match\": ");
  }

  /** A directory where a mocks file would be stops the start naming it and why, as a file that is not JSON does. */
  @Test
  void shouldNameAMocksFileThatCannotBeRead() throws IOException {
    Files.createDirectory(mocks.resolve("folder.json"));
    Files.writeString(mocks.resolve("broken.json"), "[{\"match\": ");

    assertThat(refusedStart(new JsonObject())).hasMessageContainingAll("2 problems",
      mocks.resolve("folder.json") + " cannot be read (Is a directory)", mocks.resolve("broken.json") + " is not valid JSON");
  }

  /** The lock file deleted while a gateway records, and no other gateway about: it is taken again at once. */
  @Test
  void shouldTakeItsLockAgainWhenItsFileWasDeletedWhileRecording() throws IOException {
    TestGateway g = gateway(new JsonObject());
    declare(g, recorded("relocked", "record"));
    assertThat(warnings(result(g.execute("s", "relocked", null)))).isEmpty();
    Files.delete(mocks.resolve(MocksDirLock.FILE));

    assertThat(warnings(result(g.execute("s", "relocked", null)))).isEmpty();
    assertThat(files()).contains(MocksDirLock.FILE);
    assertThat(Files.readString(mocks.resolve(MocksDirLock.FILE))).contains("\"pid\":" + ProcessHandle.current().pid());
  }

  @Test
  void shouldRefuseAGatewayRecordingIntoADirectoryAnotherProcessRecordsIntoUntilThatOneIsKilled() throws Exception {
    otherProcessRecording();

    Throwable refused = refusedStart(new JsonObject().put("upstream.mode", "record"));
    assertThat(refused).hasMessageContainingAll("upstream.mocksDir " + mocks, "another gateway in another process",
      "node process-gw", "pid " + other.pid());

    // kill -9 takes its lock with it: no stale lock to remove by hand
    other.destroyForcibly();
    assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
    gateway(new JsonObject().put("upstream.mode", "record"));
  }
}
