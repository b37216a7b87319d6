package io.botgate.session;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A session's variables in its small array, its byte accounting, and its state as a cluster keeps it. */
class SessionStateTest {

  private static final SessionOptions TWO_RESULTS = new SessionOptions(100, 10_000, 2, 60_000);

  private static Session session(HeldTotal total) {
    return new Session("s", TWO_RESULTS, total, 1_234);
  }

  private static IntegrationResult result(String integration, String status) {
    return new IntegrationResult("s", integration, status.startsWith("2"), status, 5, 7, 1, "n");
  }

  /** Session "s" read back from {@code state}, counted against a total of its own. */
  private static Session read(byte[] state) {
    return Session.fromState("s", TWO_RESULTS, new HeldTotal(Long.MAX_VALUE), state);
  }

  /** The state of a session with one result and nothing else. */
  private static byte[] oneResultState() {
    Session session = session(new HeldTotal(Long.MAX_VALUE));
    session.record(result("first", "200"));
    return session.toState();
  }

  /** A session holding just these variables, set afresh: what the byte count must agree with. */
  private static long bytesOf(Map<String, Object> variables) {
    Session fresh = session(new HeldTotal(Long.MAX_VALUE));
    variables.forEach(fresh::setVariable);
    return fresh.heldBytes();
  }

  /**
   * A read takes each variable's value as of the read, without copying it: a deep copy of a 5 MB answer's mapped
   * fields held the session's lock and the event loop of every read.
   */
  @Test
  void shouldShowTheStoredValuesThemselvesAsTheyWereAtTheRead() {
    Session session = session(new HeldTotal(Long.MAX_VALUE));
    JsonArray titles = new JsonArray();
    for (int i = 0; i < 100; i++) {
      titles.add("t" + i);
    }
    session.setVariable("titles", titles);
    session.record(result("first", "200"));

    JsonObject shown = session.toJson();
    session.setVariable("titles", new JsonArray().add("later"));
    session.record(result("second", "503"));

    assertThat(shown.getJsonObject("variables").getValue("titles")).as("the stored value, not a copy").isSameAs(titles);
    assertThat(shown.getJsonObject("variables").getJsonArray("titles")).hasSize(100);
    assertThat(shown.getJsonObject("lastResult").getString("integration")).isEqualTo("first");
    assertThat(shown.getJsonArray("recentResults")).hasSize(1);
  }

  @Test
  void shouldKeepTheOrderTheValuesAndTheByteCountWhenAVariableInTheMiddleGoes() {
    HeldTotal total = new HeldTotal(Long.MAX_VALUE);
    Session session = session(total);
    for (String name : List.of("a", "b", "c", "d")) {
      session.setVariable(name, name + name);
    }
    session.setVariable("b", null);
    assertThat(session.toJson().getJsonObject("variables"))
      .isEqualTo(new JsonObject().put("a", "aa").put("c", "cc").put("d", "dd"));
    assertThat(session.variable("b")).isNull();
    assertThat(session.variable("d")).isEqualTo("dd");
    assertThat(session.heldBytes()).isEqualTo(bytesOf(Map.of("a", "aa", "c", "cc", "d", "dd")));
    assertThat(total.held()).isEqualTo(session.heldBytes());
    session.setVariable("e", "ee");
    session.setVariable("d", null);
    assertThat(session.toJson().getJsonObject("variables").fieldNames()).containsExactly("a", "c", "e");
    assertThat(total.held()).isEqualTo(session.heldBytes());
    session.setVariable("a", null); // the first one too
    assertThat(session.toJson().getJsonObject("variables").fieldNames()).containsExactly("c", "e");
    assertThat(session.variable("a")).isNull();
  }

