package io.botgate.script;

import org.mozilla.javascript.BaseFunction;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.Function;
import org.mozilla.javascript.NativeArray;
import org.mozilla.javascript.ScriptRuntime;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.ScriptableObject;
import org.mozilla.javascript.SymbolKey;
import org.mozilla.javascript.Undefined;
import org.mozilla.javascript.typedarrays.NativeArrayBuffer;
import org.mozilla.javascript.typedarrays.NativeTypedArrayView;

import java.util.List;
import java.util.Set;

/**
 * Checks the size of what a builtin is about to loop over, or build, before it starts. A builtin loops in
 * Java, where the instruction observer cannot stop it: {@code Array.prototype.includes.call({length: 1e15}, 1)}
 * would keep a worker forever. So every {@code Array.prototype} method (except the few that take constant
 * time) refuses a receiver longer than the array bound, and the builtins that build a big string or array
 * in one call refuse results over the bounds, each with a RangeError naming the limit. The watchdog of
 * {@link ScriptWorkers} remains the backstop for whatever slips past these checks.
 */
final class NativeGuards {

  /**
   * Array methods whose cost does not grow with the receiver's length. Iterators are guarded although
   * each step is cheap: {@code new Set(a.keys())} or {@code Array.from(a.values())} drive them natively.
   */
  private static final Set<String> CONSTANT_TIME = Set.of("constructor", "at", "pop", "push");
  /**
   * Methods of arrays and typed arrays that call the function given first once per element: a builtin given there is
   * called behind the run's checks ({@link BudgetedFunction}).
   */
  private static final Set<String> CALLBACKS = Set.of("every", "filter", "find", "findIndex", "findLast",
    "findLastIndex", "flatMap", "forEach", "map", "reduce", "reduceRight", "some", "sort", "toSorted");
  /** How deep JSON.stringify's size check follows nested values (deeper, stringify itself runs out of stack). */
  private static final int JSON_DEPTH = 1_000;

  /** Constructors that allocate their memory at once, by a length argument (1 byte per element for ArrayBuffer). */
  private static final List<String> ALLOCATORS = List.of("ArrayBuffer", "Int8Array", "Uint8Array", "Uint8ClampedArray",
    "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array",
    "BigUint64Array");
  /** Every refusal's message says this; a refusal the script did not catch is reported as a limit error. */
  static final String REFUSED = " refused: ";

  private final ScriptLimits limits;
  private final ScriptableObject scope;

  private NativeGuards(ScriptableObject scope, ScriptLimits limits) {
    this.scope = scope;
    this.limits = limits;
  }

  /** Replaces the builtins of {@code scope} by guarded ones; call it before the scope is sealed. */
  static void install(ScriptableObject scope, ScriptLimits limits) {
    new NativeGuards(scope, limits).install();
  }

