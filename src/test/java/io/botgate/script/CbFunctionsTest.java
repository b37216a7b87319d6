package io.botgate.script;

import io.botgate.cb.context.ContextOptions;
import io.botgate.cb.context.ContextStore;
import io.botgate.cb.context.LocalContextStore;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The botContext functions CB bots call beyond integration data, with CB's argument and return types. */
@Timeout(60)
class CbFunctionsTest {

  static ScriptEngine engine;
  final ScriptFixture fixture = new ScriptFixture();
  final AtomicLong now = new AtomicLong(1_000_000);
  final ContextStore store = new LocalContextStore(new ContextOptions(1 << 20), now::get);

  @BeforeAll
  static void start() {
    engine = new ScriptEngine(null, ScriptLimits.DEFAULTS, null, 1, 10);
  }

  @AfterAll
  static void stop() {
    engine.close();
  }

  private record Ran(ScriptOutcome outcome, BotContext bot, List<String> debug) {
  }

  private Ran run(String session, JsonObject context, String code) {
    ScriptFixture.Run run = fixture.run(session);
    if (context != null) {
      run.session.context(context);
    }
    BotContext bot = new BotContext(run.scope, run.transcript, Map.of(), "script", false,
      new BotContext.Bot(store, "bot-1", null));
    ScriptOutcome outcome = engine.runHere(code, bot);
    List<String> debug = run.transcript.eventsAsJson().stream().map(JsonObject.class::cast)
      .filter(e -> e.getString("kind").equals("debug") && e.getJsonObject("data").isEmpty())
      .map(e -> e.getString("text")).toList();
    return new Ran(outcome, bot, debug);
  }

  @Test
  void shouldReadTheRequestContextThroughCbsGetters() {
    JsonObject context = new JsonObject().put("accountId", "123456").put("userPlatformId", "user-9")
      .put("channel", "lp_web").put("dialogStarterIntent", "billing")
      .put("engagementAttributes", new JsonObject().put("campaignId", 42).put("BearerToken", "t0k"))
      .put("customerInfo", new JsonObject().put("customerId", "c-1").put("imei", "+15550100"))
      .put("personalInfo", new JsonObject().put("firstName", "Ada"))
      .put("webViewVariables", new JsonObject().put("plan", "gold"))
      .put("userLocation", new JsonObject().put("city", "Paris").put("lat", 48.85));

    Ran ran = run("ctx", context, """
      var p = botContext.printDebugMessage;
      p(botContext.getLPAccountId() + '|' + botContext.getUserPlatformId() + '|' + botContext.getUserChannel()
        + '|' + botContext.getDialogStarterIntent());
      var campaign = botContext.getLPEngagementAttribute('campaignId');
      p(typeof campaign + ' ' + campaign + ' ' + botContext.getLPEngagementAttribute('BearerToken')
        + ' ' + botContext.getLPEngagementAttribute('missing'));
      p(botContext.getLPCustomerInfo().customerId + ' ' + botContext.getLPCustomerInfo().imei
        + ' ' + botContext.getLPUserPersonalInfo().firstName);
      p(botContext.getWebViewVariable('plan') + ' ' + JSON.stringify(botContext.getWebViewVariables()));
      var location = botContext.getUserLocation();
      p(location.getCityName() + ' ' + location.getLatitude() + ' ' + location.city + ' ' + location.getLongitude());
      p(botContext.getChatBotId() + ' ' + botContext.isContextApiEnabled());
      """);

    assertThat(ran.outcome.ok()).as(String.valueOf(ran.outcome.error())).isTrue();
    assertThat(ran.debug).containsExactly("123456|user-9|lp_web|billing", "string 42 t0k null",
      "c-1 +15550100 Ada", "gold {\"plan\":\"gold\"}", "Paris 48.85 Paris null", "bot-1 true");
  }