  /**
   * The session keeps each variable's charge beside it rather than counting the old value again: after any
   * mix of writes, removals and prefix replacements, past the small array too and in a copy, its count must
   * still be what counting its variables afresh gives.
   */
  @Test
  void shouldCountExactlyWhatItHoldsAfterAnyMixOfWritesRemovalsAndReplacements() {
    Random random = new Random(42);
    for (int run = 0; run < 20; run++) {
      HeldTotal total = new HeldTotal(Long.MAX_VALUE);
      Session session = new Session("s", new SessionOptions(100, 1_000_000, 2, 60_000), total, 1);
      for (int step = 0; step < 300; step++) {
        String name = (random.nextBoolean() ? "f." : "v") + random.nextInt(run < 10 ? 12 : 45);
        Object value = switch (random.nextInt(5)) {
          case 0 -> null;
          case 1 -> "x".repeat(random.nextInt(40));
          case 2 -> random.nextInt();
          case 3 -> new JsonObject().put("jsonData", "y".repeat(random.nextInt(80)));
          default -> List.of("a", "bb", "c".repeat(random.nextInt(9)));
        };
        switch (random.nextInt(6)) {
          case 0 -> session.replaceVariablesStartingWith("f.",
            value == null ? Map.of() : Map.of("f." + random.nextInt(5), value, "f.count", 3));
          case 1 -> session.removeVariablesStartingWith(random.nextBoolean() ? "f." : "v1");
          default -> session.setVariable(name, value);
        }
        long counted = countedAfresh(session);
        assertThat(session.heldBytes()).as("run %d step %d", run, step).isEqualTo(counted);
        assertThat(total.held()).isEqualTo(counted);
      }
      Session copy = session.copy();
      copy.setVariable("v0", "after the copy");
      copy.removeVariablesStartingWith("f.");
      assertThat(copy.heldBytes()).isEqualTo(countedAfresh(copy));
      assertThat(session.heldBytes()).isEqualTo(countedAfresh(session));
    }
  }

  @Test
  void shouldRefuseABoundPastWhatAVariablesChargeIsKeptIn() {
    assertThatThrownBy(() -> new SessionOptions(1, Integer.MAX_VALUE + 1L, 1, 1))
      .isInstanceOf(IllegalArgumentException.class)
      .hasMessage("session.maxBytes must be at most 2147483647, not 2147483648");
    assertThat(new SessionOptions(1, Integer.MAX_VALUE, 1, 1).maxBytes()).isEqualTo(Integer.MAX_VALUE);
  }

  /** What a session holding the same variables, each set once, counts. */
  private static long countedAfresh(Session session) {
    Session fresh = new Session("s", new SessionOptions(100, 1_000_000, 2, 60_000), new HeldTotal(Long.MAX_VALUE), 1);
    session.toJson().getJsonObject("variables").getMap().forEach(fresh::setVariable);
    return fresh.heldBytes();
  }

  @Test
  void shouldReplaceOnlyThePrefixedVariablesAndCountTheirBytes() {
    HeldTotal total = new HeldTotal(Long.MAX_VALUE);
    Session session = session(total);
    session.setVariable("f.x", "one");
    session.setVariable("keep", "k");
    session.setVariable("f.y", "two");
    session.setVariable("other", "o");
    session.replaceVariablesStartingWith("f.", Map.of("f.z", "three"));
    assertThat(session.toJson().getJsonObject("variables"))
      .isEqualTo(new JsonObject().put("keep", "k").put("other", "o").put("f.z", "three"));
    assertThat(session.toJson().getJsonObject("variables").fieldNames()).containsExactly("keep", "other", "f.z");
    assertThat(session.heldBytes()).isEqualTo(bytesOf(Map.of("keep", "k", "other", "o", "f.z", "three")));
    assertThat(total.held()).isEqualTo(session.heldBytes());

    session.removeVariablesStartingWith("f.");
    assertThat(session.toJson().getJsonObject("variables").fieldNames()).containsExactly("keep", "other");
    assertThat(session.variable("f.z")).isNull();
    assertThat(session.heldBytes()).isEqualTo(bytesOf(Map.of("keep", "k", "other", "o")));
    assertThat(total.held()).isEqualTo(session.heldBytes());
  }