  private void install() {
    ScriptableObject arrays = (ScriptableObject) ScriptableObject.getArrayPrototype(scope);
    for (Object id : arrays.getAllIds()) {
      if (id instanceof String name && !CONSTANT_TIME.contains(name)) {
        guard(arrays, "Array.prototype.", name, switch (name) {
          case "join", "toString", "toLocaleString" -> (cx, self, args) -> {
            arrayLength(name, self);
            joinedLength(name, self, name.equals("join") ? args : new Object[0]);
          };
          case "concat" -> (cx, self, args) -> concatLength(self, args);
          default -> (cx, self, args) -> arrayLength(name, self);
        }, CALLBACKS.contains(name) ? 0 : Guard.NO_CALLBACK);
      }
    }
    if (arrays.get(SymbolKey.ITERATOR, arrays) instanceof Function values) {
      Guard guard = new Guard("Array.prototype[Symbol.iterator]", "values", values,
        (cx, self, args) -> arrayLength("[Symbol.iterator]", self));
      ScriptRuntime.setFunctionProtoAndParent(guard, scope);
      arrays.defineProperty(SymbolKey.ITERATOR, guard, ScriptableObject.DONTENUM);
    }
    if (scope.get("JSON", scope) instanceof ScriptableObject json) {
      guard(json, "JSON.", "stringify", (cx, self, args) -> jsonSize(args.length > 0 ? args[0] : null), 1);
      guard(json, "JSON.", "parse", (cx, self, args) -> { }, 1);
    }
    ScriptableObject strings = (ScriptableObject) ScriptableObject.getClassPrototype(scope, "String");
    guard(strings, "String.prototype.", "repeat", (cx, self, args) ->
      stringLength("repeat", (double) ScriptRuntime.toString(self).length() * number(args, 0)));
    guard(strings, "String.prototype.", "concat", (cx, self, args) -> concatenatedLength(self, args));
    for (String name : List.of("indexOf", "includes", "split", "replace", "replaceAll")) {
      if (strings.get(name, strings) instanceof Function original) {
        define(strings, name, new Guard("String.prototype." + name, name, original, (cx, self, args) -> { },
          (cx, self, args) -> {
            search(name, self, args);
            replacedLength(name, self, args);
          }, 1));
      }
    }
    if (strings.get("localeCompare", strings) instanceof Function original) {
      define(strings, "localeCompare", new Guard("String.prototype.localeCompare", "localeCompare", original,
        (cx, self, args) -> { }, (cx, self, args) -> collation(cx, self, args), Guard.NO_CALLBACK));
    }
    guard(strings, "String.prototype.", "padStart", (cx, self, args) -> stringLength("padStart", number(args, 0)));
    guard(strings, "String.prototype.", "padEnd", (cx, self, args) -> stringLength("padEnd", number(args, 0)));
    if (scope.get("String", scope) instanceof ScriptableObject string && string.get("raw", string) instanceof Function) {
      define(string, "raw", new Guard("String.raw", "raw", new RawString(), (cx, self, args) -> { }));
    }
    ScriptableObject functions = (ScriptableObject) ScriptableObject.getFunctionPrototype(scope);
    guard(functions, "Function.prototype.", "apply", (cx, self, args) -> sourceLength("apply", args, 1));
    // a function bound to a builtin calls it behind the checks: builtins call bound functions natively
    guard(functions, "Function.prototype.", "bind", (cx, self, args) -> { }, Guard.RECEIVER);
    for (Object id : scope.getAllIds()) {
      if (id instanceof String name && scope.get(name, scope) instanceof ScriptableObject ctor
        && ctor instanceof Function && ctor.get("from", ctor) instanceof Function) {
        guard(ctor, name + ".", "from", (cx, self, args) -> sourceLength("from", args, 0), 1);
      }
    }
    if (scope.get("Int8Array", scope) instanceof Function int8
      && int8.get("prototype", int8) instanceof Scriptable int8s
      && int8s.getPrototype() instanceof ScriptableObject typedArrays) {
      // %TypedArray%.prototype: its string builders make up to 25 characters per element in one native step
      for (String name : List.of("join", "toString", "toLocaleString")) {
        guard(typedArrays, "TypedArray.prototype.", name, (cx, self, args) -> arrayLength(name, self));
      }
      for (String name : CALLBACKS) {
        guard(typedArrays, "TypedArray.prototype.", name, (cx, self, args) -> { }, 0);
      }
    }
    for (String name : ALLOCATORS) {
      guardAllocator(name);
    }
    guardProxy();
    for (String name : List.of("Map", "Set")) {
      if (scope.get(name, scope) instanceof Function ctor && ctor.get("prototype", ctor) instanceof ScriptableObject p) {
        guard(p, name + ".prototype.", "forEach", (cx, self, args) -> { }, 0);
      }
    }
    if (scope.get("BigInt", scope) instanceof ScriptableObject bigInt) {
      for (String name : List.of("asIntN", "asUintN")) {
        guard(bigInt, "BigInt.", name, (cx, self, args) -> wrappedBigInt(cx, "BigInt." + name, args));
      }
    }
    if (scope.get("ArrayBuffer", scope) instanceof Function buffers
      && buffers.get("prototype", buffers) instanceof ScriptableObject prototype) {
      for (String name : List.of("transfer", "transferToFixedLength")) {
        guard(prototype, "ArrayBuffer.prototype.", name, (cx, self, args) ->
          allocation(cx, "ArrayBuffer.prototype." + name, args.length > 0 && args[0] != Undefined.instance
            ? ScriptRuntime.toNumber(args[0]) : 0));
      }
    }
    guardIndexedKeys();
    if (scope.get("Reflect", scope) instanceof ScriptableObject reflect) {
      guard(reflect, "Reflect.", "ownKeys", (cx, self, args) -> indexedKeys("Reflect.ownKeys", args, 0, 1));
      guard(reflect, "Reflect.", "apply", (cx, self, args) -> sourceLength("apply", args, 2));
      guard(reflect, "Reflect.", "construct", (cx, self, args) -> sourceLength("construct", args, 1));
    }
  }