  @Test
  void shouldAnswerNullFromGettersWithoutAContext() {
    Ran ran = run("no-ctx", null, """
      botContext.printDebugMessage(botContext.getLPAccountId() + ' ' + botContext.getLPCustomerInfo() + ' '
        + botContext.getUserLocation() + ' ' + botContext.getWebViewVariable('x') + ' ' + botContext.getUserPlatformId());
      """);

    assertThat(ran.debug).containsExactly("null null null null no-ctx");
  }

  @Test
  void shouldReportTheNextInteractionAndTheDelayAndRunTheRestOfTheCode() {
    Ran ran = run("flow", null, """
      botContext.setMessageDelay(1500);
      botContext.setTriggerNextMessage('goodbye');
      botContext.printDebugMessage('still running');
      """);

    assertThat(ran.debug).containsExactly("still running");
    assertThat(ran.bot.next()).isEqualTo("goodbye");
    assertThat(ran.bot.delayMs()).isEqualTo(1500L);
  }

  @Test
  void shouldIgnoreADelayPastItsBoundAndCutALongNextInteractionName() {
    Ran ran = run("flow-bounds", null, """
      botContext.setMessageDelay(2000);
      botContext.setMessageDelay(1e300);
      botContext.setTriggerNextMessage('n'.repeat(100000));
      """);

    assertThat(ran.bot.delayMs()).as("the huge one ignored").isEqualTo(2000L);
    assertThat(ran.bot.next().length()).isLessThan(70_000).isGreaterThan(60_000);
  }

  @Test
  void shouldKeepContextDataByNamespaceAndScopeWithCbsReturnValues() {
    Ran ran = run("conv-1", new JsonObject().put("userPlatformId", "u1"), """
      var p = botContext.printDebugMessage;
      p('unregistered ' + botContext.setContextDataForUser('prefs', 'lang', 'fr'));
      p('register ' + botContext.registerContextNamespace('prefs') + ' ' + botContext.registerContextNamespace('short', 60));
      p('set ' + botContext.setContextDataForUser('prefs', 'lang', 'fr') + ' '
        + botContext.setContextDataForConversation('prefs', 'step', 3) + ' '
        + botContext.setGlobalContextData('prefs', 'open', true));
      p('get ' + botContext.getContextDataForUser('prefs', 'lang') + ' ' + botContext.getContextDataForConversation('prefs', 'step')
        + ' ' + botContext.getGlobalContextData('prefs', 'open') + ' ' + botContext.getContextDataForUser('prefs', 'none'));
      p('all ' + JSON.stringify(botContext.getContextDataForUser('prefs')));
      p('delete ' + botContext.deleteContextDataForUser('prefs', 'lang') + ' ' + botContext.getContextDataForUser('prefs', 'lang'));
      p('deleteAll ' + botContext.deleteAllContextDataForConversation('prefs') + ' '
        + botContext.getContextDataForConversation('prefs', 'step'));
      """);

    assertThat(ran.debug).containsExactly("unregistered false", "register true true", "set true true true",
      "get fr 3 true null", "all {\"lang\":\"fr\"}", "delete true null", "deleteAll true null");
    assertThat(store.get(ContextStore.Scope.GLOBAL, "prefs", "", "open")).isEqualTo(true);
  }

  @Test
  void shouldShareUserDataBetweenConversationsOfOneUserOnly() {
    store.registerNamespace("prefs", null);
    run("conv-a", new JsonObject().put("userPlatformId", "same-user"),
      "botContext.setContextDataForUser('prefs', 'lang', 'de'); botContext.setContextDataForConversation('prefs', 'c', 'a');");

    Ran same = run("conv-b", new JsonObject().put("userPlatformId", "same-user"),
      "botContext.printDebugMessage(botContext.getContextDataForUser('prefs', 'lang') + ' ' "
        + "+ botContext.getContextDataForConversation('prefs', 'c'));");
    Ran other = run("conv-c", new JsonObject().put("userPlatformId", "other-user"),
      "botContext.printDebugMessage(String(botContext.getContextDataForUser('prefs', 'lang')));");

    assertThat(same.debug).containsExactly("de null");
    assertThat(other.debug).containsExactly("null");
  }

