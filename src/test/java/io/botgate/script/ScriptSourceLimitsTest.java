package io.botgate.script;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Script size is bounded before compiling; the compiled-script cache is bounded in bytes. */
class ScriptSourceLimitsTest {

  static ScriptEngine engine;
  static final ScriptFixture fixture = new ScriptFixture();

  @BeforeAll
  static void start() {
    engine = new ScriptEngine(null, ScriptLimits.DEFAULTS, null, new ScriptOptions(1, 10, 10_000, 200_000));
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  @Test
  void shouldRefuseASourceOverTheBoundNamingTheKey() {
    String big = "var x = 1;\n".repeat(1_000); // 11,000 bytes
    ScriptOutcome outcome = engine.runHere(big, fixture.run("big").bot);
    assertThat(outcome.error().type()).isEqualTo("limit");
    assertThat(outcome.error().message()).contains("script.maxSourceBytes").contains("11000");
  }

  @Test
  void shouldCountBytesNotCharactersAgainstTheBound() {
    String accented = "var s = '" + "é".repeat(4_000) + "';"; // 4,011 characters, 8,011 bytes
    assertThat(engine.runHere(accented, fixture.run("utf8").bot).ok()).isTrue();
    String over = "var s = '" + "é".repeat(5_000) + "';";   // 10,011 bytes
    assertThat(engine.runHere(over, fixture.run("utf8").bot).error().message()).contains("script.maxSourceBytes");
  }

  @Test
  void shouldBoundTheCompiledCacheInBytes() {
    CompiledScripts cache = new CompiledScripts(100_000);
    for (int i = 0; i < 50; i++) {
      String source = "var v" + i + " = '" + "x".repeat(5_000) + "';";
      cache.put(source, null);
      assertThat(cache.bytes()).isLessThanOrEqualTo(100_000);
    }
    assertThat(cache.size()).isBetween(1, 100_000 / (5_000 * CompiledScripts.BYTES_PER_CHAR));
    cache.put("x".repeat(20_000), null);
    assertThat(cache.get("x".repeat(20_000))).as("a script heavier than the whole cache is not kept").isNull();
  }

  @Test
  void shouldChargeEachFunctionWhatItHoldsBesideTheCharacters() {
    // 51,000 arrows hold about 60 bytes a character compiled (bench/CompiledScriptSize.java): charged at least so
    String arrows = "var v=0;" + "x=>0;".repeat(51_000);
    assertThat(CompiledScripts.functionsAtMost(arrows)).isEqualTo(51_000);
    assertThat(CompiledScripts.estimate(arrows)).isGreaterThan(60L * arrows.length());
    assertThat(CompiledScripts.functionsAtMost("function f(a) { return a; } var o = {m() {}, get g(){return 1}};"
      + " var h = (a, b) => { if (a) { return b; } };")).as("four functions, and the if").isEqualTo(5);
    assertThat(CompiledScripts.functionsAtMost("var s = 'a' + (1 + 2) * 3; f(g(1), {k: 2});")).isZero();
  }

  @Test
  void shouldKeepTheEngineCacheUnderItsBoundAcrossManyScripts() {
    for (int i = 0; i < 60; i++) {
      assertThat(engine.runHere("var s" + i + " = '" + "y".repeat(3_000) + "';", fixture.run("cache").bot).ok()).isTrue();
      assertThat(engine.cachedBytes()).isLessThanOrEqualTo(200_000);
    }
    assertThat(engine.cachedBytes()).isGreaterThan(100_000);
  }
}