  /**
   * Guards what lists or copies every index of a string or a typed array in one native step: a key, a value or an
   * entry made per index ({@code Object.keys(new Int8Array(2e8))} took 900 MB of a 1 GB heap before the watchdog
   * stopped it), and the iterators that the spread and {@code Array.from} drive natively, as the array iterator is.
   */
  private void guardIndexedKeys() {
    if (scope.get("Object", scope) instanceof ScriptableObject object) {
      for (String name : List.of("keys", "values", "entries", "getOwnPropertyNames", "getOwnPropertyDescriptors")) {
        guard(object, "Object.", name, (cx, self, args) -> indexedKeys("Object." + name, args, 0, 1));
      }
      guard(object, "Object.", "assign", (cx, self, args) -> indexedKeys("Object.assign", args, 1, args.length));
    }
    ScriptableObject strings = (ScriptableObject) ScriptableObject.getClassPrototype(scope, "String");
    if (strings.get(SymbolKey.ITERATOR, strings) instanceof Function iterator) {
      Guard guard = new Guard("String.prototype[Symbol.iterator]", "[Symbol.iterator]", iterator,
        (cx, self, args) -> indexedKeys("String.prototype[Symbol.iterator]", new Object[] {self}, 0, 1));
      ScriptRuntime.setFunctionProtoAndParent(guard, scope);
      strings.defineProperty(SymbolKey.ITERATOR, guard, ScriptableObject.DONTENUM);
    }
    if (scope.get("Int8Array", scope) instanceof Function int8
      && int8.get("prototype", int8) instanceof Scriptable int8s
      && int8s.getPrototype() instanceof ScriptableObject typedArrays) {
      for (String name : List.of("keys", "values", "entries")) {
        guard(typedArrays, "TypedArray.prototype.", name, (cx, self, args) -> arrayLength(name, self));
      }
      if (typedArrays.get(SymbolKey.ITERATOR, typedArrays) instanceof Function values) {
        Guard guard = new Guard("TypedArray.prototype[Symbol.iterator]", "values", values,
          (cx, self, args) -> arrayLength("[Symbol.iterator]", self));
        ScriptRuntime.setFunctionProtoAndParent(guard, scope);
        typedArrays.defineProperty(SymbolKey.ITERATOR, guard, ScriptableObject.DONTENUM);
      }
    }
  }

  /** Refuses a string or typed array among {@code args[from..to)} with more indexes than the array bound. */
  private void indexedKeys(String method, Object[] args, int from, int to) {
    for (int i = from; i < Math.min(to, args.length); i++) {
      Object value = args[i];
      if (value instanceof CharSequence text) {
        arrayLength(method, text.length());
      } else if (value instanceof Scriptable object
        && (object instanceof NativeTypedArrayView<?> || "String".equals(object.getClassName()))) {
        arrayLength(method, lengthOf(object));
      }
    }
  }

  /**
   * Puts a constructor that checks the allocation against what is left of the run's memory budget in the
   * place of {@code name}: Rhino allocates a typed array's or a buffer's memory in one step, which the
   * budget, checked between instructions, would only see once it is made (a 2 GiB {@code Float64Array}
   * passed). The guard takes the original's statics and {@code prototype}, and the prototype's {@code
   * constructor} is the guard, so the original is out of a script's reach.
   */
  private void guardAllocator(String name) {
    if (!(scope.get(name, scope) instanceof BaseFunction original)) {
      return;
    }
    Object perElement = original.get("BYTES_PER_ELEMENT", original);
    int bytesPerElement = perElement instanceof Number n ? n.intValue() : 1;
    Allocator allocator = new Allocator(original, (cx, args) -> allocation(cx, name, bytes(args, bytesPerElement,
      name.equals("ArrayBuffer"))));
    ScriptRuntime.setFunctionProtoAndParent(allocator, scope);
    allocator.setPrototype(original.getPrototype());
    Context cx = Context.getCurrentContext();
    Scriptable object = (Scriptable) scope.get("Object", scope);
    Function describe = (Function) object.get("getOwnPropertyDescriptor", object);
    Function define = (Function) object.get("defineProperty", object);
    Scriptable reflect = (Scriptable) scope.get("Reflect", scope);
    Object keys = ((Function) reflect.get("ownKeys", reflect)).call(cx, scope, reflect, new Object[] {original});
    for (Object key : cx.getElements((Scriptable) keys)) {
      if (!List.of("length", "name", "prototype").contains(key)) {
        define.call(cx, scope, object, new Object[] {allocator, key,
          describe.call(cx, scope, object, new Object[] {original, key})});
      }
    }
    if (original.getPrototypeProperty() instanceof ScriptableObject prototype) {
      prototype.defineProperty("constructor", allocator, ScriptableObject.DONTENUM);
    }
    scope.defineProperty(name, allocator, ScriptableObject.DONTENUM);
  }

