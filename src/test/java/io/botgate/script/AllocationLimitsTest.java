package io.botgate.script;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A typed array or buffer bigger than what is left of the memory budget (64 MiB here) is refused before it is
 * allocated: Rhino allocates it in one step, which the budget, checked between instructions, saw only after.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AllocationLimitsTest extends LimitedEngineTest {

  @ParameterizedTest
  @ValueSource(strings = {
    "var a = new Float64Array(268435455); botContext.sendMessage('' + a.length);",
    "new Int8Array(1e9);",
    "new Int8Array('1e9');",
    "new ArrayBuffer(1e9);",
    "var a = new Float64Array(5e6), b = new Float64Array(5e6);",
    "new Float64Array({length: 1e8});",
    "new Float64Array(new Int8Array(4e7));",
    "new (Object.getPrototypeOf(new Int8Array(0)).constructor)(1e9);",
    "Reflect.construct(Float64Array, [1e9]);",
    "new ArrayBuffer(8).transfer(1e9);",
    "new ArrayBuffer(8).transferToFixedLength(1e9);"
  })
  void shouldRefuseAnAllocationOverTheMemoryLeftWithALimitError(String code) {
    ScriptOutcome outcome = engine.runHere(code, fixture.run("allocation").bot);
    assertThat(outcome.error()).as("outcome of %s", code).isNotNull();
    assertThat(outcome.error().type()).as("error of %s: %s", code, outcome.error().message()).isEqualTo("limit");
    assertThat(outcome.error().message()).as("%s", code).contains("script.memory.mb");
  }

  /**
   * Builtin calls in one expression, with no branch between them: the budget was checked at branches only, so an
   * array literal of 300 copies of a 1 MiB string made them all (300 MiB against a budget of 64) before any check.
   * It is checked at every call now; what the run allocated stays near its budget.
   */
  @ParameterizedTest
  @ValueSource(strings = {"s.toUpperCase()", "t.repeat(2)", "t.concat(t)", "t.padEnd(1 << 20)", "JSON.stringify(t)",
    "Array(1 << 18).join('yy')", "new String(s).toUpperCase()"})
  void shouldStopStraightLineCopiesAtTheMemoryBudget(String copy) {
    String code = "var s = 'x'.repeat(1 << 20), t = s.substring(1 << 19); var a = [" + (copy + ", ").repeat(300)
      + "]; botContext.sendMessage('built ' + a.length);";
    ScriptFixture.Run run = fixture.run("straight-line");
    long before = THREADS.getCurrentThreadAllocatedBytes();
    ScriptOutcome outcome = engine.runHere(code, run.bot);
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    assertThat(outcome.error()).as("outcome of %s", copy).isNotNull();
    assertThat(outcome.error().message()).as("%s", copy).startsWith("memory limit exceeded");
    assertThat(allocated).as("bytes %s allocated", copy).isLessThan(2 * LIMITS.maxAllocatedBytes());
  }

  /**
   * A builtin that calls builtins (a callback, a bound function, a {@code toString}, a {@code toJSON} or a proxy's trap
   * that is one): no instruction runs between the calls, so the copies they made were checked by nothing but the
   * watchdog, which stops a run only at twice its budget, and these runs (outside the pool) went to several times it.
   * Each such call is checked now; what the run allocated stays near its budget.
   */
  @ParameterizedTest
  @ValueSource(strings = {
    "Array(300).fill(s).map(Function.prototype.call.bind(String.prototype.toUpperCase))",
    "Array(300).fill(s).map(Function.prototype.call, String.prototype.toUpperCase)",
    "Array.from({length: 300}, String.prototype.toUpperCase.bind(s))",
    "Array(300).fill({toString: String.prototype.valueOf.bind(s)}).join('')",
    "JSON.stringify(Array(300).fill({toJSON: String.prototype.valueOf.bind(s)}))",
    "Array(300).fill({toString: Array.prototype.join, length: 1, 0: s}).join('')",
    "new Int8Array(300).map(Function.prototype.call.bind(String.prototype.toUpperCase, s))",
    "new Set(Array.from({length: 300}, function (x, i) { return i; })).forEach(String.prototype.toUpperCase.bind(s))",
    "(function () { var h = new String(s); h.get = String.prototype.toUpperCase; var o = Object.create(new Proxy({}, h));"
      + " o.length = 300; return Array.prototype.slice.call(o); })()"
  })
  void shouldStopCopiesBuiltinsMakeForBuiltinsAtTheMemoryBudget(String copies) {
    String code = "var s = 'x'.repeat(1 << 20); var kept = " + copies + "; botContext.sendMessage('built');";
    ScriptFixture.Run run = fixture.run("builtins-driven");
    long before = THREADS.getCurrentThreadAllocatedBytes();
    ScriptOutcome outcome = engine.runHere(code, run.bot);
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    assertThat(outcome.error()).as("outcome of %s", copies).isNotNull();
    assertThat(outcome.error().message()).as("%s", copies).startsWith("memory limit exceeded");
    assertThat(allocated).as("bytes %s allocated", copies).isLessThan(2 * LIMITS.maxAllocatedBytes());
  }

  /**
   * A short function of the script's own that a builtin calls, with no branch in it: the interpreter observed a run at
   * branches and before the calls it makes itself, so such a function was never observed however often a builtin
   * called it ({@code JSON.parse} of half a million elements with {@code function (k, v) { return v; }} as its reviver
   * took 203 MB of this 64 MiB budget and finished). Each call from a builtin is observed as it starts now.
   */
  @ParameterizedTest
  @ValueSource(strings = {
    "JSON.parse('[' + '1,'.repeat(300000) + '1]', function (k, v) { return [v, v, v, v, v, v, v, v]; })",
    "Array.from({length: 1 << 18}, function (x, i) { return {a: i, b: i, c: i, d: i, e: i, f: i}; })"
  })
  void shouldStopAtTheBudgetInsideAShortFunctionABuiltinCalls(String calls) {
    String code = "var kept = " + calls + "; botContext.sendMessage('built');";
    ScriptFixture.Run run = fixture.run("short-callbacks");
    long before = THREADS.getCurrentThreadAllocatedBytes();
    ScriptOutcome outcome = engine.runHere(code, run.bot);
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    assertThat(outcome.error()).as("outcome of %s", calls).isNotNull();
    assertThat(outcome.error().message()).as("%s", calls).startsWith("memory limit exceeded");
    assertThat(allocated).as("bytes %s allocated", calls).isLessThan(2 * LIMITS.maxAllocatedBytes());
  }

  /**
   * What lists every index of a string or a typed array makes one key, value or entry per index in one native step:
   * {@code Object.keys(new Int8Array(2e8))}, within a 256 MiB budget, took 900 MB of a 1 GB heap before the watchdog
   * stopped it. Refused past the array limit (256 Ki here), as an array that long is.
   */
  @ParameterizedTest
  @ValueSource(strings = {"Object.keys(t)", "Object.values(t)", "Object.entries(s)", "Object.getOwnPropertyNames(s)",
    "Object.getOwnPropertyDescriptors(new String(s))", "Object.assign({}, s)", "Reflect.ownKeys(t)", "Array.from(s)",
    "[...s]", "new Set(t.keys())", "Array.from(t.entries())", "[...t]", "new Map(t.entries())"})
  void shouldRefuseToListTheIndexesOfAStringOrTypedArrayPastTheArrayLimit(String listing) {
    ScriptOutcome outcome = engine.runHere("var s = 'x'.repeat(3e5), t = new Int8Array(3e5); var kept = " + listing
      + "; botContext.sendMessage('listed ' + kept.length);", fixture.run("indexes").bot);
    assertThat(outcome.error()).as("outcome of %s", listing).isNotNull();
    assertThat(outcome.error().type()).as("%s: %s", listing, outcome.error().message()).isEqualTo("limit");
    assertThat(outcome.error().message()).as("%s", listing).contains("has length 300000").contains("262144 elements");
    ScriptOutcome within = engine.runHere("var s = 'ab', t = new Int8Array(2); var kept = " + listing + ";",
      fixture.run("indexes").bot);
    assertThat(within.error()).as("%s within the limit", listing).isNull();
  }

  @Test
  void shouldKeepBuiltinsGivenToBuiltinsWorkingAsBefore() {
    ScriptFixture.Run run = fixture.run("builtins-driven");
    ScriptOutcome outcome = engine.runHere("""
      var up = Function.prototype.call.bind(String.prototype.toUpperCase);
      var D = Date.bind(null, 0);
      var seen = [];
      new Map([[1, 'a']]).forEach(function (v, k) { seen.push(k + v); });
      botContext.sendMessage([['a', 'b'].map(up).join(''), up.name, up.length, new D() instanceof Date,
        new D() instanceof D, [3, 1, 2].sort(Math.max.bind(null, -1)).length, Array.from('ab', String.prototype.repeat.call.bind(String.prototype.repeat)).join(),
        JSON.parse('[1,2]', function (k, v) { return v; }).length, 'a-b'.replace('-', String.bind(null, '+')), seen[0],
        Math.max.bind(null, 1).bind(null, 2)(3)].join());""", run.bot);
    assertThat(outcome.ok()).as("%s", outcome.error()).isTrue();
    assertThat(run.transcript.eventsAsJson().getJsonObject(0).getString("text"))
      .isEqualTo("AB,bound call,1,true,true,3,,b,2,a+b,1a,3");
  }

  private static final com.sun.management.ThreadMXBean THREADS =
    (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

  /**
   * A proxy's {@code ownKeys} trap answering a sparse array of two billion holes made Rhino allocate an array of that
   * length in one step: an OutOfMemoryError, which the JVM throws only after two full collections that stop every
   * thread of the gateway (20 such runs spent 1.3 s of 1.7 s in them). The trap's answer is checked as an array-like
   * a builtin goes through is; one within the bound still works.
   */
  @ParameterizedTest
  @ValueSource(strings = {
    "var a = []; a.length = 2e9; Object.keys(new Proxy({}, {ownKeys: function () { return a; }}));",
    "var a = []; a.length = 2e9; Reflect.ownKeys(Proxy.revocable({}, {ownKeys: function () { return a; }}).proxy);",
    "var a = []; a.length = 2e9; var h = {}; var p = new Proxy({}, h); h.ownKeys = function () { return a; };"
      + " JSON.stringify(p);"
  })
  void shouldRefuseAProxysKeysLongerThanTheArrayLimit(String code) {
    ScriptOutcome outcome = engine.runHere(code, fixture.run("proxy-keys").bot);
    assertThat(outcome.error()).as("outcome of %s", code).isNotNull();
    assertThat(outcome.error().message()).as("%s", code).contains("ownKeys refused").contains("262144 elements");
    ScriptOutcome fine = engine.runHere("var h = {n: 0, ownKeys: function (t) { this.n++; return ['a']; },"
      + " get: function (t, k) { this.n++; return t[k]; }}; var p = new Proxy({a: 1}, h);"
      + " if (Object.keys(p).join() !== 'a' || JSON.stringify(p) !== '{\"a\":1}' || h.n < 3) throw 'wrong: ' + h.n;",
      fixture.run("proxy-keys").bot);
    assertThat(fine.error()).as("a proxy within the bound").isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"new Int8Array(6e7).join(',');", "String(new Float64Array(2e6));",
    "new Uint8Array(2e6).toLocaleString();"})
  void shouldRefuseToJoinATypedArrayLongerThanTheArrayLimit(String code) {
    ScriptOutcome outcome = engine.runHere(code, fixture.run("typed-join").bot);
    assertThat(outcome.error()).as("outcome of %s", code).isNotNull();
    assertThat(outcome.error().type()).as("error of %s: %s", code, outcome.error().message()).isEqualTo("limit");
    assertThat(outcome.error().message()).as("%s", code).contains("262144 elements");
  }

  @Test
  void shouldKeepTypedArraysAsTheyWereUnderTheBudget() {
    ScriptFixture.Run run = fixture.run("typed");
    ScriptOutcome outcome = engine.runHere("""
      var a = new Float64Array(1000); a[1] = 2.5;
      var shared = new Int16Array(new ArrayBuffer(16), 4, 2);
      var notNew; try { Float64Array(3); } catch (e) { notNew = e.name; }
      botContext.sendMessage([a.length, a[1], a instanceof Float64Array, a.constructor === Float64Array,
        Float64Array.prototype.constructor === Float64Array, Float64Array.BYTES_PER_ELEMENT, Float64Array.name,
        Float64Array.length, Float64Array.from([1, 2]).length, Float64Array.of(7)[0], ArrayBuffer.isView(a),
        Object.getPrototypeOf(Float64Array) === Object.getPrototypeOf(Int8Array), shared.length,
        new DataView(new ArrayBuffer(16)).byteLength, new Uint8Array([1, 2, 3]).slice(1).join('-'), notNew].join());""",
      run.bot);
    assertThat(outcome.ok()).as("%s", outcome.error()).isTrue();
    assertThat(run.transcript.eventsAsJson().getJsonObject(0).getString("text"))
      .isEqualTo("1000,2.5,true,true,true,8,Float64Array,3,2,7,true,true,2,16,2-3,TypeError");
  }
}
