package io.botgate.script;

import org.mozilla.javascript.Context;
import org.mozilla.javascript.ES6Generator;
import org.mozilla.javascript.ES6Iterator;
import org.mozilla.javascript.Function;
import org.mozilla.javascript.LambdaFunction;
import org.mozilla.javascript.NativeArray;
import org.mozilla.javascript.NativeGenerator;
import org.mozilla.javascript.NativeIterator;
import org.mozilla.javascript.ScriptRuntime;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.SerializableCallable;
import org.mozilla.javascript.ScriptableObject;
import org.mozilla.javascript.Symbol;
import org.mozilla.javascript.Undefined;
import org.mozilla.javascript.regexp.NativeRegExp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Freezes everything a script can reach in the scope that every run shares, without a list of what is
 * there: the walk starts at the global object and at instances of every kind of builtin object (whose
 * prototypes may be reachable only through them: iterators, generators, promises, typed arrays...), and
 * follows own property values (string and symbol keys), getters and setters, and prototypes. Every object
 * it reaches becomes non-extensible with permanent, read-only properties; the walk then checks its own
 * work and refuses to start the engine if anything is left that a script could change.
 *
 * <p>Some state is not in properties, so freezing alone cannot reach it. Every frozen object is also sealed
 * (Rhino then refuses the Java-level additions that ignore extensibility, such as the {@code stack} that
 * {@code Error.captureStackTrace} defines). Prototypes that are themselves instances with a mutable
 * internal slot ({@code Date.prototype}'s time, {@code RegExp.prototype}'s and {@code Script.prototype}'s
 * compiled code, the progress of an iterator or generator prototype) get mutators that refuse the shared
 * prototype as {@code this}. Rhino's {@code With} constructor, whose prototype is a delegating object that
 * cannot be frozen at all, is removed (scripts have no use for it). What Rhino keeps outside the objects
 * is made per run by {@link RunState}.
 */
final class SharedGraph {

