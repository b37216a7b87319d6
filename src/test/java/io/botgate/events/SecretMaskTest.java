package io.botgate.events;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The documented name rule, its additions from mask.headers, and masking of URLs and text bodies. */
class SecretMaskTest {

  private final SecretMask mask = new SecretMask(List.of("X-Internal-Route"));

  @Test
  void shouldTreatSecretLookingNamesAsSecret() {
    assertThat(List.of("Authorization", "Cookie", "X-Custom-Credential", "X-Authentication", "X-Client-Pass", "pw",
      "pwd", "code", "password", "passwd", "Passwort", "api_key", "apiKey", "APIKey", "X-Api-Key", "access_token",
      "refreshtoken", "client_secret", "X-Auth-Token", "X-Auth", "X-Amz-Signature", "sig", "session", "JSESSIONID",
      "PHPSESSID", "auth_code", "authCode", "verificationCode", "Ocp-Apim-Subscription-Key", "X-CSRF-Token", "pin",
      "otp", "private_key", "OAuth-Consumer", "X-Internal-Route", "x-internal-route"))
      .allSatisfy(name -> assertThat(mask.isSecret(name)).as(name).isTrue());
  }

  @Test
  void shouldLeaveOrdinaryNamesShown() {
    assertThat(List.of("q", "query", "Content-Type", "Accept", "X-Request-Id", "countryCode", "statusCode", "zipCode",
      "postal_code", "languageCode", "keyword", "keyboard", "monkey", "author", "authority", "passenger", "bypass",
      "compass", "user", "username", "id", "page", "limit", "title", "description", "X-Trace", "ref"))
      .allSatisfy(name -> assertThat(mask.isSecret(name)).as(name).isFalse());
  }

  @Test
  void shouldMaskUserInfoAndSecretQueryValuesOfAUrl() {
    assertThat(mask.url("http://admin:pw@host:8080/x?api_key=abc&q=visible&code=123"))
      .isEqualTo("http://****@host:8080/x?api_key=****&q=visible&code=****");
    assertThat(mask.url("https://host/a@b?q=1")).isEqualTo("https://host/a@b?q=1");
    // a name percent-encoded in the URL is the name the upstream reads
    assertThat(mask.url("http://h/x?api%5Fkey=LIT1&api_key=LIT2&q%3D=1&%zz=3"))
      .isEqualTo("http://h/x?api%5Fkey=****&api_key=****&q%3D=1&%zz=3");
  }

  @Test
  void shouldMaskSecretFieldsOfJsonAndFormText() {
    assertThat(mask.text("{\"user\": \"bot\", \"password\": \"hunter2\", \"pin\": 1234, \"note\": \"x\"}"))
      .isEqualTo("{\"user\": \"bot\", \"password\": \"****\", \"pin\": \"****\", \"note\": \"x\"}");
    assertThat(mask.text("grant_type=client_credentials&client_secret=s3cr3t&scope=read"))
      .isEqualTo("grant_type=client_credentials&client_secret=****&scope=read");
    assertThat(mask.text("just text")).isEqualTo("just text");
  }

  @Test
  void shouldMaskJsonTextWithLongAndEscapedValuesWithoutOverflowingTheStack() {
    String longValue = "x".repeat(1_000_000);
    String escapes = "\\\"".repeat(50_000);
    assertThat(mask.text("{\"text\": \"" + longValue + "\", \"say\": \"" + escapes + "\", \"token\": \"a\\\"b\"}"))
      .isEqualTo("{\"text\": \"" + longValue + "\", \"say\": \"" + escapes + "\", \"token\": \"****\"}");
  }

  @Test
  void shouldMaskTheConfiguredHeaderByNameKeepingOrderAndOtherValues() {
    var headers = List.<java.util.Map.Entry<String, String>>of(java.util.Map.entry("Accept", "text/plain"),
      java.util.Map.entry("x-internal-route", "blue"), java.util.Map.entry("Authorization", "Bearer t"),
      java.util.Map.entry("X-Trace", "7"));
    assertThat(mask.headers(headers)).containsExactly(java.util.Map.entry("Accept", "text/plain"),
      java.util.Map.entry("x-internal-route", "****"), java.util.Map.entry("Authorization", "****"),
      java.util.Map.entry("X-Trace", "7"));
    // without the configured name, the same header is shown: the rule alone does not hide it
    assertThat(new SecretMask(List.of()).headers(headers)).containsEntry("x-internal-route", "blue");
  }

  @Test
  void shouldKeepTheValuesTheCallerAcceptsInAQueryAndAText() {
    assertThat(mask.query("http://h/x?token={$env.T}&key=raw&flag&q=1", v -> v.startsWith("{$env.")))
      .isEqualTo("http://h/x?token={$env.T}&key=****&flag&q=1");
    assertThat(mask.query("http://h/x", v -> false)).isEqualTo("http://h/x");
    assertThat(mask.text("{\"token\": \"{$env.T}\", \"secret\": \"raw\"}", v -> v.startsWith("{$env.")))
      .isEqualTo("{\"token\": \"{$env.T}\", \"secret\": \"****\"}");
    assertThat(mask.text("  [{\"password\": 12}]")).isEqualTo("  [{\"password\": \"****\"}]");
  }

  @Test
  void shouldFindUserInfoOnlyInTheAuthority() {
    assertThat(SecretMask.userInfo("http://u:p@h/x")).containsExactly(7, 10);
    assertThat(SecretMask.userInfo("http://@h/x")).containsExactly(7, 7);
    assertThat(SecretMask.userInfo("http://h/u@x")).isNull();
    assertThat(SecretMask.userInfo("http://h?u@x")).isNull();
    assertThat(SecretMask.userInfo("http://h#u@x")).isNull();
    assertThat(SecretMask.userInfo("mailto:u@h")).isNull();
    assertThat(SecretMask.withoutUserInfo("http://h/x")).isEqualTo("http://h/x");
  }

  @Test
  void shouldGiveTheSameVerdictWhenAskedAgain() {
    SecretMask fresh = new SecretMask(List.of());
    assertThat(fresh.isSecret("apiKey")).isTrue();
    assertThat(fresh.isSecret("apiKey")).isTrue();
    assertThat(fresh.isSecret("title")).isFalse();
    assertThat(fresh.isSecret("title")).isFalse();
    assertThat(fresh.isSecret("-code")).as("a code alone, once the empty word before it is dropped").isTrue();
    assertThat(fresh.isSecret("country-code")).isFalse();
  }

  @Test
  void shouldFindUserInfoInAnAuthorityThatEndsTheUrlAndNoneRightAfterIt() {
    assertThat(SecretMask.userInfo("http://u:p@h")).containsExactly(7, 10);
    assertThat(SecretMask.withoutUserInfo("http://u:p@h")).isEqualTo("http://****@h");
    // an '@' just after the authority ends is the path's, query's or fragment's
    assertThat(SecretMask.userInfo("http://h/@x")).isNull();
    assertThat(SecretMask.userInfo("http://h?@x")).isNull();
    assertThat(SecretMask.userInfo("http://h#@x")).isNull();
  }

  @Test
  void shouldMaskTheQueryOfAUrlThatIsOnlyAQuery() {
    assertThat(mask.query("?token=abc&q=1", v -> false)).isEqualTo("?token=****&q=1");
  }

  @Test
  void shouldTakeCodeFirstInANameForAnOrdinaryWord() {
    assertThat(List.of("codeName", "code_type", "code-page")).allSatisfy(name -> assertThat(mask.isSecret(name)).as(name).isFalse());
    assertThat(mask.isSecret("sms_code")).isTrue();
  }
}