  /**
   * Puts {@code Proxy} (and {@code Proxy.revocable}) behind a check of the {@code ownKeys} trap's answer: Rhino copies
   * an array answered there into a Java array of its length in one step, so a sparse array of two billion holes was an
   * OutOfMemoryError, which the JVM throws only after full collections that stop every thread of the gateway. Each
   * proxy gets its handler behind a {@link GuardedHandler}, which reads the script's handler at every trap lookup (a
   * trap added later counts) and refuses an answer longer than the array bound, as other builtins refuse array-likes.
   */
  private void guardProxy() {
    if (!(scope.get("Proxy", scope) instanceof BaseFunction original)) {
      return;
    }
    Allocator proxy = new Allocator(original, (cx, args) -> guardHandler(args, 1));
    ScriptRuntime.setFunctionProtoAndParent(proxy, scope);
    if (original.get("revocable", original) instanceof Function revocable) {
      Guard guard = new Guard("Proxy.revocable", "revocable", revocable, (cx, self, args) -> guardHandler(args, 1));
      ScriptRuntime.setFunctionProtoAndParent(guard, scope);
      proxy.defineProperty("revocable", guard, ScriptableObject.DONTENUM);
    }
    scope.defineProperty("Proxy", proxy, ScriptableObject.DONTENUM);
  }

  private void guardHandler(Object[] args, int index) {
    if (index < args.length && args[index] instanceof Scriptable handler && !(handler instanceof GuardedHandler)) {
      args[index] = new GuardedHandler(handler);
    }
  }

  /** A proxy's handler as Rhino reads its traps: the script's own, with the {@code ownKeys} trap's answer checked. */
  private final class GuardedHandler extends ScriptableObject {
    private final Scriptable handler;

    GuardedHandler(Scriptable handler) {
      this.handler = handler;
    }

    @Override
    public Object get(String name, Scriptable start) {
      Object trap = ScriptableObject.getProperty(handler, name);
      if (!(trap instanceof Function function)) {
        return trap;
      }
      // every trap is called on the script's own handler, so that its `this` is the handler it wrote
      boolean keys = "ownKeys".equals(name);
      BaseFunction checked = new BaseFunction() {
        @Override
        public Object call(Context cx, Scriptable callScope, Scriptable thisObj, Object[] args) {
          SandboxContextFactory.checkBetweenBuiltins(cx); // a builtin calls the trap: no instruction checks it
          Object answer = function.call(cx, callScope, handler, args);
          if (keys && answer instanceof Scriptable list) {
            long length = lengthOf(list);
            if (length > limits.maxArrayLength()) {
              throw ScriptRuntime.rangeError("Proxy ownKeys" + REFUSED + "the trap answered an array (or array-like) "
                + "of length " + length + ", more than the limit of " + limits.maxArrayLength() + " elements");
            }
          }
          return answer;
        }
      };
      ScriptRuntime.setFunctionProtoAndParent(checked, scope);
      return checked;
    }

    @Override
    public String getClassName() {
      return "Object";
    }
  }

  /** The bytes a typed array or buffer constructor would allocate for these arguments (as Rhino reads them). */
  private static double bytes(Object[] args, int bytesPerElement, boolean buffer) {
    Object first = args.length > 0 ? args[0] : Undefined.instance;
    if (buffer) {
      return first == Undefined.instance ? 0 : ScriptRuntime.toNumber(first);
    }
    if (first instanceof Number || first instanceof CharSequence) {
      return (double) ScriptRuntime.toInt32(first) * bytesPerElement;
    }
    if (first instanceof Scriptable source && !(first instanceof NativeArrayBuffer)) {
      return (double) lengthOf(source) * bytesPerElement; // a typed array, an array or an array-like, copied
    }
    return 0;
  }

  private void allocation(Context cx, String what, double bytes) {
    allocation(limits, cx, what, bytes);
  }