  /**
   * Objects of every kind a script can make, each as {@code [label, object]}, so that the walk reaches
   * the prototypes that only instances lead to. Each kind is made in its own try: a kind this Rhino does
   * not offer is simply absent.
   */
  static final String INSTANCES = """
    (function () {
      var made = [];
      function make(label, build) {
        try {
          var v = build();
          if ((typeof v === 'object' && v !== null) || typeof v === 'function') made.push([label, v]);
        } catch (e) {
        }
      }
      var arr = [1, 2], str = 'ab', map = new Map([[1, 1]]), set = new Set([1]);
      make('array', function () { return arr; });
      make('array iterator', function () { return arr[Symbol.iterator](); });
      make('array keys', function () { return arr.keys(); });
      make('array entries', function () { return arr.entries(); });
      make('string iterator', function () { return str[Symbol.iterator](); });
      make('string object iterator', function () { return new String('ab')[Symbol.iterator](); });
      make('regexp string iterator', function () { return str.matchAll(/a/g); });
      make('map', function () { return map; });
      make('map iterator', function () { return map[Symbol.iterator](); });
      make('map keys', function () { return map.keys(); });
      make('map values', function () { return map.values(); });
      make('set', function () { return set; });
      make('set iterator', function () { return set[Symbol.iterator](); });
      make('set entries', function () { return set.entries(); });
      make('weak map', function () { return new WeakMap(); });
      make('weak set', function () { return new WeakSet(); });
      make('legacy iterator', function () { return Iterator({ a: 1 }); });
      make('legacy array iterator', function () { return Iterator([1]); });
      make('generator function', function () { return eval('(function* () { yield 1; })'); });
      make('generator', function () { return eval('(function* () { yield 1; })')(); });
      make('legacy generator', function () { return eval('(function () { yield 1; })')(); });
      make('arrow function', function () { return eval('(() => 1)'); });
      make('async function', function () { return eval('(async function () {})'); });
      make('class', function () { return eval('(class A {})'); });
      make('function', function () { return function f() {}; });
      make('accessor object', function () {
        return { get a() { return 1; }, set a(v) {} };
      });
      make('promise', function () { return Promise.resolve(1); });
      make('pending promise', function () {
        return new Promise(function (resolve, reject) { made.push(['promise resolve', resolve], ['promise reject', reject]); });
      });
      make('rejected promise', function () { var p = Promise.reject(1); p['catch'](function () {}); return p; });
      make('promise then', function () { return Promise.resolve(1).then(function () {}); });
      make('array buffer', function () { return new ArrayBuffer(8); });
      make('data view', function () { return new DataView(new ArrayBuffer(8)); });
      ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
        'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'].forEach(function (name) {
        make(name, function () { return new (eval(name))(2); });
        make(name + ' iterator', function () { return new (eval(name))(2)[Symbol.iterator](); });
        make(name + ' keys', function () { return new (eval(name))(2).keys(); });
        make(name + ' entries', function () { return new (eval(name))(2).entries(); });
      });
      make('regexp', function () { return /(a)(?<n>b)?/g; });
      make('regexp exec result', function () { return /(a)(?<n>b)?/.exec('ab'); });
      make('regexp exec groups', function () { return /(a)(?<n>b)?/.exec('ab').groups; });
      make('string match result', function () { return 'ab'.match(/a/); });
      make('string split result', function () { return 'a,b'.split(','); });
      ['Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError',
        'InternalError', 'AggregateError'].forEach(function (name) {
        make(name, function () { return name === 'AggregateError' ? new AggregateError([], 'x') : new (eval(name))('x'); });
      });
      make('thrown type error', function () { try { null.x; } catch (e) { return e; } });
      make('thrown reference error', function () { try { eval('undefinedName'); } catch (e) { return e; } });
      make('thrown syntax error', function () { try { eval('var'); } catch (e) { return e; } });
      make('thrown range error', function () { try { new Array(-1); } catch (e) { return e; } });
      make('bound function', function () { return function () {}.bind(null, 1); });
      make('bound builtin', function () { return Array.prototype.map.bind([]); });
      make('arguments', function () { return (function () { return arguments; })(1); });
      make('strict arguments', function () { return (function () { 'use strict'; return arguments; })(1); });
      make('date', function () { return new Date(0); });
      make('symbol object', function () { return Object(Symbol('x')); });
      make('bigint object', function () { return Object(BigInt(1)); });
      make('boolean object', function () { return new Boolean(true); });
      make('number object', function () { return new Number(1); });
      make('string object', function () { return new String('ab'); });
      make('object', function () { return {}; });
      make('null-prototype object', function () { return Object.create(null); });
      make('proxy', function () { return new Proxy({}, {}); });
      make('function proxy', function () { return new Proxy(function () {}, {}); });
      make('revocable proxy', function () { return Proxy.revocable({}, {}); });
      make('json result', function () { return JSON.parse('{"a":[1]}'); });
      make('script', function () { return new Script('1'); });
      make('template strings', function () { return (function (s) { return s; })`a${1}b`; });
      make('continuation', function () { return new Continuation(); });
      make('call site', function () {
        var sites;
        var saved = Error.prepareStackTrace;
        Error.prepareStackTrace = function (e, s) { sites = s; return ''; };
        try { new Error('x').stack; } finally { Error.prepareStackTrace = saved; }
        return sites && sites[0];
      });
      return made;
    })()
    """;

  /**
   * Prototypes that are themselves instances holding a mutable internal slot (by Java class), and which
   * of their methods could change it when called on the prototype: a Date's time, a RegExp's or Script's
   * compiled code, an iterator's or generator's progress (a generator prototype left "executing" by one
   * run refuses every later run).
   */
  private static final List<InternalSlot> SLOTS = List.of(
    new InternalSlot(o -> o.getClass().getName().equals("org.mozilla.javascript.NativeDate"), n -> n.startsWith("set")),
    new InternalSlot(o -> o instanceof NativeRegExp, "compile"::equals),
    new InternalSlot(o -> o.getClass().getName().equals("org.mozilla.javascript.NativeScript"), "compile"::equals),
    new InternalSlot(o -> o instanceof ES6Iterator || o instanceof NativeIterator, n -> true),
    new InternalSlot(o -> o instanceof ES6Generator || o instanceof NativeGenerator, n -> true));

