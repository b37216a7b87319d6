package io.botgate.script;

import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.TimeUnit;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A BigInt an operator or {@code BigInt.asIntN}/{@code asUintN} would make past what is left of the memory budget
 * (64 MiB here) is refused before it is computed: Rhino makes it in one step, up to 256 MB, and checks the budget
 * only at branches and calls, so an array literal of shifts went past the budget by hundreds of MB.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BigIntLimitsTest extends LimitedEngineTest {

  private static ScriptOutcome runOnThePool(String code) throws Exception {
    return engine.run(code, fixture.run("bigint").bot).toCompletionStage().toCompletableFuture()
      .get(60, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "var t = [1n << 2000000000n, 1n << 2000000001n, 1n << 2000000002n, 1n << 2000000003n];",
    "var t = [2n ** 2000000000n, 2n ** 2000000001n];",
    // a square of 45 MB over the 22.5 MB made already: refused before a costly multiplication (squaring 3n over and
    // over reached the budget only after seconds of CPU on a loaded machine, when the time limit could come first)
    "var x = 1n << 180000000n; x *= x;",
    "var t = [1n >> -2000000000n, 1n >> -2000000001n];",
    "var x = 1n << 60000000n; var t = [x << 200000000n, x << 200000000n, x << 200000000n];",
    "var x = (1n << 300000000n) * 7n;",
    "var x = -(1n << 600000000n);",
    "BigInt.asUintN(2 ** 30, -1n);",
    "BigInt.asIntN(2 ** 31 - 1, 1n);",
    "BigInt.asUintN({valueOf: function () { return 2 ** 30; }}, 5n);"
  })
  void shouldRefuseABigIntPastTheMemoryLeftWithALimitErrorAndNoThreadStopped(String code) throws Exception {
    long stopped = engine.stoppedThreads();
    long replaced = engine.replacedThreads();
    ScriptOutcome outcome = runOnThePool(code);
    assertThat(outcome.error()).as("outcome of %s", code).isNotNull();
    assertThat(outcome.error().type()).as("error of %s: %s", code, outcome.error().message()).isEqualTo("limit");
    // refused before it is made, or (the squares' garbage counts) over the budget at the next check
    assertThat(outcome.error().message()).as("%s", code).containsAnyOf("script.memory.mb", "memory limit exceeded");
    assertThat(engine.stoppedThreads()).as("threads the watchdog stopped for %s", code).isEqualTo(stopped);
    assertThat(engine.replacedThreads()).as("threads replaced for %s", code).isEqualTo(replaced);
  }

  /**
   * A sum and an increment are computed by Rhino's interpreter itself, not its ScriptRuntime: each copies the largest
   * BigInt there is, so an array literal of them made hundreds of MB between two checks of the budget.
   */
  @ParameterizedTest
  @ValueSource(strings = {
    "var x = 1n << 400000000n; var t = [x + 1n, x + 2n, x + 3n, x + 4n, x + 5n, x + 6n];",
    "(function () { var x = 1n << 400000000n; var t = [x++, x++, x++, x++, x++, x++]; })();",
    "(function () { var x = 1n << 400000000n; var t = [x--, --x, x--, --x, x--, --x]; })();"
  })
  void shouldRefuseASumOrAnIncrementPastTheMemoryLeftBeforeItIsMade(String code) throws Exception {
    ScriptOutcome outcome = runOnThePool(code);
    assertThat(outcome.error()).as("outcome of %s", code).isNotNull();
    assertThat(outcome.error().type()).as("error of %s: %s", code, outcome.error().message()).isEqualTo("limit");
    assertThat(outcome.error().message()).as("%s", code).contains("refused").contains("script.memory.mb");
  }

  /**
   * A BigInt written as a string past the string limit (1 Mi characters here) is refused before it is written: Java
   * builds it in one step, 400 million characters for {@code x.toString(2)} of a 50 MB BigInt.
   */
  @ParameterizedTest
  @ValueSource(strings = {
    "(1n << 40000000n).toString(2);",
    "var s = '' + (1n << 8000000n);",
    "botContext.sendMessage(String(1n << 8000000n));",
    "var s = `${(1n << 8000000n)}`;"
  })
  void shouldRefuseToWriteABigIntAsAStringPastTheStringLimit(String code) throws Exception {
    long stopped = engine.stoppedThreads();
    ScriptOutcome outcome = runOnThePool(code);
    assertThat(outcome.error()).as("outcome of %s", code).isNotNull();
    assertThat(outcome.error().type()).as("error of %s: %s", code, outcome.error().message()).isEqualTo("limit");
    assertThat(outcome.error().message()).as("%s", code).contains("BigInt toString refused")
      .contains("more than the limit of 1048576 characters");
    assertThat(engine.stoppedThreads()).as("threads the watchdog stopped for %s", code).isEqualTo(stopped);
  }

  @Test
  void shouldLetAScriptCatchTheRefusalAndGoOn() throws Exception {
    ScriptFixture.Run run = fixture.run("bigint-catch");
    ScriptOutcome outcome = engine.run("var name; try { 1n << 2000000000n; } catch (e) { name = e.name; }"
      + " botContext.sendMessage(name + ' ' + (1n << 64n));", run.bot).toCompletionStage().toCompletableFuture()
      .get(60, TimeUnit.SECONDS);
    assertThat(outcome.ok()).as("%s", outcome.error()).isTrue();
    assertThat(run.transcript.eventsAsJson().getJsonObject(0).getString("text")).isEqualTo("RangeError 18446744073709551616");
  }

  @Test
  void shouldKeepBigIntArithmeticOfSaneSizes() throws Exception {
    ScriptFixture.Run run = fixture.run("bigint-sane");
    ScriptOutcome outcome = engine.run("""
      var x = 3n; for (var i = 0; i < 12; i++) { x *= x; }
      var big = 1n << 100000n;
      botContext.sendMessage([2n ** 64n, (1n << 100n) * 3n, -(2n ** 70n), ~5n, 10n ** 30n / 7n, 10n ** 30n % 7n,
        (1n << 100n) >> 98n, 1n << -1n, 5n >> -2n, BigInt.asUintN(64, -1n), BigInt.asIntN(8, 255n),
        BigInt.asUintN(0, 5n), (x.toString().length), ((big * big) >> 199990n), (big - 1n).toString(16).length,
        (big & (big - 1n)), (big | 1n) ^ big, 0n ** 0n, 1n ** 2000000000n, (-1n) ** 2000000001n,
        0n << 2000000000n, (2n ** 100000n === big << 0n && 2n ** 100000n === big)].join());""", run.bot)
      .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    assertThat(outcome.ok()).as("%s", outcome.error()).isTrue();
    assertThat(run.transcript.eventsAsJson().getJsonObject(0).getString("text")).isEqualTo(
      "18446744073709551616,3802951800684688204490109616128,-1180591620717411303424,-6,142857142857142857142857142857,"
        + "1,4,0,20,18446744073709551615,-1,0,1955,1024,25000,0,1,1,1,-1,0,true");
  }

  /**
   * Through the HTTP API with the default budget (256 MiB): the probe that took the heap to 752 MB ends with a
   * limit error and the pool's watchdog had no thread to stop or replace.
   */
  @Test
  void shouldEndTheProbeThroughTheGatewayWithALimitError(Vertx vertx) {
    TestGateway gw = result(TestGateway.start(vertx, new JsonObject()));
    JsonObject answer = result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/sessions/bigint/scripts")
      .sendJsonObject(new JsonObject().put("code", "var t = [1n << 2000000000n, 1n << 2000000001n,"
        + " 1n << 2000000002n, 1n << 2000000003n]; botContext.sendMessage('made ' + t.length);")))
      .bodyAsJsonObject();
    assertThat(answer.getString("outcome")).as("%s", answer.encode()).isEqualTo("error");
    assertThat(answer.getJsonObject("error").getString("type")).isEqualTo("limit");
    assertThat(answer.getJsonObject("error").getString("message")).contains("script.memory.mb");
    String metrics = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/metrics").send()).bodyAsString();
    assertThat(metrics).containsPattern("(?m)^botgate_script_threads_replaced_total 0\\.0$")
      .containsPattern("(?m)^botgate_script_threads_stopped_total 0\\.0$");
  }
}
