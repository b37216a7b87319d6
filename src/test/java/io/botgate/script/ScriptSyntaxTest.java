package io.botgate.script;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Syntax checks agree with what the engine reports when it runs the same source. */
class ScriptSyntaxTest {

  @Test
  void shouldReportTheSameLineAndColumnAsARun() {
    String source = "var a = 1;\nvar b = ;\n";
    ScriptSyntax.Problem problem = ScriptSyntax.check(source, "transformScript").orElseThrow();
    ScriptError run = new ScriptEngine(null, ScriptLimits.DEFAULTS, null, 1, 1)
      .runHere(source, new ScriptFixture().run("syntax").bot).error();
    assertThat(run.type()).isEqualTo("syntax");
    assertThat(problem.line()).isEqualTo(run.line()).isEqualTo(2);
    assertThat(problem.column()).isEqualTo(run.column());
    assertThat(problem.message()).isEqualTo(run.message());
    assertThat(problem.toString()).startsWith("syntax error at line 2, column " + run.column() + ": ");
  }

  @Test
  void shouldSayWhatItFoundWhereRhinoSaysOnlySyntaxError() {
    ScriptEngine engine = new ScriptEngine(null, ScriptLimits.DEFAULTS, null, 1, 1);
    ScriptError run = engine.runHere("var a = 1;\nvar b = ;\n", new ScriptFixture().run("syntax").bot).error();
    assertThat(run.message()).isEqualTo("unexpected ';'");
    assertThat(run.describe()).isEqualTo("script: syntax error at 2:9: unexpected ';'");
    assertThat(ScriptSyntax.check("if (ok) { go(); } }", "transformScript").orElseThrow())
      .hasToString("syntax error at line 1, column 19: unexpected '}'");
    assertThat(ScriptSyntax.check("var total = 1 +\n", "transformScript").orElseThrow().message())
      .as("Rhino's own").isEqualTo("Unexpected end of file");
    assertThat(ScriptSyntax.check("var x = 1 + * 2;", "transformScript").orElseThrow().message())
      .isEqualTo("unexpected '*'");
    assertThat(ScriptSyntax.check("var x = 1 + in 2;", "transformScript").orElseThrow().message())
      .isEqualTo("unexpected 'in'");
    assertThat(ScriptSyntax.check("if (x {", "transformScript").orElseThrow().message())
      .as("Rhino's own message where it says more").isEqualTo("missing ) after condition");
  }

  @Test
  void shouldCheckWithoutRunning() {
    assertThat(ScriptSyntax.check("while (true) {}", "transformScript")).isEmpty();
    assertThat(ScriptSyntax.check("(".repeat(200_000), "deep")).isPresent();
  }
}