  @Test
  void shouldGiveTheSameFieldsTheirNewValuesWhereTheyAreAndMoveThemWhenTheNamesDiffer() {
    HeldTotal total = new HeldTotal(Long.MAX_VALUE);
    Session session = session(total);
    session.setVariable("f.x", "one");
    session.setVariable("keep", "k");
    session.setVariable("f.y", "two");
    session.replaceVariablesStartingWith("f.", Map.of("f.y", "a much longer second value", "f.x", "1"));
    assertThat(session.toJson().getJsonObject("variables").fieldNames()).containsExactly("f.x", "keep", "f.y");
    assertThat(session.variable("f.x")).isEqualTo("1");
    assertThat(session.variable("f.y")).isEqualTo("a much longer second value");
    assertThat(session.heldBytes()).isEqualTo(bytesOf(Map.of("f.x", "1", "keep", "k", "f.y", "a much longer second value")));
    assertThat(total.held()).isEqualTo(session.heldBytes());

    // One name fewer, or one other: the old ones go and the new ones come after the rest.
    session.replaceVariablesStartingWith("f.", Map.of("f.y", "y"));
    assertThat(session.toJson().getJsonObject("variables").fieldNames()).containsExactly("keep", "f.y");
    session.setVariable("f.x", "x");
    Map<String, Object> other = new LinkedHashMap<>(); // the order the fields are mapped in
    other.put("f.y", "y");
    other.put("f.z", "z");
    session.replaceVariablesStartingWith("f.", other);
    assertThat(session.toJson().getJsonObject("variables").fieldNames()).containsExactly("keep", "f.y", "f.z");
    assertThat(session.variable("f.x")).isNull();
    assertThat(session.heldBytes()).isEqualTo(bytesOf(Map.of("keep", "k", "f.y", "y", "f.z", "z")));
    assertThat(total.held()).isEqualTo(session.heldBytes());
  }

  @Test
  void shouldTakeAWriteThatFillsTheSessionExactlyAndRefuseOneByteMore() {
    long room = 200;
    Session session = new Session("s", new SessionOptions(100, room, 2, 60_000), new HeldTotal(Long.MAX_VALUE), 0);
    String name = "v";
    long overhead = io.botgate.session.HeldBytes.variable(name, "");
    String fits = "x".repeat((int) (room - overhead));
    assertThat(io.botgate.session.HeldBytes.variable(name, fits)).isEqualTo(room);
    session.setVariable(name, fits);
    assertThat(session.heldBytes()).isEqualTo(room);
    assertThatThrownBy(() -> session.setVariable(name, fits + "x")).isInstanceOf(SessionLimitExceeded.class);
    assertThat(session.variable(name)).isEqualTo(fits);
    session.setVariable(name, "short"); // a write that shrinks the session is always taken
    assertThat(session.heldBytes()).isEqualTo(io.botgate.session.HeldBytes.variable(name, "short"));
  }

  @Test
  void shouldRefuseAWritePastTheTotalOfAllSessionsAndKeepThePreviousState() {
    HeldTotal total = new HeldTotal(200);
    Session session = session(total);
    session.setVariable("a", "x");
    long before = total.held();
    assertThatThrownBy(() -> session.setVariable("b", "y".repeat(100))).isInstanceOf(SessionLimitExceeded.class)
      .hasMessageContaining("session.total.mb");
    assertThat(total.held()).isEqualTo(before);
    assertThat(session.variable("b")).isNull();
  }

  @Test
  void shouldCountResultsUpToTheHistorySizeNewestFirst() {
    Session session = session(new HeldTotal(Long.MAX_VALUE));
    session.record(result("a", "200"));
    assertThat(session.toJson().getJsonArray("recentResults")).hasSize(1);
    assertThat(session.heldBytes()).isEqualTo(HeldBytes.RESULT * 2L);
    session.record(result("b", "201"));
    session.record(result("a", "202"));
    assertThat(session.toJson().getJsonArray("recentResults").stream()
      .map(r -> ((JsonObject) r).getString("statusCode"))).containsExactly("202", "201");
    assertThat(session.heldBytes()).isEqualTo(HeldBytes.RESULT * (2L + 2));
  }

  @Test
  void shouldAnswerTheLastResultAndEachIntegrationsLatestAsRecordedAndClearOnlyTheLast() {
    Session session = session(new HeldTotal(Long.MAX_VALUE));
    assertThat(session.lastResult()).isNull();
    session.record(result("first", "200"));
    session.record(result("second", "404"));
    assertThat(session.lastResult()).isEqualTo(result("second", "404"));
    session.record(result("first", "201"));
    assertThat(session.lastResult()).isEqualTo(result("first", "201"));
    assertThat(session.lastResultOf("first")).isEqualTo(result("first", "201"));
    assertThat(session.lastResultOf("second")).isEqualTo(result("second", "404"));
    assertThat(session.lastResultOf("third")).isNull();
    session.clearLastResult();
    assertThat(session.lastResult()).isNull();
    assertThat(session.toJson().getValue("lastResult")).isNull();
    assertThat(session.lastResultOf("first")).isEqualTo(result("first", "201"));
    session.record(result("second", "200"));
    assertThat(session.lastResult()).isEqualTo(result("second", "200"));
    assertThat(session.heldBytes()).isEqualTo(HeldBytes.RESULT * (2L + 2));
  }

