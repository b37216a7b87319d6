package io.botgate.script;

import io.botgate.cb.context.ContextOptions;
import io.botgate.cb.context.ContextStore;
import io.botgate.cb.context.LocalContextStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code getGlobalContextData(ns)} of a namespace near {@code context.maxBytes} builds it all in one botContext call,
 * out of the instruction observer's and the watchdog's reach: the build itself keeps to the run's CPU limit and
 * memory budget.
 */
class ContextReadLimitsTest {

  private static final com.sun.management.ThreadMXBean THREADS =
    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final ContextStore store = new LocalContextStore(new ContextOptions(ContextOptions.DEFAULT_MAX_BYTES));
  private static final ScriptFixture fixture = new ScriptFixture();
  private static final List<ScriptEngine> engines = new java.util.ArrayList<>();

  @BeforeAll
  static void fill() {
    store.registerNamespace("big", null);
    JsonObject value = new JsonObject().put("title", "t").put("count", 1).put("tags", new JsonArray().add("a").add("b"))
      .put("more", new JsonObject().put("x", 1).put("y", 2));
    int i = 0;
    while (store.set(ContextStore.Scope.GLOBAL, "big", "", "p" + i, value) == ContextStore.Outcome.DONE) {
      i++;
    }
    assertThat(store.bytes()).as("the namespace is near context.maxBytes").isGreaterThan(ContextOptions.DEFAULT_MAX_BYTES * 9 / 10);
    readWhole();
  }

  @AfterAll
  static void stop() {
    engines.forEach(ScriptEngine::close);
  }

  private static ScriptEngine engine(long cpuMillis, long memoryBytes) {
    ScriptEngine engine = new ScriptEngine(null, new ScriptLimits(cpuMillis, memoryBytes, 200, 4 << 20, 1 << 20), null,
      new ScriptOptions(1, 10, 4096, 1 << 20, Long.MAX_VALUE));
    engines.add(engine);
    return engine;
  }

  private record Ran(ScriptOutcome outcome, List<String> debug, long allocated) {
  }

  /** Runs on this thread, so that what the run allocated is read from its counter. */
  private static Ran run(ScriptEngine engine, String code) {
    ScriptFixture.Run run = fixture.run("context-reader");
    BotContext bot = new BotContext(run.scope, run.transcript, Map.of(), "script", false,
      new BotContext.Bot(store, "bot-1", null));
    long before = THREADS.getCurrentThreadAllocatedBytes();
    ScriptOutcome outcome = engine.runHere(code, bot);
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    List<String> debug = run.transcript.eventsAsJson().stream().map(JsonObject.class::cast)
      .filter(e -> e.getString("kind").equals("debug") && e.getJsonObject("data").isEmpty())
      .map(e -> e.getString("text")).toList();
    return new Ran(outcome, debug, allocated);
  }

  private static final String READ = "var all = botContext.getGlobalContextData('big'); botContext.printDebugMessage('read');";

  /** What building the whole namespace allocates, read once with limits it stays within. */
  private static long whole;

  private static void readWhole() {
    Ran ran = run(engine(60_000, 4L << 30), READ);
    assertThat(ran.outcome().ok()).as(String.valueOf(ran.outcome().error())).isTrue();
    whole = ran.allocated();
  }

  @Test
  void shouldStopBuildingANamespaceAtTheCpuLimit() {
    Ran stopped = run(engine(5, 4L << 30), READ);
    assertThat(stopped.outcome().error().type()).isEqualTo("limit");
    assertThat(stopped.outcome().error().message()).contains("CPU time limit of 5 ms exceeded");
    assertThat(stopped.debug()).isEmpty();
    assertThat(stopped.allocated()).as("what the stopped run allocated, against the whole build's %d", whole)
      .isLessThan(whole / 2);
  }

  @Test
  void shouldStopBuildingANamespaceAtTheMemoryBudget() {
    Ran stopped = run(engine(60_000, 16L << 20), READ);
    assertThat(stopped.outcome().error().message()).isEqualTo("memory limit exceeded: the script allocated more than 16 MiB");
    assertThat(stopped.debug()).isEmpty();
    assertThat(stopped.allocated()).as("what the stopped run allocated, against the whole build's %d", whole)
      .isLessThan(whole / 2);
  }
}
