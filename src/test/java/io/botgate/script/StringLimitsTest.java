package io.botgate.script;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Strings built piece by piece stop at the string limit (1 Mi characters here) before they exist: Rhino keeps
 * a string built by {@code +} as a rope that the first builtin reading it copies in one step nothing can stop.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StringLimitsTest extends LimitedEngineTest {

  @ParameterizedTest
  @ValueSource(strings = {
    "var s = 'x'; for (var i = 0; i < 30; i++) s += s; s.indexOf('y');",
    "var s = 'x'; for (var i = 0; i < 28; i++) s += s; botContext.sendMessage(s);",
    "var s = 'x'; for (var i = 0; i < 40; i++) s = s + s; botContext.printDebugMessage('' + s.length);",
    "var s = 'x'.repeat(1 << 19); var t = `${s}${s}${s}`; t.indexOf('y');",
    "var s = 'x'.repeat(1 << 19); s.concat(s, s);",
    "var o = {s: 'xxxx'}; while (true) { o.s = o.s + o.s; }"
  })
  void shouldRefuseAConcatenationPastTheStringLimitWithALimitError(String code) {
    assertLimitError(code, "concat", "more than the limit of 1048576 characters");
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "String.raw({raw: {length: 1e7}});",
    "String.raw({raw: {length: 3e8}});",
    "String.raw({raw: {length: 500000}});",
    "var s = 'x'.repeat(1 << 19); String.raw({raw: [s, s]}, s);",
    "var s = 'x'.repeat(1 << 18); String.raw({raw: ['', '', '', '', '', '']}, s, s, s, s, s);",
    // what a check in front of Rhino's would read differently from Rhino itself (found by a review)
    "var n = 0; String.raw({get raw() { return n++ ? [] : {length: 3e8}; }});",
    "var k = 0; String.raw({raw: {get length() { return k++ ? 0 : 3e8; }}});",
    "var o = {toString: function () { return 'x'.repeat(1 << 19); }}; String.raw({raw: [o, o, o, o]});",
    "var o = {toString: function () { return 'x'.repeat(1 << 19); }}; String.raw({raw: ['', '', '', '']}, o, o, o);"
  })
  void shouldRefuseStringRawPastTheLimitsBeforeItLoops(String code) {
    // String.raw loops natively over strings.raw.length: {length: 3e8} ran on for 16 s past the run's end
    assertLimitError(code, "raw", "String.raw");
  }

  @Test
  void shouldLetStringRawWithinTheLimitsRun() {
    ScriptFixture.Run run = fixture.run("raw-ok");
    ScriptOutcome outcome = engine.runHere("botContext.sendMessage(String.raw({raw: ['a', 'b', 'c']}, 1, 2));", run.bot);
    assertThat(outcome.ok()).isTrue();
    assertThat(run.transcript.messages().getJsonObject(0).getString("text")).isEqualTo("a1b2c");
  }

  @Test
  void shouldRefuseADoublingWrittenOutWithoutALoop() {
    String code = "var s = 'x';\n" + "s += s;\n".repeat(30) + "s.indexOf('y');";
    ScriptOutcome outcome = engine.runHere(code, fixture.run("unrolled").bot);
    assertThat(outcome.error().type()).isEqualTo("limit");
  }

  @Test
  void shouldLetAScriptCatchTheRefusalAndKeepItsStringWhole() {
    ScriptFixture.Run run = fixture.run("caught");
    ScriptOutcome outcome = engine.runHere("""
      var s = 'x', refused = '';
      for (var i = 0; i < 40; i++) { try { s += s; } catch (e) { refused = e.name; } }
      botContext.sendMessage(refused + ' ' + s.length + ' ' + s.lastIndexOf('x'));""", run.bot);
    assertThat(outcome.ok()).as("%s", outcome.error()).isTrue();
    assertThat(run.transcript.eventsAsJson().getJsonObject(0).getString("text")).isEqualTo("RangeError 1048576 1048575");
  }

  @Test
  void shouldReadARopeOfManyEmptyStringsAtOnce() {
    ScriptFixture.Run run = fixture.run("empty");
    ScriptOutcome outcome = engine.runHere("""
      var s = ''; for (var i = 0; i < 60; i++) s += s;
      var t = 'ab'; for (var j = 0; j < 60; j++) t = s + t + s;
      botContext.sendMessage(t + s.indexOf('y'));""", run.bot);
    assertThat(outcome.ok()).as("%s", outcome.error()).isTrue();
    assertThat(run.transcript.eventsAsJson().getJsonObject(0).getString("text")).isEqualTo("ab-1");
  }

  @Test
  void shouldBuildAStringUpToTheLimitPieceByPiece() {
    ScriptFixture.Run run = fixture.run("pieces");
    ScriptOutcome outcome = engine.runHere("""
      var s = ''; for (var i = 0; i < (1 << 17); i++) s += 'abcdefgh';
      botContext.sendMessage(s.length + ' ' + s.slice(-3));""", run.bot);
    assertThat(outcome.ok()).as("%s", outcome.error()).isTrue();
    assertThat(run.transcript.eventsAsJson().getJsonObject(0).getString("text")).isEqualTo("1048576 fgh");
  }

  /**
   * A compiled String.indexOf searches in one loop no safepoint interrupts: a worst-case search froze every thread
   * of the gateway until it ended (76 s for 2 million by 1 million characters), past the watchdog and the collector.
   */
  @ParameterizedTest
  @ValueSource(strings = {
    "var a = 'a'.repeat(500000); var s = a + a; s.indexOf(a + 'b');",
    "var a = 'a'.repeat(500000); var s = a + a; s.includes(a + 'b');",
    "var a = 'a'.repeat(500000); var s = a + a; s.split(a + 'b');",
    "var a = 'a'.repeat(500000); var s = a + a; s.replace(a + 'b', '');",
    "var a = 'a'.repeat(500000); var s = a + a; s.replaceAll(a + 'b', '');",
    "var a = 'a'.repeat(500000); var s = a + a; String.prototype.indexOf.call({toString: function () { return s; }}, a + 'b');",
    "var a = 'a'.repeat(500000); var s = a + a; s.indexOf({toString: function () { return a + 'b'; }});"
  })
  void shouldRefuseASearchWhoseWorstCaseNothingCouldStop(String code) {
    assertLimitError(code, "search", "refused: searching 1000000 characters for 500001");
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "var s = 'a'.repeat(1 << 20); s.replaceAll('a', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');",
    "var s = 'ab'.repeat(1 << 19); s.replaceAll('a', {toString: function () { return 'c'.repeat(64); }});",
    "var s = 'a'.repeat(600000); s.replaceAll('', 'x');",
    "var s = 'a'.repeat(600000); s.replace('a', \"$'$'\");",
    "var s = 'a'.repeat(3000); s.replaceAll('a', \"$`\");",
    // a pattern that is not a string is converted by the builtin as by ToString: the same bound
    "var s = '1'.repeat(1 << 20); s.replaceAll(1, 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');",
    "var s = 'null'.repeat(1 << 18); s.replaceAll(null, 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');",
    "var s = 'true'.repeat(1 << 18); s.replaceAll(true, 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');",
    "var s = 'undefined'.repeat(1 << 16); s.replaceAll(undefined, 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');",
    "var s = 'a'.repeat(1 << 19); s.replaceAll('a');"
  })
  void shouldRefuseAStringReplacementPastTheStringLimitBeforeItIsBuilt(String code) {
    // Rhino builds it in one native loop: 4 Mi 'a's each replaced by 110 characters took 2.6 GB of a 64 MiB budget
    assertLimitError(code, "replaced", "refused: it would build a string of length");
  }

  @Test
  void shouldReplaceWithinTheLimitAsBefore() {
    ScriptFixture.Run run = fixture.run("replaced-ok");
    ScriptOutcome outcome = engine.runHere("""
      var s = 'a,'.repeat(1 << 14);
      botContext.sendMessage([s.replaceAll(',', ';').length, s.replaceAll('a', 'xyz').length,
        'a-b-c'.replaceAll('-', '[$&]'), 'a-b'.replace('-', "$'$`"), 'x'.repeat(1 << 19).replaceAll('y', 'long'.repeat(9)).length].join(' '));""",
      run.bot);
    assertThat(outcome.ok()).as("%s", outcome.error()).isTrue();
    assertThat(run.transcript.messages().getJsonObject(0).getString("text"))
      .isEqualTo("32768 65536 a[-]b[-]c abab 524288");
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "var a = 'a'.repeat(1 << 20); a.localeCompare(a.slice(1) + 'b');",
    "var a = 'a'.repeat(1 << 20); a.localeCompare({toString: function () { return a; }});",
    "var a = 'a'.repeat(1 << 20); var s = new String('a'); s.toString = function () { return a; }; s.localeCompare(a);"
  })
  void shouldRefuseACollationPastTheMemoryLeftBeforeItStarts(String code) {
    // one native call: two strings of 4 Mi characters took 479 MB and seconds past the run's CPU limit
    assertLimitError(code, "collated", "localeCompare refused: it would allocate");
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "var s = new String('a'); s.toString = function () { return n++ ? a : 'a'; }; s.localeCompare(a);",
    "var s = Object.setPrototypeOf(new String('a'), {toString: function () { return n++ ? a : 'a'; }}); String.prototype.localeCompare.call(s, a);",
    "var s = new String('a'); s.toString = function () { return n++ ? a : 'a'; }; s.indexOf(a.slice(1) + 'b');"
  })
  void shouldConvertAStringObjectReceiverOnceForTheCheckAndTheBuiltin(String code) {
    // a String object with a conversion of its own answered the check 'a' and the builtin a million characters
    ScriptFixture.Run run = fixture.run("converted-once");
    ScriptOutcome outcome = engine.runHere("var a = 'a'.repeat(1 << 20), n = 0; " + code
      + " botContext.sendMessage('' + n);", run.bot);
    assertThat(outcome.ok()).as("%s", outcome.error()).isTrue();
    assertThat(run.transcript.messages().getJsonObject(0).getString("text")).isEqualTo("1");
  }

  @Test
  void shouldCompareWithinTheBudgetAsBefore() {
    ScriptFixture.Run run = fixture.run("collated-ok");
    ScriptOutcome outcome = engine.runHere("""
      var a = 'a'.repeat(1 << 20);
      botContext.sendMessage(['a'.localeCompare('b'), 'b'.localeCompare('a'), 'x'.localeCompare('x'),
        a.localeCompare('b'), 'abc'.localeCompare({toString: function () { return 'abc'; }})].join(' '));""", run.bot);
    assertThat(outcome.ok()).as("%s", outcome.error()).isTrue();
    assertThat(run.transcript.messages().getJsonObject(0).getString("text")).isEqualTo("-1 1 0 -1 0");
  }

  @Test
  void shouldSearchALargeTextFromAPositionWithoutTakingItForAReplacement() {
    // indexOf's, includes' and split's second argument is a position or a limit, never a replacement's text
    ScriptFixture.Run run = fixture.run("searched-from");
    ScriptOutcome outcome = engine.runHere("""
      var s = 'a'.repeat(1 << 20);
      botContext.sendMessage([s.indexOf('a', 100000), s.includes('a', '100000'), s.split('a', 123456).length,
        s.indexOf('a', 'many')].join(' '));""", run.bot);
    assertThat(outcome.ok()).as("%s", outcome.error()).isTrue();
    assertThat(run.transcript.messages().getJsonObject(0).getString("text")).isEqualTo("100000 true 123456 0");
  }

  /** Runs {@code code} in a session of its own and checks it ended in a limit error saying {@code says}. */
  private static void assertLimitError(String code, String session, String says) {
    ScriptOutcome outcome = engine.runHere(code, fixture.run(session).bot);
    assertThat(outcome.error()).as("outcome of %s", code).isNotNull();
    assertThat(outcome.error().type()).as("error of %s", code).isEqualTo("limit");
    assertThat(outcome.error().message()).as("error of %s", code).contains(says);
  }

  @Test
  void shouldSearchAsBeforeAndConvertAnObjectPatternOnce() {
    ScriptFixture.Run run = fixture.run("searches");
    ScriptOutcome outcome = engine.runHere("""
      var big = 'x'.repeat(1 << 20);
      var n = 0, o = {toString: function () { n++; return 'lo'; }};
      botContext.sendMessage([big.indexOf('y'), big.includes('xy'), 'hello world'.indexOf('world'),
        'a,b,,c'.split(',').length, 'a-b-c'.replace('-', '+'), 'a-b-c'.replaceAll('-', '+'),
        'a1b2'.replace(/[0-9]/g, ''), 'hello'.indexOf(o), n, 'abc'.indexOf('c', 1), 'abc'.includes('a', 1)].join(' '));""",
      run.bot);
    assertThat(outcome.ok()).as("%s", outcome.error()).isTrue();
    assertThat(run.transcript.eventsAsJson().getJsonObject(0).getString("text"))
      .isEqualTo("-1 false 6 4 a+b-c a+b+c ab 3 1 2 false");
  }
}