  /**
   * Refuses to allocate {@code bytes} in one step when they are more than what is left of the run's memory budget,
   * with the RangeError of a refusal: a limit error unless the script catches it.
   */
  static void allocation(ScriptLimits limits, Context cx, String what, double bytes) {
    long allocated = SandboxContextFactory.allocatedSoFar(cx);
    long left = limits.maxAllocatedBytes() - allocated;
    long leftOfTotal = SandboxContextFactory.leftOfTotal(cx, allocated);
    if (bytes > left) {
      throw ScriptRuntime.rangeError(what + REFUSED + "it would allocate " + (long) bytes + " bytes, more than the "
        + Math.max(0, left) + " left of the script's memory budget (" + (limits.maxAllocatedBytes() >> 20)
        + " MiB, script.memory.mb)");
    }
    if (bytes > leftOfTotal) {
      throw ScriptRuntime.rangeError(what + REFUSED + "it would allocate " + (long) bytes + " bytes, more than the "
        + Math.max(0, leftOfTotal) + " left of what the scripts running at once may allocate together ("
        + SandboxContextFactory.mib(SandboxContextFactory.totalBytes(cx)) + " MiB, script.memory.total.mb)");
    }
  }

  /**
   * Checks what {@code BigInt.asIntN} and {@code asUintN} allocate: Rhino makes 2^bits, and for asIntN its half, to
   * reduce the value, whatever the value (up to three numbers of {@code bits} bits, or 768 MB at 2^31), in one step.
   * The bits are converted once, here, and handed on converted, so a {@code valueOf} cannot answer the check one
   * number and Rhino another.
   */
  private void wrappedBigInt(Context cx, String what, Object[] args) {
    if (args.length > 0) {
      args[0] = ScriptRuntime.toIndex(args[0]);
      allocation(cx, what, 3 * ((Integer) args[0] / 8.0));
    }
  }

  static boolean refused(org.mozilla.javascript.EcmaError e) {
    return "RangeError".equals(e.getName()) && e.getErrorMessage().contains(REFUSED);
  }

  /** A size check run before the builtin; throws a RangeError when the size is over a limit. */
  @FunctionalInterface
  private interface Check {
    void verify(Context cx, Scriptable self, Object[] args);
  }

  private void guard(ScriptableObject owner, String ownerName, String name, Check check) {
    guard(owner, ownerName, name, check, Guard.NO_CALLBACK);
  }

  /** {@code callbackAt}: the argument the builtin calls (or {@link Guard#RECEIVER}), given behind the run's checks. */
  private void guard(ScriptableObject owner, String ownerName, String name, Check check, int callbackAt) {
    if (!(owner.get(name, owner) instanceof Function original)) {
      return;
    }
    define(owner, name, new Guard(ownerName + name, name, original, check, null, callbackAt));
  }

  /** Puts {@code guard} in the place of {@code name}, out of a script's enumeration as the builtins are. */
  private void define(ScriptableObject owner, String name, Guard guard) {
    ScriptRuntime.setFunctionProtoAndParent(guard, scope);
    owner.defineProperty(name, guard, ScriptableObject.DONTENUM);
  }

  private void arrayLength(String method, Scriptable self) {
    arrayLength(method, lengthOf(self));
  }

  /** Refuses a length read once by the caller, which goes on with that same length. */
  private void arrayLength(String method, long length) {
    if (length > limits.maxArrayLength()) {
      throw ScriptRuntime.rangeError(method + REFUSED + "the array (or array-like) has length " + length
        + ", more than the limit of " + limits.maxArrayLength() + " elements a builtin may go through");
    }
  }

  private void concatLength(Scriptable self, Object[] args) {
    long total = lengthOf(self);
    for (Object arg : args) {
      if (arg instanceof NativeArray array) {
        total += array.getLength();
      }
    }
    if (total > limits.maxArrayLength()) {
      throw ScriptRuntime.rangeError("concat refused: it would build an array of length " + total
        + ", more than the limit of " + limits.maxArrayLength() + " elements");
    }
  }

  /** Separators plus the strings among the elements: the other elements' text is short or guarded itself. */
  private void joinedLength(String method, Scriptable self, Object[] args) {
    long length = lengthOf(self);
    Object separator = args.length > 0 ? args[0] : null;
    long separatorLength = separator == null || separator == org.mozilla.javascript.Undefined.instance ? 1
      : ScriptRuntime.toString(separator).length();
    double total = length > 0 ? (length - 1) * (double) separatorLength : 0;
    for (long i = 0; i < length && total <= limits.maxStringLength(); i++) {
      if (ScriptableObject.getProperty(self, (int) i) instanceof CharSequence text) {
        total += text.length();
      }
    }
    stringLength(method, total);
  }

