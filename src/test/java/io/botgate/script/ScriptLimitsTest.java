package io.botgate.script;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runaway scripts stop with a limit error, and the next script runs normally. A Rhino run cannot be
 * interrupted, so each test runs on a thread of its own under a timeout: a limit that no longer stops a
 * script fails its test rather than hanging the build.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ScriptLimitsTest extends LimitedEngineTest {

  private static final com.sun.management.ThreadMXBean THREADS =
    (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

  @ParameterizedTest
  @ValueSource(strings = {
    "while (true) {}",
    "try { while (true) {} } catch (e) {}",
    "for (;;) { try { while (true) {} } finally { continue; } }",
    "function g() { try { g(); } catch (e) { g(); } } g();",
    "function r() { return r() + 1; } r();",
    "var s = 'x'; while (true) { s = s + s; s.charAt(s.length - 1); }",
    "var s = 'xxxxxxxx'; for (var i = 0; i < 40; i++) { s += s; } s.indexOf('y');",
    "var a = []; while (true) { a.push('some text ' + a.length); }",
    "var a = []; while (true) { a = a.concat(a, [1]); }",
    "var o = {}; for (var i = 0; ; i++) { o['k' + i] = [i, i, i]; }",
    "'x'.repeat(1 << 30);",
    "new Array(1 << 28).join('abc');",
    "new Array(1 << 28).fill(0);",
    "Array.from({length: 1 << 28});",
    "'x'.padStart(1 << 30);",
    "var s = 'ab'; while (true) { try { s = s.repeat(2); } catch (e) { s = s + s; } }",
    "JSON.parse(new Array(100000).join('[') + new Array(100000).join(']'))",
    "var o = {}; o.self = o; botContext.setBotVariable('loop', o, true, false);"
  })
  void shouldStopARunawayScriptWithAnErrorAndStayUsable(String bomb) {
    ScriptFixture.Run run = fixture.run("bombs");
    ScriptOutcome outcome = engine.runHere(bomb, run.bot);
    assertThat(outcome.error()).as("outcome of %s", bomb).isNotNull();
    assertThat(outcome.error().type()).isIn("limit", "runtime");
    assertThat(outcome.error().message()).as("stopped by a budget, never by an OutOfMemoryError")
      .doesNotContain("too large for memory");
    System.out.printf("stopped in %5d ms: %-90s %s%n", outcome.durationMicros() / 1000, bomb, outcome.error().message());

    ScriptFixture.Run next = fixture.run("after-bomb");
    ScriptOutcome fine = engine.runHere("botContext.printDebugMessage('still fine ' + (1 + 1));", next.bot);
    assertThat(fine.ok()).isTrue();
    assertThat(next.transcript.eventsAsJson().getJsonObject(0).getString("text")).isEqualTo("still fine 2");
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "function r() { return r() + 1; } r();",
    "function r(n) { return n + r(n + 1); } r(0);",
    "var o = {get x() { return this.x; }}; o.x;"
  })
  void shouldReportRecursionPastTheStackDepthAsALimitError(String code) {
    ScriptOutcome outcome = engine.runHere(code, fixture.run("deep").bot);
    assertThat(outcome.error().type()).as("error of %s: %s", code, outcome.error().message()).isEqualTo("limit");
    assertThat(outcome.error().message()).contains("stack depth limit exceeded");
  }

  @Test
  void shouldStopAnEndlessLoopOnceItHasUsedItsCpuTime() {
    ScriptFixture.Run run = fixture.run("cpu");
    long cpuBefore = THREADS.getCurrentThreadCpuTime();
    long began = System.nanoTime();
    ScriptOutcome outcome = engine.runHere("while (true) {}", run.bot);
    long cpuMs = (THREADS.getCurrentThreadCpuTime() - cpuBefore) / 1_000_000;
    long wallMs = (System.nanoTime() - began) / 1_000_000;
    assertThat(outcome.error()).isNotNull();
    assertThat(outcome.error().type()).isEqualTo("limit");
    assertThat(outcome.error().message()).isEqualTo("CPU time limit of 500 ms exceeded");
    // CPU time is the contract (wall time on a loaded machine is longer): at least the limit, within 2x + 1 s.
    assertThat(cpuMs).isBetween(LIMITS.cpuMillis(), 2 * LIMITS.cpuMillis() + 1000);
    assertThat(wallMs).isGreaterThanOrEqualTo(cpuMs);
    assertThat(outcome.durationMicros() / 1000).isLessThanOrEqualTo(wallMs);
  }

  @Test
  void shouldStopAScriptThatAllocatesPastItsBudgetWithTheMemoryError() {
    ScriptFixture.Run run = fixture.run("memory");
    ScriptOutcome outcome = engine.runHere("var a = []; while (true) { a.push(new Array(10000)); }", run.bot);
    assertThat(outcome.error()).isNotNull();
    assertThat(outcome.error().type()).isEqualTo("limit");
    assertThat(outcome.error().message()).isEqualTo("memory limit exceeded: the script allocated more than 64 MiB");
    assertThat(outcome.durationMicros() / 1000).as("well before its CPU time would stop it").isLessThan(10_000);
  }

  static volatile Object garbage;

  /** A worker thread lives long and allocates all along: a run is charged what it allocates itself. */
  @Test
  void shouldChargeARunOnlyWhatItAllocatesNotWhatItsThreadAllocatedBefore() {
    for (int i = 0; i < 96; i++) {
      garbage = new byte[1 << 20];
    }
    ScriptFixture.Run run = fixture.run("after-allocating");
    ScriptOutcome outcome = engine.runHere(
      "var n = 0; for (var i = 0; i < 10000; i++) { n += i; } botContext.printDebugMessage('sum ' + n);", run.bot);
    assertThat(outcome.ok()).as("%s", outcome.error()).isTrue();
    assertThat(run.transcript.eventsAsJson().getJsonObject(0).getString("text")).isEqualTo("sum 49995000");
  }

  @Test
  void shouldRunScriptsInTheLanguageOfES6() {
    ScriptFixture.Run run = fixture.run("es6");
    ScriptOutcome outcome = engine.runHere(
      "let doubled = [1, 2].map(x => x * 2); const [a, b] = doubled; botContext.printDebugMessage(`${a} ${b}`);", run.bot);
    assertThat(outcome.ok()).as("%s", outcome.error()).isTrue();
    assertThat(run.transcript.eventsAsJson().getJsonObject(0).getString("text")).isEqualTo("2 4");
  }
}