  private record InternalSlot(Predicate<Scriptable> holder, Predicate<String> mutator) {
  }

  /** Globals Rhino defines whose objects cannot be frozen; none is of use to a script. */
  static final Set<String> REMOVED_GLOBALS = Set.of("With");

  private SharedGraph() {
  }

  /**
   * Freezes everything reachable from {@code scope}, which must not be sealed yet; answers every object
   * frozen.
   *
   * @throws IllegalStateException naming the path of anything the freeze left changeable
   */
  static List<Scriptable> freeze(Context cx, ScriptableObject scope) {
    REMOVED_GLOBALS.forEach(scope::delete);
    RunState.install(scope);
    for (Object id : scope.getAllIds()) {
      // A lazily loaded constructor stays a loader in its slot, which getOwnPropertyDescriptor hands out as
      // is (a Rhino defect): give each global a plain slot holding its built value.
      String name = String.valueOf(id);
      int attributes = scope.getAttributes(name);
      Object value;
      try {
        value = scope.get(name, scope);
      } catch (IllegalStateException e) {
        scope.delete(name); // a constructor that the safe standard objects leave out
        continue;
      }
      scope.delete(name);
      scope.defineProperty(name, value, attributes);
    }
    Object instances = cx.evaluateString(scope, INSTANCES, "instances", 1, null);
    Walk walk = new Walk(cx, scope);
    walk.reach(scope, "global");
    walk.expandAll();
    for (Object pair : (NativeArray) instances) {
      NativeArray labelled = (NativeArray) pair;
      walk.reachInstance((Scriptable) labelled.get(1), "(" + labelled.get(0) + ")");
    }
    walk.expandAll();
    for (Scriptable guard : guardInternalSlots(walk.frozen())) {
      walk.reach(guard, "(guarded " + guard.get("name", guard) + ")");
    }
    do {
      walk.expandAll();
      walk.lockAll();
    } while (walk.pending());
    List<String> problems = walk.check();
    if (!problems.isEmpty()) {
      throw new IllegalStateException("the shared script scope could not be frozen: " + problems);
    }
    List<Scriptable> frozen = walk.frozen();
    for (Scriptable o : frozen) {
      if (o instanceof ScriptableObject so) {
        // Also closes the Java-level doors that ignore extensibility (Error.captureStackTrace defines
        // "stack" on any object it is given): a sealed object refuses every added or deleted property.
        so.sealObject();
      }
    }
    return frozen;
  }

  /**
   * Makes the mutators of a shared object that carries an internal slot refuse that object as {@code
   * this} (instances are unaffected); answers the wrappers, to be frozen with the rest.
   */
  private static List<Scriptable> guardInternalSlots(List<Scriptable> reached) {
    List<Scriptable> guards = new ArrayList<>();
    for (Scriptable o : reached) {
      for (InternalSlot slot : SLOTS) {
        if (o instanceof ScriptableObject holder && slot.holder().test(holder)) {
          guards.addAll(guard(holder, slot));
        }
      }
    }
    return guards;
  }

  private static List<Scriptable> guard(ScriptableObject proto, InternalSlot slot) {
    List<Scriptable> guards = new ArrayList<>();
    for (Object id : proto.getAllIds()) {
      if (!(id instanceof String name) || !slot.mutator().test(name)
        || !(proto.get(name, proto) instanceof Function original) || original instanceof Guarded) {
        continue;
      }
      int arity = ScriptRuntime.toInt32(original.get("length", original));
      Guarded guarded = new Guarded(proto, name, arity, (cx, s, thisObj, args) -> {
        if (thisObj == proto) {
          throw ScriptRuntime.typeError("builtins are shared by every session and cannot be changed: "
            + proto.getClassName() + ".prototype." + name);
        }
        return original.call(cx, s, thisObj, args);
      });
      proto.defineProperty(name, guarded, proto.getAttributes(name));
      guards.add(guarded);
    }
    return guards;
  }