  /**
   * String.raw written here rather than checked in front of Rhino's: a check reads {@code raw}, its length and its
   * pieces once and Rhino reads them again, so a getter or a {@code toString} could show the check one thing and
   * the builtin another ({@code {get raw() {...}}} answering {@code {length: 3e8}} the second time). This reads
   * each once, as the specification does, and refuses before an append would pass the string limit.
   */
  private final class RawString extends BaseFunction {
    @Override
    public Object call(Context cx, Scriptable scope, Scriptable thisObj, Object[] args) {
      Scriptable strings = ScriptRuntime.toObject(cx, scope, args.length > 0 ? args[0] : Undefined.instance);
      Object rawValue = ScriptableObject.getProperty(strings, "raw");
      Scriptable raw = ScriptRuntime.toObject(cx, scope, rawValue == Scriptable.NOT_FOUND ? Undefined.instance : rawValue);
      long length = lengthOf(raw);
      arrayLength("String.raw", length);
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < length; i++) {
        Object segment = ScriptableObject.getProperty(raw, i);
        append(out, ScriptRuntime.toString(segment == Scriptable.NOT_FOUND ? Undefined.instance : segment));
        if (i + 1 < length && i + 1 < args.length) {
          append(out, ScriptRuntime.toString(args[i + 1]));
        }
      }
      return out.toString();
    }

    private void append(StringBuilder out, String piece) {
      stringLength("String.raw", (double) out.length() + piece.length());
      out.append(piece);
    }