  @Test
  void shouldComeBackFromItsClusteredStateAsItWas() {
    HeldTotal total = new HeldTotal(Long.MAX_VALUE);
    Session session = session(total);
    session.setVariable("name", "Ada");
    session.setVariable("count", 3);
    session.record(result("first", "200"));
    session.record(result("second", "404"));
    session.record(result("first", "201"));
    session.lastSeq(42);
    byte[] state = session.toState();
    assertThat(Session.activityOf(state)).isEqualTo(1_234);

    HeldTotal other = new HeldTotal(Long.MAX_VALUE);
    Session back = Session.fromState("s", TWO_RESULTS, other, state);
    assertThat(back.toJson()).isEqualTo(session.toJson());
    assertThat(back.lastSeq()).isEqualTo(42);
    assertThat(back.lastActivity()).isEqualTo(1_234);
    assertThat(back.lastResultOf("second").statusCode()).isEqualTo("404");
    assertThat(back.lastResult().statusCode()).isEqualTo("201");
    assertThat(back.heldBytes()).isEqualTo(session.heldBytes());
    assertThat(other.held()).isEqualTo(bytesOf(Map.of("name", "Ada", "count", 3)));

    Session empty = Session.fromState("e", TWO_RESULTS, new HeldTotal(Long.MAX_VALUE),
      new Session("e", TWO_RESULTS, new HeldTotal(Long.MAX_VALUE), 9).toState());
    assertThat(empty.lastResult()).isNull();
    assertThat(empty.lastSeq()).isZero();
    assertThat(empty.toJson().getJsonArray("recentResults")).isEmpty();
    Session shorter = Session.fromState("s", new SessionOptions(100, 10_000, 1, 60_000), new HeldTotal(Long.MAX_VALUE), state);
    assertThat(shorter.toJson().getJsonArray("recentResults")).hasSize(1);
  }

  @Test
  void shouldKeepEachResultExactlyAndTheLastOneClearedInItsClusteredState() {
    Session session = session(new HeldTotal(Long.MAX_VALUE));
    IntegrationResult first = new IntegrationResult("s", "first", true, "200",
      Instant.parse("2026-11-28T09:15:02.040Z").toEpochMilli(), 12, 2, "node-ü");
    IntegrationResult other = new IntegrationResult("s", "second", false, null, 10_000, 3, 1, null);
    session.record(first);
    session.record(other);
    session.clearLastResult();
    Session back = read(session.toState());
    assertThat(back.lastResult()).isNull();
    assertThat(back.lastResultOf("first")).isEqualTo(first);
    assertThat(back.lastResultOf("second")).isEqualTo(other);
    assertThat(back.toJson()).isEqualTo(session.toJson());
    assertThat(back.lastResultOf("first").toJson().getString("at")).isEqualTo("2026-11-28T09:15:02.040Z");
    assertThat(back.lastResultOf("second").toJson().getString("at")).isEqualTo("1970-01-01T00:00:10.000Z");
  }

  /**
   * A state written by the build before this one (binary format 2, a result's time as seconds and nanoseconds),
   * as that build's {@code toState()} wrote it: a session with a variable and two results, the first at
   * 2026-11-28T09:15:02.040123456Z. A node of this build joining a cluster of that build must read it.
   */
  private static final String FORMAT_2_STATE = "AAAAAAAABNIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAIA"
    + "AAAAAAAAAAAAAAL////+AAAAAXP////+AAAABnNlY29uZAD////+AAAAAzUwNAAAAABrCpuXHc1lAAAAAAAAAAADAAAAAf////4AAAABbgAA"
    + "AAD////+AAAABWZpcnN0Af////4AAAADMjAwAAAAAGsKm5YCZDxAAAAAAAAAAAwAAAAC/////gAAAAdub2RlLcO8AAAAAgAAAAAAAAABAAAA"
    + "AgAAAAEAAAAAAAAAAHsidmFyaWFibGVzIjp7Im5hbWUiOiJBZGEifX0=";

