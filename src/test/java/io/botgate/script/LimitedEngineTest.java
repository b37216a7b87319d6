package io.botgate.script;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The tests of one limit each, on an engine of their own with small limits ({@link #LIMITS}: 500 ms of CPU, 64 MiB,
 * 1 Mi characters, 256 Ki array members), one worker and ten runs queued, and a fixture of sessions of their own.
 * The test classes run one after the other, so the engine each makes at its start is the one its tests use.
 */
abstract class LimitedEngineTest {

  static final ScriptLimits LIMITS = new ScriptLimits(500, 64L << 20, 200, 1 << 20, 1 << 18);
  static ScriptEngine engine;
  static ScriptFixture fixture;

  @BeforeAll
  static void start() {
    engine = new ScriptEngine(null, LIMITS, null, 1, 10);
    fixture = new ScriptFixture();
  }

  @AfterAll
  static void stop() {
    engine.close();
  }
}