    @Override
    public int getLength() {
      return 1;
    }
  }

  /** The receiver and the string arguments: the others' text is short or bounded itself. */
  private void concatenatedLength(Scriptable self, Object[] args) {
    double total = ScriptRuntime.toString(self).length();
    for (Object arg : args) {
      if (arg instanceof CharSequence text) {
        total += text.length();
      }
    }
    stringLength("concat", total);
  }

  /**
   * Refuses a search of a text for a string whose worst case is longer than {@link #MAX_SEARCH_STEPS}: the JVM's
   * {@code String.indexOf}, once compiled, searches in one machine-code loop that no safepoint interrupts, so
   * neither the watchdog's stop nor the collector can reach the thread until it ends, and every other thread
   * waits at the next safepoint: {@code s.indexOf(a + 'b')} over two million {@code 'a'}s froze the whole
   * gateway for 76 s. Takes the receiver as its text ({@link Guard} converted it once) and the pattern when it
   * is a string; a regular expression searches in Rhino's own code, which a stop reaches.
   */
  private static void search(String method, Scriptable self, Object[] args) {
    if (args.length == 0 || !(args[0] instanceof CharSequence pattern)) {
      return;
    }
    long n = ScriptRuntime.toString(self).length();
    long m = pattern.length();
    if (m > 1 && n >= m && (n - m + 1) * m > MAX_SEARCH_STEPS) {
      throw ScriptRuntime.rangeError("String.prototype." + method + REFUSED + "searching " + n + " characters for "
        + m + " could take " + (n - m + 1) * m + " steps in one native call (more than " + MAX_SEARCH_STEPS
        + "), which nothing can stop; search for a shorter string, or in a shorter text");
    }
  }

  /**
   * Refuses a {@code replace} or {@code replaceAll} of a string by a string whose result would pass the string limit,
   * before it starts: Rhino builds it in one native loop, which no check reaches, so {@code replaceAll('a', long)}
   * over 4 Mi {@code 'a'}s took 2.6 GB of a 64 MiB budget before the watchdog stopped it. Each match's text is
   * bounded by the replacement's length, plus the whole text for each {@code $`} or {@code $'} and the pattern for
   * each {@code $&} in it; only when that bound passes the limit are the matches counted, and only they count. A
   * regular expression or a function replaces in Rhino's code or the script's own, which the budget checks reach.
   */
  private void replacedLength(String method, Scriptable self, Object[] args) {
    // A pattern or replacement that is a number, a boolean, null or undefined (or left out) is taken as its text by
    // the builtin (ToString), as here: '1'.repeat(n).replaceAll(1, long) built its string unchecked. The call
    // converted objects already; a regular expression or a function stays a Scriptable.
    Object p = args.length > 0 ? args[0] : Undefined.instance;
    Object r = args.length > 1 ? args[1] : Undefined.instance;
    if (!method.startsWith("replace") // indexOf's, includes' and split's second argument is a position or a limit
      || p instanceof Scriptable || r instanceof Scriptable) {
      return;
    }
    String text = ScriptRuntime.toString(self);
    String pattern = ScriptRuntime.toString(p);
    String replacement = ScriptRuntime.toString(r);
    long n = text.length();
    long m = pattern.length();
    long perMatch = replacement.length() + (occurrences(replacement, "$`") + occurrences(replacement, "$'")) * n
      + occurrences(replacement, "$&") * m;
    long most = method.equals("replace") ? 1 : m == 0 ? n + 1 : n / m;
    if (n + most * perMatch <= limits.maxStringLength()) {
      return; // certainly within the limit, without a search
    }
    long matches = method.equals("replace") ? (text.contains(pattern) ? 1 : 0)
      : m == 0 ? n + 1 : occurrences(text, pattern);
    stringLength("String.prototype." + method, n + matches * (perMatch - m));
  }

  private static long occurrences(String text, String part) {
    long count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
      count++;
    }
    return count;
  }

  /**
   * Heap a collation takes per character of the shorter string (Rhino compares with a {@link java.text.Collator}
   * that decomposes as it goes): measured 217 bytes for ASCII, 580 for CJK and for letters with combining marks.
   */
  static final int COLLATION_BYTES_PER_CHAR = 600;

  /**
   * Refuses a {@code localeCompare} whose collation would take more than what is left of the memory budget: it runs in
   * one native call that no check reaches, and its cost grows with the shorter string (two strings of 4 Mi characters
   * that differ at their end took 479 MB and seconds of CPU past the run's limit). The argument is converted once
   * here and handed on converted.
   */
  private void collation(Context cx, Scriptable self, Object[] args) {
    String other = ScriptRuntime.toString(args.length > 0 ? args[0] : Undefined.instance);
    if (args.length > 0) {
      args[0] = other;
    }
    long shorter = Math.min(ScriptRuntime.toString(self).length(), other.length());
    allocation(cx, "String.prototype.localeCompare", (double) shorter * COLLATION_BYTES_PER_CHAR);
  }

  /** About 80 ms of a compiled worst-case search on this machine (2 million by 1 million took 76 s). */
  static final long MAX_SEARCH_STEPS = 1L << 30;

  private void stringLength(String method, double length) {
    if (length > limits.maxStringLength()) {
      throw ScriptRuntime.rangeError(method + REFUSED + "it would build a string of length " + (long) length
        + ", more than the limit of " + limits.maxStringLength() + " characters");
    }
  }

  private void sourceLength(String method, Object[] args, int index) {
    if (index < args.length && args[index] instanceof CharSequence text) {
      arrayLength(method, text.length()); // one element per character
    } else if (index < args.length && args[index] instanceof Scriptable source) {
      long length = lengthOf(source);
      if (length > limits.maxArrayLength()) {
        throw ScriptRuntime.rangeError(method + REFUSED + "its array-like argument has length " + length
          + ", more than the limit of " + limits.maxArrayLength() + " elements");
      }
    }
  }

  /**
   * Elements, properties and characters JSON.stringify would write, counted until one passes its bound:
   * each occurrence of a shared value counts again, as stringify writes it again.
   */
  private void jsonSize(Object value) {
    long[] counts = new long[2];
    countJson(value, counts, 0);
  }

  private void countJson(Object value, long[] counts, int depth) {
    if (value instanceof CharSequence text) {
      counts[1] += text.length();
    } else if (value instanceof Scriptable object && !(value instanceof Function) && depth < JSON_DEPTH) {
      Object[] ids = object instanceof NativeArray ? null : object.getIds();
      long length = ids == null ? lengthOf(object) : ids.length;
      counts[0] += length;
      for (long i = 0; i < length && counts[0] <= limits.maxArrayLength() && counts[1] <= limits.maxStringLength(); i++) {
        Object id = ids == null ? null : ids[(int) i];
        if (id instanceof String name) {
          counts[1] += name.length();
        }
        Object child = ids == null ? object.get((int) i, object)
          : id instanceof String name ? object.get(name, object) : id instanceof Integer n ? object.get(n, object) : null;
        countJson(child, counts, depth + 1);
      }
    }
    if (counts[0] > limits.maxArrayLength()) {
      throw ScriptRuntime.rangeError("JSON.stringify" + REFUSED + "the value holds more than " + limits.maxArrayLength()
        + " elements and properties, the limit a builtin may go through");
    }
    if (counts[1] > limits.maxStringLength()) {
      throw ScriptRuntime.rangeError("JSON.stringify" + REFUSED + "it would build a string of more than "
        + limits.maxStringLength() + " characters, the limit");
    }
  }

  private static long lengthOf(Scriptable self) {
    if (self instanceof NativeArray array) {
      return array.getLength();
    }
    if (self == null) {
      return 0;
    }
    Object length = ScriptableObject.getProperty(self, "length");
    return length == Scriptable.NOT_FOUND ? 0 : ScriptRuntime.toLength(length);
  }

  private static double number(Object[] args, int index) {
    return index < args.length ? ScriptRuntime.toNumber(args[index]) : 0;
  }

  /** A check of the arguments of a constructor that allocates. */
  @FunctionalInterface
  private interface AllocationCheck {
    void verify(Context cx, Object[] args);
  }

  /** A constructor behind an allocation check; it keeps the constructor's name, length and prototype. */
  private static final class Allocator extends StandIn {
    private final BaseFunction original;
    private final AllocationCheck check;

    Allocator(BaseFunction original, AllocationCheck check) {
      super(original);
      this.original = original;
      this.check = check;
      setPrototypeProperty(original.getPrototypeProperty());
    }

    @Override
    public Object call(Context cx, Scriptable scope, Scriptable thisObj, Object[] args) {
      return original.call(cx, scope, thisObj, args); // a TypeError: these need new
    }

    @Override
    public Scriptable construct(Context cx, Scriptable scope, Object[] args) {
      check.verify(cx, args);
      return original.construct(cx, scope, args);
    }
  }

  /**
   * A builtin behind a size check; it keeps the builtin's name and length and is no constructor. It checks the run's
   * memory budget first, as the interpreter does before a call, for the builtin may be called by another (a {@code
   * join} as the {@code toString} of the elements a {@code join} goes through), and hands a builtin it is given to
   * call on behind the run's checks ({@link BudgetedFunction}).
   */
  private static final class Guard extends StandIn {
    static final int NO_CALLBACK = -1;
    /** The function the builtin calls is its receiver ({@code bind}). */
    static final int RECEIVER = -2;

    private final String fullName;
    private final String name;
    private final Check check;
    /** A check of a string method, given its receiver and pattern as strings; null for the others. */
    private final Check onStrings;
    /** Which argument is a function the builtin calls, {@link #RECEIVER} or {@link #NO_CALLBACK}. */
    private final int callbackAt;

    Guard(String fullName, String name, Function original, Check check) {
      this(fullName, name, original, check, null, NO_CALLBACK);
    }

    Guard(String fullName, String name, Function original, Check check, Check onStrings, int callbackAt) {
      super(original);
      this.fullName = fullName;
      this.name = name;
      this.check = check;
      this.onStrings = onStrings;
      this.callbackAt = callbackAt;
    }

    @Override
    public Object call(Context cx, Scriptable scope, Scriptable thisObj, Object[] args) {
      SandboxContextFactory.checkAtCall(cx);
      check.verify(cx, thisObj, args);
      if (callbackAt >= 0 && callbackAt < args.length) {
        args[callbackAt] = BudgetedFunction.of(args[callbackAt], scope);
      } else if (callbackAt == RECEIVER) {
        thisObj = (Scriptable) BudgetedFunction.of(thisObj, scope);
      }
      if (onStrings != null) {
        // Converted once, here, and handed on converted: a toString of the script's own runs once, as the
        // builtin would run it, and cannot answer the check one string and the builtin another.
        if (thisObj != null && !plainString(thisObj)) {
          thisObj = ScriptRuntime.toObject(cx, scope, ScriptRuntime.toString(thisObj));
        }
        if (args.length > 0 && args[0] instanceof Scriptable pattern && !"RegExp".equals(pattern.getClassName())) {
          args[0] = ScriptRuntime.toString(pattern);
        }
        if (name.startsWith("replace") && args.length > 1 && args[1] instanceof Scriptable r && !(r instanceof Function)) {
          args[1] = ScriptRuntime.toString(r); // the replacement too, once, for the check of what it builds
        }
        onStrings.verify(cx, thisObj, args);
      }
      return target.call(cx, scope, thisObj, args);
    }

    /**
     * Whether a receiver is a String object that converts to its own text without running script code: not one with
     * its own {@code toString}, {@code valueOf} or {@code Symbol.toPrimitive}, nor one given another prototype, whose
     * conversion could answer the check one text and the builtin another.
     */
    private static boolean plainString(Scriptable self) {
      return "String".equals(self.getClassName()) && self instanceof ScriptableObject o && !o.has("toString", o)
        && !o.has("valueOf", o) && !o.has(SymbolKey.TO_PRIMITIVE, o)
        && o.getPrototype() == ScriptableObject.getClassPrototype(o, "String");
    }

    @Override
    public Scriptable construct(Context cx, Scriptable scope, Object[] args) {
      throw ScriptRuntime.typeError(fullName + " is not a constructor");
    }

    @Override
    public String getFunctionName() {
      return name;
    }

    @Override
    protected boolean hasPrototypeProperty() {
      return false;
    }
  }
}