  @Test
  void shouldReadAStateTheBuildBeforeWroteInItsBinaryFormat() {
    byte[] state = java.util.Base64.getDecoder().decode(FORMAT_2_STATE);
    assertThat(state[Session.STATE_HEADER]).isEqualTo(Session.BINARY_SECONDS_NANOS);
    Session back = read(state);
    assertThat(back.toJson()).isEqualTo(new JsonObject("{\"session\":\"s\",\"variables\":{\"name\":\"Ada\"},"
      + "\"lastResult\":{\"session\":\"s\",\"integration\":\"second\",\"success\":false,\"statusCode\":\"504\","
      + "\"at\":\"2026-11-28T09:15:03.500Z\",\"durationMs\":3,\"attempts\":1,\"node\":\"n\"},\"recentResults\":["
      + "{\"session\":\"s\",\"integration\":\"second\",\"success\":false,\"statusCode\":\"504\","
      + "\"at\":\"2026-11-28T09:15:03.500Z\",\"durationMs\":3,\"attempts\":1,\"node\":\"n\"},"
      + "{\"session\":\"s\",\"integration\":\"first\",\"success\":true,\"statusCode\":\"200\","
      + "\"at\":\"2026-11-28T09:15:02.040Z\",\"durationMs\":12,\"attempts\":2,\"node\":\"node-\u00fc\"}],"
      + "\"heldBytes\":351}")); // that build's toJson() of the session it wrote (281 bytes held as it counted)
    assertThat(back.lastResultOf("first").atMillis())
      .isEqualTo(Instant.parse("2026-11-28T09:15:02.040Z").toEpochMilli());
    byte[] again = back.toState();
    assertThat(again[Session.STATE_HEADER]).isEqualTo(Session.BINARY);
    assertThat(read(again).toJson()).isEqualTo(back.toJson());
  }

  /**
   * A state written by the build before this one (binary format 3, no incarnation), as that build's
   * {@code toState()} wrote it: a session with a variable and one result, its last event numbered 42.
   */
  private static final String FORMAT_3_STATE = "AAAAAAAABNIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAMAAAAA"
    + "AAAAKgAAAAH////+AAAAAXP////+AAAABWZpcnN0Af////4AAAADMjAwAAABmsm+lhgAAAAAAAAADAAAAAL////+AAAAAW4AAAABAAAAAAAA"
    + "AAEAAAAAAAAAAHsidmFyaWFibGVzIjp7Im5hbWUiOiJBZGEifX0=";

  @Test
  void shouldReadAStateTheBuildBeforeWroteAsOfNoKnownLifeAndWriteItWithItsLife() {
    byte[] state = java.util.Base64.getDecoder().decode(FORMAT_3_STATE);
    assertThat(state[Session.STATE_HEADER]).isEqualTo(Session.BINARY_MILLIS);
    assertThat(Session.incarnationOf(state)).as("unknown").isZero();
    Session back = read(state);
    assertThat(back.variable("name")).isEqualTo("Ada");
    assertThat(back.lastSeq()).isEqualTo(42);
    assertThat(back.lastResult().integration()).isEqualTo("first");
    assertThat(back.lastResult().atMillis()).isEqualTo(Instant.parse("2025-11-28T09:15:02.040Z").toEpochMilli());
    back.incarnation(-77);
    byte[] again = back.toState();
    assertThat(again[Session.STATE_HEADER]).isEqualTo(Session.BINARY);
    assertThat(Session.incarnationOf(again)).isEqualTo(-77);
    assertThat(read(again).toJson()).isEqualTo(back.toJson());
    assertThat(read(again).incarnation()).isEqualTo(-77);
    assertThat(back.copy().incarnation()).isEqualTo(-77);
  }

  @Test
  void shouldRefuseAStateOfAFormatItDoesNotKnowInsteadOfMisreadingIt() {
    byte[] state = oneResultState();
    assertThat(state[Session.STATE_HEADER]).isEqualTo(Session.BINARY);
    state[Session.STATE_HEADER] = Session.BINARY + 1; // as a later build might write
    assertThatThrownBy(() -> read(state))
      .isInstanceOf(IllegalStateException.class).hasMessageContaining("state format 5");
  }