  @Test
  void shouldRefuseANamespaceTtlThatTheHttpApiRefusesToo() {
    Ran ran = run("bad-ttl", null, """
      var r = botContext.registerContextNamespace;
      botContext.printDebugMessage([r('t1', -1), r('t2', ''), r('t3', 1.5), r('t4', 'soon'), r('t5', null),
        r('t6', 0), r('t7', '30')].join());
      """);

    assertThat(ran.debug).containsExactly("false,false,false,false,true,true,true");
    assertThat(store.namespaces()).containsOnlyKeys("t5", "t6", "t7");
  }

  @Test
  void shouldKeepANamespacesTtlWhenABotRegistersItAgainWithoutOne() {
    Ran ran = run("ttl-kept", null, """
      var r = botContext.registerContextNamespace;
      botContext.printDebugMessage([r('kept', 60), r('kept'), r('cleared', 60), r('cleared', 0)].join());
      botContext.setGlobalContextData('kept', 'k', 'v');
      """);

    assertThat(ran.debug).containsExactly("true,true,true,true");
    assertThat(store.namespaces()).containsEntry("kept", 60L).containsEntry("cleared", null);
    now.addAndGet(60_000);
    assertThat(store.get(ContextStore.Scope.GLOBAL, "kept", "", "k")).as("expired after the TTL kept").isNull();
  }

  @Test
  void shouldStopAScriptThatNamesNoNamespaceOrOneThatCannotBeRegisteredSayingWhy() {
    Map<String, String> calls = new java.util.LinkedHashMap<>();
    calls.put("registerContextNamespace()", "registerContextNamespace: the namespace (argument 1) is missing; "
      + "call it as botContext.registerContextNamespace(ns[, ttlSeconds])");
    calls.put("registerContextNamespace(undefined, 60)", "the namespace (argument 1) is undefined");
    calls.put("registerContextNamespace(null)", "the namespace (argument 1) is null");
    calls.put("registerContextNamespace('')", "registerContextNamespace: a namespace needs a name that is not only "
      + "white space; nothing was registered");
    calls.put("registerContextNamespace(' \\t')", "a namespace needs a name");
    calls.put("registerContextNamespace('a\\nb', 60)", "a namespace may not hold control characters (U+000A at position 2)");
    calls.put("registerContextNamespace('\\ud800')", "a namespace may not hold a lone surrogate (U+D800 at position 1)");
    calls.put("deleteContextNamespace()", "deleteContextNamespace: the namespace (argument 1) is missing");
    calls.put("setGlobalContextData(undefined, 'p', 1)", "setGlobalContextData: the namespace (argument 1) is undefined");
    calls.put("setContextDataForUser('prefs')", "setContextDataForUser: the property (argument 2) is missing");
    calls.put("getContextDataForConversation()", "getContextDataForConversation: the namespace (argument 1) is missing");
    calls.put("deleteContextDataForUser('prefs')", "deleteContextDataForUser: the property (argument 2) is missing");
    calls.put("deleteAllContextDataForConversation(null)", "deleteAllContextDataForConversation: the namespace "
      + "(argument 1) is null");
    store.registerNamespace("prefs", null);

    calls.forEach((call, why) -> {
      Ran ran = run("no-name", null, "\nbotContext." + call + ";\nbotContext.printDebugMessage('went on');");

      assertThat(ran.outcome.ok()).as(call).isFalse();
      assertThat(ran.outcome.error().message()).as(call).contains(why);
      assertThat(ran.outcome.error().line()).as(call).isEqualTo(2);
      assertThat(ran.debug).as(call).isEmpty();
    });
    assertThat(store.namespaces()).containsOnlyKeys("prefs");
    assertThat(store.all(ContextStore.Scope.USER, "prefs", "no-name")).isEmpty();
  }