  /** A mutator wrapped to refuse its shared prototype. */
  private static final class Guarded extends LambdaFunction {
    Guarded(Scriptable scope, String name, int arity, SerializableCallable body) {
      super(scope, name, arity, body, false);
    }
  }

  /**
   * The walk, at Java speed but through the very builtins a script would use ({@code
   * Object.getOwnPropertyNames}, {@code getOwnPropertySymbols}, {@code getOwnPropertyDescriptor}, {@code
   * defineProperty}, {@code getPrototypeOf}, {@code preventExtensions}), so it sees the graph as scripts do.
   * On prototypes (and the global object), a writable property that instances commonly own (a value that
   * is not a method, such as an error's {@code message} or {@code fileName}, which Rhino itself assigns on
   * every new error, and the methods scripts commonly give their own objects) becomes an accessor:
   * reading gives the builtin, assigning on an instance defines the instance's own property (as in an
   * unfrozen realm), assigning on the shared object throws.
   */
  private static final class Walk {
    private static final Set<String> OVERRIDABLE = Set.of("toString", "valueOf", "constructor", "toLocaleString",
      "toJSON", "message", "name", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable");

    private final Context cx;
    private final ScriptableObject scope;
    private final Scriptable objectCtor;
    private final Function names;
    private final Function symbols;
    private final Function descriptor;
    private final Function defineProperty;
    private final Function prototypeOf;
    private final Function preventExtensions;
    private final Function isExtensible;
    private final Map<Scriptable, String> paths = new IdentityHashMap<>();
    private final List<Scriptable> queue = new ArrayList<>();
    private final Set<Scriptable> instances = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<Scriptable> prototypes = Collections.newSetFromMap(new IdentityHashMap<>());
    private int expanded;
    private int locked;

    Walk(Context cx, ScriptableObject scope) {
      this.cx = cx;
      this.scope = scope;
      this.objectCtor = (Scriptable) scope.get("Object", scope);
      this.names = builtin("getOwnPropertyNames");
      this.symbols = builtin("getOwnPropertySymbols");
      this.descriptor = builtin("getOwnPropertyDescriptor");
      this.defineProperty = builtin("defineProperty");
      this.prototypeOf = builtin("getPrototypeOf");
      this.preventExtensions = builtin("preventExtensions");
      this.isExtensible = builtin("isExtensible");
    }

    private Function builtin(String name) {
      return (Function) objectCtor.get(name, objectCtor);
    }

    private Object call(Function f, Object... args) {
      return f.call(cx, scope, objectCtor, args);
    }

    void reach(Object value, String path) {
      if (value instanceof Scriptable o && !paths.containsKey(o)) {
        paths.put(o, path);
        queue.add(o);
      }
    }

    void reachInstance(Scriptable o, String label) {
      if (!paths.containsKey(o)) {
        instances.add(o);
        reach(o, label);
      }
    }

    boolean pending() {
      return expanded < queue.size();
    }

    void expandAll() {
      while (expanded < queue.size()) {
        expand(queue.get(expanded++));
      }
    }

    void lockAll() {
      while (locked < queue.size()) {
        Scriptable o = queue.get(locked++);
        if (!instances.contains(o)) {
          lock(o);
        }
      }
    }

    List<Scriptable> frozen() {
      return queue.stream().filter(o -> !instances.contains(o)).toList();
    }

    private List<Object> keys(Scriptable o) {
      List<Object> keys = new ArrayList<>();
      for (Object k : (NativeArray) call(names, o)) {
        keys.add(k);
      }
      for (Object k : (NativeArray) call(symbols, o)) {
        keys.add(k);
      }
      return keys;
    }

    private Scriptable descriptorOf(Scriptable o, Object key) {
      return call(descriptor, o, key) instanceof Scriptable d ? d : null;
    }

    private static boolean flag(Scriptable descriptor, String name) {
      Object value = ScriptableObject.getProperty(descriptor, name);
      return value != Scriptable.NOT_FOUND && Context.toBoolean(value);
    }

    private static String step(Object key) {
      return key instanceof Symbol ? "[" + key + "]" : "." + key;
    }

    private void expand(Scriptable o) {
      String path = paths.get(o);
      if (call(prototypeOf, o) instanceof Scriptable p) {
        prototypes.add(p);
        reach(p, path + ".[[Prototype]]");
      }
      for (Object key : keys(o)) {
        Scriptable d = descriptorOf(o, key);
        if (d == null) {
          continue;
        }
        if (ScriptableObject.hasProperty(d, "value")) {
          // Read, not the descriptor's value: a lazily built value is handed out unbuilt by the descriptor.
          Object value = ScriptRuntime.getObjectElem(o, key, cx, scope);
          if ("prototype".equals(key) && o instanceof Function && value instanceof Scriptable proto) {
            prototypes.add(proto);
          }
          reach(value, path + step(key));
        } else {
          reach(ScriptableObject.getProperty(d, "get"), path + step(key) + "<get>");
          reach(ScriptableObject.getProperty(d, "set"), path + step(key) + "<set>");
        }
      }
    }

    private void lock(Scriptable o) {
      boolean global = o == scope;
      boolean prototype = global || prototypes.contains(o);
      for (Object key : keys(o)) {
        Scriptable d = descriptorOf(o, key);
        if (d == null || !flag(d, "configurable") && !flag(d, "writable")) {
          continue;
        }
        Scriptable change = cx.newObject(scope);
        if (!flag(d, "configurable")) {
          change.put("writable", change, false); // a permanent but writable data property
          change.put("enumerable", change, flag(d, "enumerable"));
          call(defineProperty, o, key, change);
          continue;
        }
        change.put("configurable", change, false);
        if (!ScriptableObject.hasProperty(d, "value")) {
          call(defineProperty, o, key, change);
        } else if (flag(d, "writable") && prototype && (global || OVERRIDABLE.contains(key)
          || !(ScriptRuntime.getObjectElem(o, key, cx, scope) instanceof Function))) {
          Object value = ScriptRuntime.getObjectElem(o, key, cx, scope);
          String name = key instanceof Symbol ? key.toString() : String.valueOf(key);
          LambdaFunction get = new LambdaFunction(scope, name, 0, (c, s, self, a) -> value, false);
          LambdaFunction set = new LambdaFunction(scope, name, 1, (c, s, self, a) -> {
            if (self == o) {
              throw ScriptRuntime.typeError("builtins are shared by every session and cannot be changed: " + name);
            }
            Scriptable own = c.newObject(scope);
            own.put("value", own, a.length > 0 ? a[0] : Undefined.instance);
            own.put("writable", own, true);
            own.put("enumerable", own, true);
            own.put("configurable", own, true);
            return defineProperty.call(c, scope, objectCtor, new Object[] {self, key, own});
          }, false);
          change.put("get", change, get);
          change.put("set", change, set);
          change.put("enumerable", change, flag(d, "enumerable"));
          call(defineProperty, o, key, change);
          reach(get, paths.get(o) + step(key) + "<get>");
          reach(set, paths.get(o) + step(key) + "<set>");
        } else {
          change.put("writable", change, false);
          call(defineProperty, o, key, change);
        }
      }
      call(preventExtensions, o);
    }

    /** The path of everything left that a script could change: an extensible object, a changeable property. */
    List<String> check() {
      List<String> problems = new ArrayList<>();
      for (Scriptable o : frozen()) {
        String path = paths.get(o);
        if (Context.toBoolean(call(isExtensible, o))) {
          problems.add(path + " is extensible");
        }
        for (Object key : keys(o)) {
          Scriptable d = descriptorOf(o, key);
          if (d != null && (flag(d, "configurable") || flag(d, "writable"))) {
            problems.add(path + step(key) + " is " + (flag(d, "configurable") ? "configurable" : "writable"));
          }
        }
      }
      return problems;
    }
  }
}
