package io.botgate.script;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.ScriptableObject;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Everything a script can reach that outlives its run is frozen: found by walking the graph from inside a
 * run, the way a hostile script would, so this fails the day someone adds a builtin the freeze misses.
 */
@Timeout(120)
class SharedGraphTest {

  /**
   * Walks from the run's global object and from objects of every kind made in the run: own property values
   * (string and symbol keys), getters and setters, prototypes. The run's own objects are walked through but
   * not judged; every other object must be non-extensible with permanent, read-only properties. Prints
   * "reached N" and then one line per problem, naming its path.
   */
  static final String WALK = """
    var problems = [], paths = new Map(), queue = [], own = new Set();
    function isObject(v) { return (typeof v === 'object' && v !== null) || typeof v === 'function'; }
    function step(k) { return typeof k === 'symbol' ? '[' + String(k) + ']' : '.' + k; }
    function reach(v, path) { if (isObject(v) && !paths.has(v)) { paths.set(v, path); queue.push(v); } }
    function mine(label, build) {
      try { var v = build(); if (isObject(v)) { own.add(v); reach(v, '(' + label + ')'); } } catch (e) {}
    }
    var a = [1], m = new Map([[1, 1]]), s = new Set([1]), acc = { get x() { return 1; }, set x(v) {} };
    var g = eval('(function* () { yield 1; })'), lg = eval('(function () { yield 1; })');
    mine('run scope', function () { return this; });
    [['array iterator', function () { return a[Symbol.iterator](); }], ['array keys', function () { return a.keys(); }],
     ['array entries', function () { return a.entries(); }], ['string iterator', function () { return 'x'[Symbol.iterator](); }],
     ['matchAll', function () { return 'a'.matchAll(/a/g); }], ['map', function () { return m; }],
     ['map iterator', function () { return m.entries(); }], ['map keys', function () { return m.keys(); }],
     ['set', function () { return s; }], ['set iterator', function () { return s.values(); }],
     ['weak map', function () { return new WeakMap(); }], ['weak set', function () { return new WeakSet(); }],
     ['legacy iterator', function () { return Iterator({ a: 1 }); }],
     ['generator function', function () { return g; }], ['its prototype', function () { return g.prototype; }],
     ['generator', function () { return g(); }],
     ['legacy generator function', function () { return lg; }], ['its prototype', function () { return lg.prototype; }],
     ['legacy generator', function () { return lg(); }],
     ['arrow', function () { return eval('(() => 1)'); }], ['function', function () { return function () {}; }],
     ['accessors', function () { return acc; }], ['getter', function () { return Object.getOwnPropertyDescriptor(acc, 'x').get; }],
     ['setter', function () { return Object.getOwnPropertyDescriptor(acc, 'x').set; }],
     ['promise', function () { return Promise.resolve(1); }], ['promise then', function () { return Promise.resolve(1).then(function () {}); }],
     ['pending promise', function () { return new Promise(function (res, rej) { mine('resolve', function () { return res; }); }); }],
     ['array buffer', function () { return new ArrayBuffer(4); }], ['data view', function () { return new DataView(new ArrayBuffer(4)); }],
     ['regexp', function () { return /(a)/g; }], ['exec result', function () { return /(a)(?<n>b)?/.exec('ab'); }],
     ['exec groups', function () { return /(a)(?<n>b)?/.exec('ab').groups; }], ['split result', function () { return 'a,b'.split(','); }],
     ['bound function', function () { return function () {}.bind(null); }], ['bound builtin', function () { return [].map.bind([]); }],
     ['arguments', function () { return (function () { return arguments; })(1); }],
     ['strict arguments', function () { return (function () { 'use strict'; return arguments; })(1); }],
     ['date', function () { return new Date(0); }], ['symbol object', function () { return Object(Symbol('x')); }],
     ['bigint object', function () { return Object(BigInt(1)); }], ['boolean', function () { return new Boolean(false); }],
     ['number', function () { return new Number(1); }], ['string', function () { return new String('x'); }],
     ['proxy', function () { return new Proxy({}, {}); }], ['revocable', function () { return Proxy.revocable({}, {}); }],
     ['script', function () { return new Script('1'); }], ['json', function () { return JSON.parse('{"a":[1]}'); }],
     ['template', function () { return (function (t) { return t; })`a${1}`; }],
     ['thrown', function () { try { null.x; } catch (e) { return e; } }],
     ['syntax error', function () { try { eval('var'); } catch (e) { return e; } }]
    ].forEach(function (k) { mine(k[0], k[1]); });
    ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
     'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'].forEach(function (n) {
      mine(n, function () { return new this[n](1); }.bind(this));
      mine(n + ' iterator', function () { return new this[n](1).values(); }.bind(this));
    }, this);
    ['Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError', 'InternalError',
     'AggregateError'].forEach(function (n) {
      mine(n, function () { return n === 'AggregateError' ? new AggregateError([]) : new this[n]('x'); }.bind(this));
    }, this);
    for (var i = 0; i < queue.length; i++) {
      var o = queue[i], path = paths.get(o), mineOnly = own.has(o);
      try { inspect(o, path, mineOnly); } catch (e) { problems.push(path + ' cannot be inspected: ' + e); }
    }
    function inspect(o, path, mineOnly) {
      reach(Object.getPrototypeOf(o), path + '.[[Prototype]]');
      if (!mineOnly && Object.isExtensible(o)) problems.push(path + ' is extensible');
      Object.getOwnPropertyNames(o).concat(Object.getOwnPropertySymbols(o)).forEach(function (k) {
        var d = Object.getOwnPropertyDescriptor(o, k);
        if (!d) return;
        if ('value' in d) {
          if (mineOnly) return;
          reach(o[k], path + step(k));
          if (d.writable) problems.push(path + step(k) + ' is writable');
        } else {
          reach(d.get, path + step(k) + '<get>');
          reach(d.set, path + step(k) + '<set>');
        }
        if (!mineOnly && d.configurable) problems.push(path + step(k) + ' is configurable');
      });
    }
    botContext.printDebugMessage('reached ' + (queue.length - own.size));
    problems.slice(0, 200).forEach(function (p) { botContext.printDebugMessage(p); });
    """;

