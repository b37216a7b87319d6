package io.botgate.script;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.Script;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.ScriptableObject;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Whatever session A does to the objects and state it can reach, session B, run next on the same worker
 * thread, sees exactly what it would see on a gateway that never ran A.
 */
@Timeout(120)
class CrossSessionStateTest {

  static ScriptEngine engine;
  static ScriptEngine pristine;

  @BeforeAll
  static void start() {
    engine = new ScriptEngine(null, ScriptLimits.DEFAULTS, null, 1, 10);
    pristine = new ScriptEngine(null, ScriptLimits.DEFAULTS, null, 1, 10);
  }

  @AfterAll
  static void stop() {
    engine.close();
    pristine.close();
  }

  /** What B shows: its debug texts and messages, or its error. */
  private static List<String> seen(ScriptEngine on, String session, String code) {
    ScriptFixture.Run run = new ScriptFixture().run(session);
    ScriptOutcome outcome = on.runHere(code, run.bot);
    List<String> shown = new java.util.ArrayList<>(run.transcript.eventsAsJson().stream().map(JsonObject.class::cast)
      .filter(e -> !e.getString("kind").equals("script")).map(e -> e.getString("kind") + ": " + e.getString("text")).toList());
    shown.add(outcome.ok() ? "ok" : outcome.error().message());
    return shown;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
    array iterator next | var p = Object.getPrototypeOf([][Symbol.iterator]()); var o = p.next; p.next = function () { botContext.sendMessage('INJECTED'); return o.call(this); }; | var t = 0; for (var x of [1, 2]) t += x; botContext.printDebugMessage(t);
    array iterator defineProperty | Object.defineProperty(Object.getPrototypeOf([].keys()), 'next', { value: function () { return { done: true }; } }); | var t = 0; for (var x of [1, 2]) t += x; botContext.printDebugMessage(t);
    string iterator | Object.getPrototypeOf(''[Symbol.iterator]()).next = function () { botContext.sendMessage('INJECTED'); return { done: true }; }; | var t = ''; for (var c of 'ab') t += c; botContext.printDebugMessage(t);
    map iterator | Object.getPrototypeOf(new Map().entries()).next = function () { botContext.sendMessage('INJECTED'); return { done: true }; }; | var t = 0; for (var e of new Map([[1, 2]])) t += e[1]; botContext.printDebugMessage(t);
    set iterator | Object.getPrototypeOf(new Set().values()).next = function () { botContext.sendMessage('INJECTED'); return { done: true }; }; | var t = 0; for (var e of new Set([3])) t += e; botContext.printDebugMessage(t);
    iterator prototype called directly | try { Object.getPrototypeOf([].keys()).next(); } catch (e) {} | try { botContext.printDebugMessage(JSON.stringify(Object.getPrototypeOf([].keys()).next())); } catch (e) { botContext.printDebugMessage(e.name); }
    generator prototype | var g = Object.getPrototypeOf(Object.getPrototypeOf((function* () {})())); g.next = function () { botContext.sendMessage('INJECTED'); return { done: true }; }; | function* f() { yield 1; yield 2; } var t = 0; for (var x of f()) t += x; botContext.printDebugMessage(t);
    generator prototype state | var g = Object.getPrototypeOf(Object.getPrototypeOf((function* () {})())); try { g['return'](1); } catch (e) {} | var g = Object.getPrototypeOf(Object.getPrototypeOf((function* () {})())); try { g.next(); } catch (e) { botContext.printDebugMessage(e.name); }
    generator function prototype | Object.getPrototypeOf(function* () {}).x = 'leak'; | botContext.printDebugMessage(String(Object.getPrototypeOf(function* () {}).x));
    promise prototype | Promise.prototype.then = function () { botContext.sendMessage('INJECTED'); }; Promise.resolve = null; | botContext.printDebugMessage(typeof Promise.prototype.then + typeof Promise.resolve);
    typed array prototype | var ta = Object.getPrototypeOf(Int8Array.prototype); ta.join = function () { return 'INJECTED'; }; Int8Array.prototype.x = 1; | botContext.printDebugMessage(new Int8Array([1, 2]).join('-') + Int8Array.prototype.x);
    typed array iterator | Object.getPrototypeOf(new Uint8Array(1).values()).next = function () { return { done: true }; }; | var t = 0; for (var x of new Uint8Array([4])) t += x; botContext.printDebugMessage(t);
    botContext function property | botContext.getBotVariable.x = 1; botContext.sendMessage.y = 'leak'; | botContext.printDebugMessage(botContext.getBotVariable.x + ' ' + botContext.sendMessage.y);
    botContext function defineProperty | Object.defineProperty(botContext.printDebugMessage, 'z', { value: 1 }); | botContext.printDebugMessage(String(botContext.printDebugMessage.z));
    tamed accessor function | Object.getOwnPropertyDescriptor(Object.prototype, 'toString').get.x = 'leak'; | botContext.printDebugMessage(String(Object.getOwnPropertyDescriptor(Object.prototype, 'toString').get.x));
    regexp statics | RegExp.input = 'secret'; /(s3cr3t)/.exec('the s3cr3t'); | botContext.printDebugMessage([RegExp.$1, RegExp.lastMatch, RegExp.input, RegExp.leftContext].join('|'));
    regexp exec result prototype | Object.getPrototypeOf(/a/.exec('a')).x = 'leak'; | botContext.printDebugMessage(String([].x));
    error prototype | try { Error.prototype.message = 'leak'; } catch (e) {} TypeError.prototype.name = 'X'; | botContext.printDebugMessage(String(new TypeError().message) + new TypeError('m'));
    error captureStackTrace | try { Error.captureStackTrace(Error.prototype); } catch (e) {} try { Error.captureStackTrace(botContext); } catch (e) {} | botContext.printDebugMessage(String(Error.prototype.stack) + String(botContext.stack));
    error stack hooks | try { Error.prepareStackTrace = function () { return 'INJECTED'; }; Error.stackTraceLimit = 0; } catch (e) {} | botContext.printDebugMessage(typeof Error.prepareStackTrace + ' ' + (new Error('x').stack.indexOf('INJECTED')));
    date prototype slot | try { Date.prototype.setTime(5); } catch (e) {} | botContext.printDebugMessage(String(Date.prototype.getTime()));
    regexp prototype slot | try { RegExp.prototype.compile('leak'); } catch (e) {} | botContext.printDebugMessage(RegExp.prototype.source);
    script prototype slot | try { Script.prototype.compile('leak'); } catch (e) {} | botContext.printDebugMessage(String(Script.prototype));
    bound function prototype | Object.getPrototypeOf(function () {}.bind(null)).x = 'leak'; | botContext.printDebugMessage(String(function () {}.x));
    arguments prototype | Object.getPrototypeOf((function () { return arguments; })()).x = 'leak'; | botContext.printDebugMessage(String(({}).x));
    global object binding | Object.getPrototypeOf(this).JSON = { stringify: function () { return 'INJECTED'; } }; | botContext.printDebugMessage(JSON.stringify([1]));
    global object new binding | try { Object.getPrototypeOf(this).leaked = 1; } catch (e) {} leaked2 = 2; | botContext.printDebugMessage(typeof leaked + typeof leaked2);
    symbol registry | Symbol.for('shared').description; | botContext.printDebugMessage(String(Symbol.keyFor(Symbol.for('other'))));
    math random | Math.random = function () { return 4; }; | botContext.printDebugMessage(String(Math.random() < 1));
    array prototype elements | try { Array.prototype.push('leak'); } catch (e) {} try { Array.prototype[5] = 'leak'; } catch (e) {} | botContext.printDebugMessage(Array.prototype.length + ' ' + [][0] + ' ' + [][5]);
    removed with constructor | this.With = 1; | botContext.printDebugMessage(typeof With);
    cb function property | botContext.setTriggerNextMessage.x = 'leak'; botContext.getContextDataForUser.y = 'leak'; try { botContext.getUserLocation = null; } catch (e) {} | botContext.printDebugMessage(botContext.setTriggerNextMessage.x + ' ' + botContext.getContextDataForUser.y + ' ' + typeof botContext.getUserLocation);
    cb function defineProperty | try { Object.defineProperty(botContext.registerContextNamespace, 'z', { value: 'leak' }); } catch (e) {} try { Object.defineProperty(botContext, 'getLPAccountId', { value: function () { return 'leak'; } }); } catch (e) {} | botContext.printDebugMessage(String(botContext.registerContextNamespace.z) + ' ' + botContext.getLPAccountId());
    cb flow state | botContext.setTriggerNextMessage('INJECTED'); botContext.setMessageDelay(5); botContext.setBotVariable('x', 'leak', true, false); | botContext.printDebugMessage(String(botContext.getBotVariable('x')) + ' ' + botContext.getUserPlatformId().indexOf('b-'));
    """)
  void shouldNotLetSessionASeeOrChangeAnythingOfSessionB(String name, String attack, String probe) {
    List<String> expected = seen(pristine, "b-" + name, probe);

    seen(engine, "a-" + name, attack);
    List<String> afterAttack = seen(engine, "b-" + name, probe);

    assertThat(afterAttack).as(name).isEqualTo(expected);
    assertThat(String.join("\n", afterAttack)).doesNotContain("INJECTED", "leak", "secret", "s3cr3t");
  }

  @Test
  void shouldNotLetOneBotsGlobalFunctionsReachAnotherRun() {
    ScriptFixture.Run a = new ScriptFixture().run("a-bot");
    BotContext withGlobals = new BotContext(a.scope, a.transcript, java.util.Map.of(), "script", false,
      new BotContext.Bot(null, "bot-a", "var secret = 'A-only'; function helper() { return secret; }"));
    assertThat(engine.runHere("botContext.printDebugMessage(helper() + ' ' + botContext.getChatBotId());", withGlobals).ok())
      .isTrue();
    assertThat(a.transcript.eventsAsJson().stream().map(e -> ((JsonObject) e).getString("text")))
      .contains("A-only bot-a");

    assertThat(seen(engine, "b-bot", "botContext.printDebugMessage(typeof helper + ' ' + typeof secret + ' '"
      + " + botContext.getChatBotId());")).containsExactly("debug: undefined undefined null", "ok");
  }

  /**
   * The same source run by A and then by B: a tagged template's call-site object is made once per
   * compiled script, so with a shared compiled script B's call-site would be A's, and its
   * {@code __parent__} A's run globals.
   */
  @Test
  void shouldNotLetALaterRunOfTheSameSourceReachTheFirstRunsGlobals() {
    String code = """
      var site = (function (s) { return s; })`a`;
      var p = site.__parent__;
      botContext.printDebugMessage('site parent ' + typeof p + ' ' + String(p && p.secret));
      if (p) { p.secret = 'B-wrote'; }
      var f = function () {};
      botContext.printDebugMessage('parents ' + typeof f.__parent__ + ' ' + typeof ({}).__parent__ + ' '
        + typeof [].__parent__ + ' ' + typeof this.__parent__);
      botContext.printDebugMessage('protos ' + ([].__proto__ === Array.prototype) + ' ' + ({}.__proto__ === Object.prototype)
        + ' ' + String(this.__proto__ && this.__proto__.secret));
      var secret = 'A-only';
      """;

    List<String> a = seen(engine, "a-template", code);
    List<String> b = seen(engine, "b-template", code);

    List<String> expected = List.of("debug: site parent undefined undefined",
      "debug: parents undefined undefined undefined undefined", "debug: protos true true undefined", "ok");
    assertThat(a).isEqualTo(expected);
    assertThat(b).isEqualTo(expected);
    assertThat(String.join("\n", b)).doesNotContain("A-only");
  }

  @Test
  void shouldNotKeepACompiledScriptThatMakesTemplateCallSitesAcrossRuns() {
    String template = "var t = (function (s) { return s.raw[0]; })`x`; botContext.printDebugMessage(t);";
    String plain = "var t = 'x'; botContext.printDebugMessage(t);";

    assertThat(seen(engine, "a-cache", template)).containsExactly("debug: x", "ok");
    assertThat(seen(engine, "b-cache", template)).containsExactly("debug: x", "ok");
    seen(engine, "a-cache", plain);

    assertThat(engine.isCached(template)).as("a script with a template literal is compiled per run").isFalse();
    assertThat(engine.isCached(plain)).as("other scripts are still compiled once").isTrue();
  }

  @Test
  void shouldRunGlobalFunctionsWithTemplatesInEverySession() {
    ScriptEngine withGlobals = new ScriptEngine(null, ScriptLimits.DEFAULTS,
      "function site() { return (function (s) { return s; })`g${1}h`; }", 1, 10);
    try {
      String code = "var s = site(); botContext.printDebugMessage(s.raw.join('|') + ' ' + typeof s.__parent__);";
      assertThat(seen(withGlobals, "a-globals", code)).containsExactly("debug: g|h undefined", "ok");
      assertThat(seen(withGlobals, "b-globals", code)).containsExactly("debug: g|h undefined", "ok");
    } finally {
      withGlobals.close();
    }
  }

  /**
   * Why such scripts are not cached: a compiled script that ran a tagged template keeps the scope of its
   * first run alive. Should a Rhino upgrade stop that, this fails and they may be cached again.
   */
  @Test
  void shouldKnowThatASharedCompiledTemplateScriptPinsItsFirstRunsScope() {
    String code = "var secret = 'A-only'; (function (s) { return s; })`a`;";
    assertThat(ScriptEngine.shareable(code)).isFalse();
    assertThat(ScriptEngine.shareable("var plain = 'a';")).isTrue();
    Context cx = new SandboxContextFactory(ScriptLimits.DEFAULTS).enterContext();
    try {
      ScriptableObject shared = cx.initSafeStandardObjects(null, false);
      Script script = cx.compileString(code, "t", 1, null);
      WeakReference<Scriptable> shareScope = runIn(cx, shared, script);
      WeakReference<Scriptable> ownScope = runIn(cx, shared, cx.compileString(code, "t", 1, null));

      await().atMost(Duration.ofSeconds(30)).until(() -> {
        System.gc();
        return ownScope.get() == null;
      });
      assertThat(shareScope.get()).as("the first run's scope, held by the compiled script").isNotNull();
      assertThat(script).isNotNull();
    } finally {
      Context.exit();
    }
  }

  private static WeakReference<Scriptable> runIn(Context cx, ScriptableObject shared, Script script) {
    Scriptable scope = cx.newObject(shared);
    scope.setPrototype(shared);
    scope.setParentScope(null);
    script.exec(cx, scope);
    return new WeakReference<>(scope);
  }
}
