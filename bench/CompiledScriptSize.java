import org.mozilla.javascript.Context;
import org.mozilla.javascript.Script;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Heap a compiled script holds per character of source, as the engine compiles it (interpreted, ES6),
 * heap after GC with 40 compiled scripts of 100,000 characters held, minus before, over their total
 * length; plus the source itself, which the cache holds as its key.
 * Gives CompiledScripts.BYTES_PER_CHAR its value, and with the arrows, functions and methods shapes (2026-12-03:
 * 300-340 bytes a function) BYTES_PER_FUNCTION.
 *   java -cp target/botgate.jar bench/CompiledScriptSize.java
 */
public class CompiledScriptSize {

  public static void main(String[] args) {
    measure("statements", i -> "var a" + i + " = 0; for (var k = 0; k < 10; k++) { a" + i + " += k * 2; if (a" + i
      + " > 5) { botContext.printDebugMessage('x' + k); } }\n");
    measure("literals", i -> "var o" + i + " = {name: 'item " + i + "', tags: ['a', 'b', 'c'], n: " + i + ", nested: {x: 1.5}};\n");
    measure("strings", i -> "var s" + i + " = '" + "lorem ipsum dolor sit amet ".repeat(8) + "';\n");
    measure("numbers", i -> "var n" + i + " = [" + (i + ",").repeat(40) + "0];\n");
    measure("calls", i -> "f(" + i + ",g(h(1),2),'k');");
    measure("arrows", i -> "x=>0;");
    measure("functions", i -> "function f" + i + "(){return 1}\n");
    measure("methods", i -> "var m" + i + " = {a(){}, get b(){return 1}};\n");
  }

  interface Line {
    String of(int i);
  }

  static void measure(String shape, Line line) {
    List<String> sources = new ArrayList<>();
    long chars = 0;
    for (int s = 0; s < 40; s++) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; b.length() < 100_000; i++) {
        b.append(line.of(s * 100_000 + i));
      }
      sources.add(b.toString());
      chars += b.length();
    }
    long before = usedAfterGc(); // the sources are held from here on, as the cache's keys hold them
    List<Object> held = new ArrayList<>();
    Context cx = Context.enter();
    try {
      cx.setLanguageVersion(Context.VERSION_ES6);
      cx.setInterpretedMode(true);
      for (String source : sources) {
        Script script = cx.compileString(source, "s", 1, null);
        held.add(script);
      }
    } finally {
      Context.exit();
    }
    long after = usedAfterGc();
    long compiled = after - before;
    System.out.printf("%-10s %,d chars in 40 scripts: compiled %,d bytes = %.2f bytes/char; with the source as key "
      + "(2 bytes/char at worst) %.2f bytes/char%n", shape, chars, compiled, compiled / (double) chars,
      (compiled + 2.0 * chars) / chars);
    if (held.size() != 40 || sources.size() != 40) {
      throw new IllegalStateException();
    }
  }

  static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