  static ScriptEngine engine;
  final ScriptFixture fixture = new ScriptFixture();

  @BeforeAll
  static void start() {
    engine = new ScriptEngine(null, ScriptLimits.DEFAULTS, null, 1, 10);
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  private List<String> debug(ScriptFixture.Run run) {
    return run.transcript.eventsAsJson().stream().map(JsonObject.class::cast)
      .filter(e -> e.getString("kind").equals("debug")).map(e -> e.getString("text")).toList();
  }

  @Test
  void shouldLeaveNothingChangeableThatAScriptCanReach() {
    ScriptFixture.Run run = fixture.run("walker");
    ScriptOutcome outcome = engine.runHere(WALK, run.bot);

    assertThat(outcome.error()).as("the walk itself").isNull();
    List<String> lines = debug(run);
    assertThat(lines.get(0)).startsWith("reached ");
    assertThat(Integer.parseInt(lines.get(0).substring("reached ".length()))).as("objects reached").isGreaterThan(500);
    assertThat(lines.subList(1, lines.size())).as("changeable objects and properties, by path").isEmpty();
  }

  /**
   * Freezing reaches properties, not the Java fields behind them: every kind of object in the shared graph
   * must be one reviewed as holding no other state a script could change, or one whose mutators refuse the
   * shared object (SharedGraph.SLOTS). A new kind (a Rhino upgrade, a new builtin) fails here until reviewed.
   */
  @Test
  void shouldHoldOnlyKindsOfObjectsReviewedForStateOutsideTheirProperties() {
    Set<String> reviewed = Set.of(
      // the global object, functions and plain objects: no state but their properties
      "org.mozilla.javascript.TopLevel", "org.mozilla.javascript.NativeObject", "org.mozilla.javascript.NativeObject$1", "org.mozilla.javascript.LambdaFunction",
      "org.mozilla.javascript.LambdaConstructor", "org.mozilla.javascript.IdFunctionObject",
      "org.mozilla.javascript.KnownBuiltInFunction", "org.mozilla.javascript.JSFunction",
      "org.mozilla.javascript.NativeGlobal$2", "org.mozilla.javascript.NativeGlobal$EvalLambdaFunction",
      "org.mozilla.javascript.ScriptRuntime$ThrowTypeError", "org.mozilla.javascript.NativeProxy$1",
      "org.mozilla.javascript.NativeJSON", "org.mozilla.javascript.NativeMath", "org.mozilla.javascript.NativeReflect",
      "org.mozilla.javascript.NativeIterator$StopIteration",
      // prototypes holding an immutable primitive, or fields set once when made
      "org.mozilla.javascript.NativeBoolean", "org.mozilla.javascript.NativeNumber", "org.mozilla.javascript.NativeString",
      "org.mozilla.javascript.NativeError", "org.mozilla.javascript.NativeCall", "org.mozilla.javascript.NativeCallSite",
      "org.mozilla.javascript.NativeContinuation",
      // arrays: sealed, so no element can be added (Array.prototype, the setup's arrays)
      "org.mozilla.javascript.NativeArray",
      // the setup's proxy of a frozen target
      "org.mozilla.javascript.NativeProxy",
      // internal slot guarded: its mutators refuse the shared prototype
      "org.mozilla.javascript.NativeDate", "org.mozilla.javascript.regexp.NativeRegExp", "org.mozilla.javascript.NativeScript",
      "org.mozilla.javascript.NativeArrayIterator", "org.mozilla.javascript.NativeStringIterator",
      "org.mozilla.javascript.NativeCollectionIterator", "org.mozilla.javascript.regexp.NativeRegExpStringIterator",
      "org.mozilla.javascript.NativeIterator", "org.mozilla.javascript.ES6Generator", "org.mozilla.javascript.NativeGenerator",
      "io.botgate.script.SharedGraph$Guarded",
      // a size check in front of a builtin: final fields only, the builtin it calls is never handed to scripts
      "io.botgate.script.NativeGuards$Guard",
      // an allocation check in front of a constructor: the same, and the prototype's constructor is the check
      "io.botgate.script.NativeGuards$Allocator",
      // botContext: its functions read the run's BotContext from the thread's context
      "io.botgate.script.BotContextObject");

    SandboxContextFactory factory = new SandboxContextFactory(ScriptLimits.DEFAULTS);
    Context cx = factory.enterContext();
    Set<String> kinds = new TreeSet<>();
    try {
      ScriptableObject shared = cx.initSafeStandardObjects(null, false);
      NativeGuards.install(shared, ScriptLimits.DEFAULTS);
      shared.defineProperty("botContext", new BotContextObject(shared), ScriptableObject.READONLY | ScriptableObject.PERMANENT);
      List<Scriptable> frozen = Prelude.seal(cx, shared);
      frozen.forEach(o -> kinds.add(o.getClass().getName()));
      assertThat(frozen).as("every object frozen is sealed too").allMatch(o -> !(o instanceof ScriptableObject so) || so.isSealed());
    } finally {
      Context.exit();
    }
    assertThat(kinds).as("kinds of shared objects not reviewed for state outside their properties").isSubsetOf(reviewed);
  }
}