  @Test
  void shouldRefuseAStateWhoseCountsAreCorruptWithAnErrorNotAnArrayOfBillions() {
    byte[] state = oneResultState();
    java.nio.ByteBuffer.wrap(state, Session.STATE_HEADER + 1 + 2 * Long.BYTES, Integer.BYTES).putInt(Integer.MAX_VALUE);
    assertThatThrownBy(() -> read(state))
      .isInstanceOf(IllegalStateException.class).hasMessageContaining("corrupt session state: a count of 2147483647");
    java.nio.ByteBuffer.wrap(state, Session.STATE_HEADER + 1 + 2 * Long.BYTES, Integer.BYTES).putInt(-1);
    assertThatThrownBy(() -> read(state))
      .isInstanceOf(IllegalStateException.class).hasMessageContaining("a count of -1");
  }

  @Test
  void shouldRefuseAStateWhoseStringLengthIsCorruptAsCorrupt() {
    byte[] state = oneResultState();
    // the first result's session id: after the format byte, the incarnation (8), the seq (8), the result count (4)
    // and its tag (4)
    java.nio.ByteBuffer.wrap(state, Session.STATE_HEADER + 1 + 2 * Long.BYTES + 2 * Integer.BYTES, Integer.BYTES)
      .putInt(-5);
    assertThatThrownBy(() -> read(state))
      .isInstanceOf(IllegalStateException.class).hasMessageContaining("corrupt session state: a count of -5");
  }

  @Test
  void shouldWriteAResultsTimeAsIsoMillisecondsAndReadItBackFromItsJson() {
    IntegrationResult result = new IntegrationResult("s", "first", true, "200",
      Instant.parse("2026-11-28T09:15:02.007Z").toEpochMilli(), 12, 2, "n");
    JsonObject json = result.toJson();
    assertThat(json.getString("at")).isEqualTo("2026-11-28T09:15:02.007Z");
    assertThat(IntegrationResult.fromJson(json)).isEqualTo(result);
    assertThat(IntegrationResult.fromJson(new JsonObject(json.encode()))).isEqualTo(result);
  }

  @Test
  void shouldReadAStateWhoseBodyIsJsonAsNodesOfAnEarlierVersionWroteIt() {
    byte[] header = Session.newState(1_234, new UUID(1, 2), 0);
    String body = "{\"variables\":{\"name\":\"Ada\"},\"seq\":42,\"recent\":[" + result("first", "201").toJson().encode()
      + "],\"latest\":[" + result("first", "201").toJson().encode() + "],\"last\":" + result("first", "201").toJson().encode()
      + "}";
    byte[] state = java.util.Arrays.copyOf(header, Session.STATE_HEADER + body.length());
    System.arraycopy(body.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0, state, Session.STATE_HEADER, body.length());
    Session back = read(state);
    assertThat(back.variable("name")).isEqualTo("Ada");
    assertThat(back.lastSeq()).isEqualTo(42);
    assertThat(back.lastResult()).isEqualTo(result("first", "201"));
    assertThat(back.lastResultOf("first")).isEqualTo(result("first", "201"));
    assertThat(back.toJson().getJsonArray("recentResults")).hasSize(1);
  }

  @Test
  void shouldMarkWhoseTurnHoldsItAndWhichSaveItIsInTheStateHeader() {
    UUID a = new UUID(1, 2);
    UUID b = new UUID(3, 4);
    byte[] first = Session.newState(77, a, 7);
    assertThat(Session.turnOpen(first)).isTrue();
    assertThat(Session.turnOwner(first)).isEqualTo(a);
    assertThat(Session.activityOf(first)).isEqualTo(77);
    assertThat(read(first).lastResult()).isNull();
    assertThat(Session.incarnationOf(first)).as("the life it was made in").isEqualTo(7);
    assertThat(read(first).incarnation()).isEqualTo(7);
    assertThat(Session.turnOpen(Session.newState(77, null, 7))).as("made for a call, outside its turns").isFalse();

    Session session = session(new HeldTotal(Long.MAX_VALUE));
    session.setVariable("name", "Ada");
    byte[] saved = session.toState(a, 5);
    assertThat(Session.turnOpen(saved)).isFalse();
    assertThat(Session.savedBy(saved, a, 5)).isTrue();
    assertThat(Session.savedBy(saved, a, 4)).isFalse();
    assertThat(Session.savedBy(saved, new UUID(1, 9), 5)).isFalse();
    assertThat(Session.savedBy(saved, new UUID(9, 2), 5)).isFalse();
    assertThat(Session.savedBy(session.toState(), a, 5)).isFalse();

    byte[] held = Session.withTurn(saved, b);
    assertThat(Session.turnOpen(held)).isTrue();
    assertThat(Session.turnOwner(held)).isEqualTo(b);
    assertThat(Session.savedBy(held, a, 5)).as("taking the turn keeps the save's mark").isTrue();
    assertThat(Session.turnOpen(saved)).as("the state it was made from is not changed").isFalse();
    byte[] free = Session.withTurn(held, null);
    assertThat(Session.turnOpen(free)).isFalse();
    assertThat(Session.turnOwner(free)).isEqualTo(new UUID(0, 0));
    assertThat(read(free).toJson()).isEqualTo(session.toJson());
  }

