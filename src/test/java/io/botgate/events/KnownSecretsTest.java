package io.botgate.events;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KnownSecretsTest {

  @Test
  void shouldScrubAValueSentInEveryFormAnUpstreamEchoesItIn() {
    KnownSecrets known = new KnownSecrets();
    known.remember(List.of("Tok/en \"9\"", "abc"));
    assertThat(known.scrub("raw Tok/en \"9\" query Tok%2Fen+%229%22 path Tok%2Fen%20%229%22 json Tok\\/en \\\"9\\\""))
      .isEqualTo("raw **** query **** path **** json ****");
    assertThat(known.scrub("tok%2fen+%229%22")).as("lower-cased, as a host or an escape comes back").isEqualTo("****");
    assertThat(known.scrub("abc stays")).as("too short to search for").isEqualTo("abc stays");
  }

  @Test
  void shouldScrubAValueEchoedUpperCasedOrInBase64() {
    KnownSecrets known = new KnownSecrets();
    known.remember(List.of("Bearer TOKEN-sekrit-abc123"));
    String b64 = java.util.Base64.getEncoder().encodeToString("Bearer TOKEN-sekrit-abc123".getBytes());
    assertThat(known.scrub("{\"b64\": \"" + b64 + "\", \"up\": \"BEARER TOKEN-SEKRIT-ABC123\"}"))
      .isEqualTo("{\"b64\": \"****\", \"up\": \"****\"}");
    String unpadded = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("Bearer TOKEN-sekrit-abc123".getBytes());
    assertThat(known.scrub("x=" + unpadded)).isEqualTo("x=****");
    known.remember(List.of("prod"));
    assertThat(known.scrub("prod PROD cHJvZA")).as("a short value: as sent and lower-cased only").isEqualTo("**** PROD cHJvZA");
  }

  @Test
  void shouldScrubAValueAsOtherJsonWritersEscapeItAndEscapedTwice() {
    KnownSecrets known = new KnownSecrets();
    known.remember(List.of("s\u00e9cret-V\u00e4lue-42", "pa\"ss\\wo rd/x"));
    // Python's json.dumps writes what is past ASCII as \\u00e9; a body echoed inside a JSON string is escaped twice
    assertThat(known.scrub("{\"u\": \"s\\u00e9cret-V\\u00e4lue-42\"}")).isEqualTo("{\"u\": \"****\"}");
    assertThat(known.scrub("s\\u00E9cret-V\\u00E4lue-42")).isEqualTo("****");
    assertThat(known.scrub("{\"data\": \"{\\\"q\\\": \\\"pa\\\\\\\"ss\\\\\\\\wo rd/x\\\"}\"}"))
      .isEqualTo("{\"data\": \"{\\\"q\\\": \\\"****\\\"}\"}");
  }

  @Test
  void shouldScrubNestedJsonAndLeaveWhatHoldsNoSecretUncopied() {
    KnownSecrets known = new KnownSecrets();
    JsonObject plain = new JsonObject().put("a", new JsonArray().add("nothing here"));
    assertThat(known.scrub(plain)).as("nothing known yet").isSameAs(plain);
    known.remember(List.of("CredTokValue4242"));
    assertThat(known.scrub(plain)).isSameAs(plain);
    JsonObject echoed = new JsonObject().put("ok", true)
      .put("headers", new JsonObject().put("x-api-key", "CredTokValue4242").put("n", 1))
      .put("list", new JsonArray().add("a").add("key=CredTokValue4242"));
    assertThat(known.scrub(echoed)).isEqualTo(new JsonObject().put("ok", true)
      .put("headers", new JsonObject().put("x-api-key", "****").put("n", 1))
      .put("list", new JsonArray().add("a").add("key=****")));
    assertThat(echoed.getJsonObject("headers").getString("x-api-key")).as("the kept value is not changed")
      .isEqualTo("CredTokValue4242");
  }

  @Test
  void shouldScrubTheLatestOfThousandsOfRenewedTokensAndForgetTheOldest() {
    KnownSecrets known = new KnownSecrets();
    for (int from = 0; from < KnownSecrets.MAX_VALUES + 100; from += 100) { // renewed a hundred at a time
      List<String> batch = new java.util.ArrayList<>();
      for (int i = from; i < from + 100; i++) {
        batch.add("token-" + i + "-renewed");
      }
      known.remember(batch);
    }
    int last = KnownSecrets.MAX_VALUES + 99;
    assertThat(known.scrub("a token-" + last + "-renewed and token-" + (last - 1) + "-renewed; token-0-renewed"))
      .isEqualTo("a **** and ****; token-0-renewed");
  }

  @Test
  void shouldKeepWhatACredentialHoldsWhateverComesAfterAndLetItGoOnceReplaced() {
    KnownSecrets known = new KnownSecrets();
    List<List<String>> told = new ArrayList<>();
    known.onLearnt(told::add);
    known.remember(List.of("quiet-token-1"));
    known.pin("credential a", List.of("quiet-token-1", "static-key-22"));
    known.pin("credential a", List.of("quiet-token-1", "static-key-22")); // the same again: nothing new
    assertThat(told).containsExactly(List.of("quiet-token-1"), List.of("static-key-22"));
    for (int i = 0; i < KnownSecrets.MAX_VALUES + 10; i++) { // never sent again meanwhile
      known.remember(List.of("per-session-user-" + i));
    }
    assertThat(known.scrub("quiet-token-1 static-key-22 per-session-user-0")).isEqualTo("**** **** per-session-user-0");

    known.pin("credential a", List.of("quiet-token-2", "static-key-22")); // the token renewed
    assertThat(known.scrub("quiet-token-1 quiet-token-2")).as("the old one is now among the others").isEqualTo("**** ****");
    for (int i = 0; i < KnownSecrets.MAX_VALUES; i++) {
      known.remember(List.of("later-user-" + i));
    }
    assertThat(known.scrub("quiet-token-1 quiet-token-2 static-key-22")).isEqualTo("quiet-token-1 **** ****");
    known.pin("credential a", List.of()); // removed
    assertThat(known.scrub("quiet-token-2")).as("still masked until others push it out").isEqualTo("****");
  }

  @Test
  void shouldKeepAValueSentAgainWhileThousandsOfNewOnesComeAndGo() {
    KnownSecrets known = new KnownSecrets();
    known.remember(List.of("steady-api-key-77"));
    for (int i = 0; i < KnownSecrets.MAX_VALUES + 400; i++) { // last sent at 3,999: 896 new ones ago
      known.remember(List.of("per-session-user-" + i)); // URL user info from each session's variables
      if (i % 1000 == 999) {
        known.remember(List.of("steady-api-key-77")); // sent on every call of another integration
      }
    }
    assertThat(known.scrub("steady-api-key-77")).isEqualTo("****");
    int last = KnownSecrets.MAX_VALUES + 399;
    assertThat(known.scrub("per-session-user-" + last)).isEqualTo("****");
    assertThat(known.scrub("per-session-user-" + (last - KnownSecrets.MAX_VALUES + 2))).isEqualTo("****");
    assertThat(known.scrub("per-session-user-" + (last - KnownSecrets.MAX_VALUES - 100)))
      .as("sent longest ago: forgotten").isEqualTo("per-session-user-" + (last - KnownSecrets.MAX_VALUES - 100));
  }

  @Test
  void shouldKeepAFormTwoValuesShareUntilBothAreForgotten() {
    KnownSecrets known = new KnownSecrets();
    known.remember(List.of("MixedCase-Secret", "mixedcase-secret")); // the first's lower-cased form is the second
    for (int i = 0; i < KnownSecrets.MAX_VALUES - 1; i++) {
      known.remember(List.of("filler-value-" + i));
      if (i == 10) {
        known.remember(List.of("mixedcase-secret"));
      }
    }
    assertThat(known.scrub("MixedCase-Secret")).as("forgotten").isEqualTo("MixedCase-Secret");
    assertThat(known.scrub("mixedcase-secret")).as("still known, its form kept").isEqualTo("****");
    assertThat(known.scrub("x filler-value-0 y filler-value-" + (KnownSecrets.MAX_VALUES - 2)))
      .isEqualTo("x **** y ****");
  }

  @Test
  void shouldTellTheListenerOfTheValuesItsOwnRequestsTaughtItOnly() {
    KnownSecrets known = new KnownSecrets();
    List<List<String>> told = new ArrayList<>();
    known.onLearnt(told::add);
    known.remember(List.of("first-secret", "abc"));
    known.remember(List.of("first-secret"));
    known.adopt(List.of("from-another-node"));
    known.remember(List.of("from-another-node", "second-secret"));

    assertThat(told).containsExactly(List.of("first-secret"), List.of("second-secret"));
    assertThat(known.scrub("first-secret second-secret from-another-node")).doesNotContain("secret", "another");
  }
}