  @Test
  void shouldStopAScriptSettingAValueWithALoneSurrogateNamingTheKeyAndKeepNothing() {
    store.registerNamespace("texts", null);
    Map<String, String> calls = new java.util.LinkedHashMap<>();
    calls.put("setGlobalContextData('texts', 'greeting', 'a\\ud800b')", "setGlobalContextData: the value for "
      + "'greeting' holds a lone surrogate (half of a UTF-16 pair) in value, which has no UTF-8 form; nothing was set");
    calls.put("setContextDataForUser('texts', 'list', {a: ['ok', '\\udc00']})",
      "the value for 'list' holds a lone surrogate (half of a UTF-16 pair) in value.a[1],");
    calls.put("setContextDataForConversation('texts', 'named', {'x\\ud800': 1})",
      "the value for 'named' holds a lone surrogate (half of a UTF-16 pair) in a member's name under value,");

    calls.forEach((call, why) -> {
      Ran ran = run("lone", null, "botContext." + call + ";\nbotContext.printDebugMessage('went on');");

      assertThat(ran.outcome.ok()).as(call).isFalse();
      assertThat(ran.outcome.error().message()).as(call).contains(why);
      assertThat(ran.debug).as(call).isEmpty();
    });
    assertThat(store.all(ContextStore.Scope.GLOBAL, "texts", "")).isEmpty();
    assertThat(store.all(ContextStore.Scope.USER, "texts", "lone")).isEmpty();
    assertThat(store.all(ContextStore.Scope.CONVERSATION, "texts", "lone")).isEmpty();
    Ran pair = run("lone", null, "botContext.setGlobalContextData('texts', 'smile', 'ok \\ud83d\\ude00');"
      + "botContext.printDebugMessage(botContext.getGlobalContextData('texts', 'smile'));");
    assertThat(pair.debug).as("a whole pair is kept").containsExactly("ok \ud83d\ude00");
  }

  @Test
  void shouldForgetDataOnceTheNamespacesTtlHasPassed() {
    run("ttl", null, "botContext.registerContextNamespace('brief', 2); botContext.setGlobalContextData('brief', 'k', 'v');");
    now.addAndGet(1_999);
    assertThat(run("ttl", null, "botContext.printDebugMessage(botContext.getGlobalContextData('brief', 'k'));").debug)
      .containsExactly("v");

    now.addAndGet(1);
    long before = store.bytes();
    assertThat(run("ttl", null, "botContext.printDebugMessage(String(botContext.getGlobalContextData('brief', 'k')));").debug)
      .containsExactly("null");
    store.expire();
    assertThat(store.bytes()).isLessThan(before);
  }

  @Test
  void shouldRefuseAWriteThatWouldPassContextMaxBytes() {
    ContextStore small = new LocalContextStore(new ContextOptions(800));
    assertThat(small.registerNamespace("n", null)).isEqualTo(ContextStore.Outcome.DONE);
    assertThat(small.set(ContextStore.Scope.GLOBAL, "n", "", "a", "x".repeat(100))).isEqualTo(ContextStore.Outcome.DONE);
    assertThat(small.set(ContextStore.Scope.GLOBAL, "n", "", "b", "x".repeat(200))).isEqualTo(ContextStore.Outcome.FULL);
    assertThat(small.get(ContextStore.Scope.GLOBAL, "n", "", "b")).isNull();
    assertThat(small.bytes()).isLessThanOrEqualTo(800);
  }

  @Test
  void shouldNameABotContextFunctionBotgateDoesNotProvide() {
    Ran ran = run("missing", null, "var r = botContext.evaluateOptions('a', ['a']);");

    assertThat(ran.outcome.ok()).isFalse();
    assertThat(ran.outcome.error().message()).contains("botContext.evaluateOptions is not a function botgate provides")
      .contains("README");
    assertThat(ran.outcome.error().line()).isEqualTo(1);
  }
}