  @Test
  void shouldCopyWithoutSharingWhatChangesAndChargeTheCopyOnlyWhenAsked() {
    HeldTotal total = new HeldTotal(Long.MAX_VALUE);
    Session session = session(total);
    session.setVariable("name", "Ada");
    session.record(result("first", "200"));
    long held = total.held();
    Session copy = session.copy();
    assertThat(total.held()).isEqualTo(held);
    copy.setVariable("name", "Grace");
    copy.record(result("first", "500"));
    assertThat(session.toJson().getJsonObject("variables").getString("name")).isEqualTo("Ada");
    assertThat(session.lastResult().statusCode()).isEqualTo("200");
    Session other = session.copy();
    long before = total.held();
    other.charge();
    assertThat(total.held()).as("its variables, as a session read from its state is charged")
      .isEqualTo(before + bytesOf(Map.of("name", "Ada")));
    session.context(new JsonObject().put("ns", new JsonObject().put("city", "Paris")));
    long contextBytes = session.heldBytes() - other.heldBytes();
    assertThat(contextBytes).isPositive();
    before = total.held();
    session.copy().charge();
    assertThat(total.held()).as("and its context").isEqualTo(before + bytesOf(Map.of("name", "Ada")) + contextBytes);
  }

  @Test
  void shouldCountItsContextInItsBytesCarryItInItsStateAndGiveItBack() {
    HeldTotal total = new HeldTotal(Long.MAX_VALUE);
    Session session = session(total);
    session.setVariable("name", "Ada");
    long variables = session.heldBytes();
    JsonObject context = new JsonObject().put("ns", new JsonObject().put("city", "Paris"));
    session.context(context);
    long withContext = session.heldBytes();
    assertThat(withContext).isGreaterThan(variables);
    assertThat(total.held()).isEqualTo(withContext);

    HeldTotal other = new HeldTotal(Long.MAX_VALUE);
    Session back = Session.fromState("s", TWO_RESULTS, other, session.toState());
    assertThat(back.context()).isEqualTo(context);
    assertThat(back.heldBytes()).isEqualTo(withContext);
    assertThat(other.held()).isEqualTo(withContext);
    assertThat(read(session(new HeldTotal(Long.MAX_VALUE)).toState()).context()).isNull();

    session.context(null);
    assertThat(session.heldBytes()).isEqualTo(variables);
    assertThat(total.held()).isEqualTo(variables);
    back.discard();
    assertThat(other.held()).as("a discarded session gives back its variables and its context").isZero();
  }

  @Test
  void shouldRefuseFieldsPastTheLimitWithoutWalkingTheirSharedPartsAgainAndAgain() {
    // A deep scan's matches over a nested answer hold each other, each nested match walked again for every one
    // that holds it; here each level holds the one below twice, so counting it whole is a million maps walked.
    AtomicLong walked = new AtomicLong();
    Object nested = "leaf";
    for (int level = 0; level < 20; level++) {
      Map<String, Object> map = new LinkedHashMap<>() {
        @Override
        public Set<Map.Entry<String, Object>> entrySet() {
          walked.incrementAndGet();
          return super.entrySet();
        }
      };
      map.put("a", nested);
      map.put("b", nested);
      nested = map;
    }
    Session session = session(new HeldTotal(Long.MAX_VALUE));
    Map<String, Object> fields = Map.of("f.all", nested);

    assertThatThrownBy(() -> session.replaceVariablesStartingWith("f.", fields))
      .isInstanceOf(SessionLimitExceeded.class).hasMessageContaining("session.maxBytes");
    assertThat(session.variable("f.all")).isNull();
    // the 10,000-byte limit is passed after some 50 maps (each at least 88 bytes), not after 2 million
    assertThat(walked.get()).isLessThan(1_000);
  }
}
