package io.botgate.script;

import org.mozilla.javascript.Context;
import org.mozilla.javascript.EvaluatorException;

import java.util.Optional;

/**
 * Checks that a script compiles, as the engine would compile it (same language level and features, in
 * the sandbox's contexts), without running it: a definition with a broken {@code transformScript} is
 * refused when it is declared rather than failing every execution later.
 */
public final class ScriptSyntax {

  /** What is wrong and where; line and column count from 1 (column 0 when Rhino does not say). */
  public record Problem(int line, int column, String message) {
    @Override
    public String toString() {
      return "syntax error at line " + line + (column > 0 ? ", column " + column : "") + ": " + message;
    }
  }

  private static final SandboxContextFactory FACTORY = new SandboxContextFactory(ScriptLimits.DEFAULTS);

  private ScriptSyntax() {
  }

  /** The first syntax error of {@code source}, if any. */
  public static Optional<Problem> check(String source, String name) {
    Context cx = FACTORY.enterContext();
    try {
      cx.compileString(source, name, 1, null);
      return Optional.empty();
    } catch (EvaluatorException e) {
      return Optional.of(new Problem(e.lineNumber(), e.columnNumber(), e.details()));
    } catch (StackOverflowError e) {
      return Optional.of(new Problem(1, 0, "the script is nested too deeply to compile"));
    } finally {
      Context.exit();
    }
  }
}
