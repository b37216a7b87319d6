package io.botgate.script;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Builtins that loop in Java, out of the instruction observer's sight, stop within the time limit plus
 * one second through the pool, with a limit error, and the pool keeps answering.
 */
class NativeLoopTest {

  static final long LIMIT_MS = 1_000;
  static final ScriptLimits LIMITS = new ScriptLimits(LIMIT_MS, 64L << 20, 200, 1 << 20, 1 << 18);
  static final List<String> ARRAY_METHODS = List.of("concat", "copyWithin", "every", "fill", "filter", "find",
    "findIndex", "findLast", "findLastIndex", "flat", "flatMap", "forEach", "includes", "indexOf", "join",
    "lastIndexOf", "map", "reduce", "reduceRight", "reverse", "shift", "slice", "some", "sort", "splice",
    "toLocaleString", "toString", "unshift", "toReversed", "toSorted", "toSpliced", "with");

  static ScriptEngine engine;
  static final ScriptFixture fixture = new ScriptFixture();

  @BeforeAll
  static void start() throws Exception {
    engine = new ScriptEngine(null, LIMITS, null, new ScriptOptions(2, 10, 4096, 1 << 20));
    // The engine's first run builds its shared scope (and loads Rhino's classes): on a loaded machine that
    // took 10-19 s, all of it counted as the first case's "time to stop". Done here, outside any measure.
    assertThat(engine.run("1 + 1", fixture.run("warm-up").bot).toCompletionStage().toCompletableFuture()
      .get(120, TimeUnit.SECONDS).ok()).isTrue();
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  /** Every method on an array-like and on a sparse array, each with a huge length. */
  static Stream<String> arrayMethods() {
    List<String> cases = new ArrayList<>();
    for (String m : ARRAY_METHODS) {
      cases.add("Array.prototype." + m + ".call({length: 1e15}, function () { return false; }, 0)");
      cases.add("var a = []; a.length = 4294967295; a." + m + "(function () { return false; }, 0)");
    }
    return cases.stream();
  }

  @ParameterizedTest
  @MethodSource("arrayMethods")
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void shouldStopEveryArrayMethodOnAHugeLengthWithinTheLimit(String code) throws Exception {
    assertStopsWithinTheLimit(code);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "Array.prototype.includes.call({length: 1e15}, 1)",
    "new Array(1e9).map(function (x) { return x; })",
    "var a = []; a.length = 1e9; a.sort()",
    "Array.from({length: 1e9})",
    "Math.max.apply(null, {length: 1e9})",
    "String.fromCharCode.apply(null, new Array(1e8))",
    "'x'.repeat(1e9)",
    "'ab'.padEnd(1e9)",
    "new Array(1e7).join('x')",
    "/(a+)+$/.test('a'.repeat(30) + 'b')",
    "/(x+x+)+y/.test('x'.repeat(5000))",
    "/^(\\w+\\s?)*$/.test('a'.repeat(40) + '!')",
    "JSON.stringify(new Array(1e8))",
    "JSON.parse('[' + new Array(200000).join('1,') + '1]').map(function () { while (true) {} })",
    "new Set(new Array(1e9).keys())",
    "Array.from(new Array(1e9).keys())",
    "var a = []; a.length = 1e9; Object.keys(a.entries())",
    "var b = new Array(200000).fill(0); JSON.stringify(new Array(200000).fill(b))",
    "var s = 'x'.repeat(1 << 20); s.split('').map(function () { return s; }).join('')"
  })
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void shouldStopBuiltinsThatLoopNativelyWithinTheLimit(String code) throws Exception {
    assertStopsWithinTheLimit(code);
  }

  /**
   * A botContext function runs as shared code, where no stop is sent; an argument's conversion runs the script's
   * own toString, which here loops in a builtin (a quadratic search, minutes long, in a Java loop a stop reaches). It used to run inside the
   * shared code: the worker was abandoned and went on burning a core long after the run was answered.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void shouldStopALoopInAScriptsOwnToStringThatABotContextCallRuns() throws Exception {
    long stopped = engine.stoppedThreads();
    long replaced = engine.replacedThreads();
    ScriptOutcome outcome = engine.run("var a = 'a'.repeat(500000); var s = a + a;"
      + " botContext.sendMessage({toString: function () { return 'late ' + s.lastIndexOf('b' + a); }});",
      fixture.run("in-conversion").bot).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

    assertThat(outcome.error().type()).isEqualTo("limit");
    assertThat(outcome.error().message()).contains("the script was stopped");
    assertThat(engine.stoppedThreads()).isEqualTo(stopped + 1);
    assertThat(engine.replacedThreads()).as("no worker abandoned").isEqualTo(replaced);
  }

  /**
   * {@code sendMessages} loops over its array inside the shared code of one botContext call, where no stop is
   * sent: a quarter of a million messages, each a long text to cut, kept the worker for many seconds after its run
   * was answered (abandoned, then replaced, so each such request added a thread burning a core).
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void shouldStopABotContextCallThatLoopsOverAHugeArrayBetweenItsItems() throws Exception {
    long replaced = engine.replacedThreads();
    ScriptOutcome outcome = engine.run("var big = 'x'.repeat(1 << 20);"
      + " botContext.sendMessages(new Array(1 << 18).fill(big));", fixture.run("many-messages").bot)
      .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);

    assertThat(outcome.error()).as("outcome").isNotNull();
    assertThat(outcome.error().type()).isEqualTo("limit");
    assertThat(outcome.error().message()).doesNotContain("could not be stopped");
    assertThat(engine.replacedThreads()).as("no worker abandoned").isEqualTo(replaced);
    ScriptOutcome next = engine.run("botContext.printDebugMessage('still fine');", fixture.run("after-messages").bot)
      .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(next.ok()).isTrue();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void shouldKeepAnsweringAfterManyNativeLoopsInARow() throws Exception {
    List<io.vertx.core.Future<ScriptOutcome>> runs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      runs.add(engine.run("new Set(new Array(1e9).keys())", fixture.run("row-" + i).bot));
    }
    for (io.vertx.core.Future<ScriptOutcome> run : runs) {
      assertThat(run.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).error().type())
        .isEqualTo("limit");
    }
    ScriptOutcome fine = engine.run("1 + 1", fixture.run("after-row").bot).toCompletionStage().toCompletableFuture()
      .get(10, TimeUnit.SECONDS);
    assertThat(fine.ok()).isTrue();
  }

  private static void assertStopsWithinTheLimit(String code) throws Exception {
    long start = System.nanoTime();
    ScriptOutcome outcome = engine.run(code, fixture.run("native").bot).toCompletionStage().toCompletableFuture()
      .get(20, TimeUnit.SECONDS);
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    System.out.printf("stopped in %5d ms: %-90s %s%n", tookMillis, code,
      outcome.error() == null ? "NOT STOPPED" : outcome.error().message());
    assertThat(outcome.error()).as("outcome of %s", code).isNotNull();
    assertThat(outcome.error().type()).as("error of %s: %s", code, outcome.error().message()).isEqualTo("limit");
    assertThat(tookMillis).as("time to stop %s", code).isLessThan(2 * LIMIT_MS + 1_000);

    ScriptOutcome next = engine.run("botContext.printDebugMessage('still fine ' + (1 + 1));",
      fixture.run("after-native").bot).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(next.ok()).isTrue();
  }
}
