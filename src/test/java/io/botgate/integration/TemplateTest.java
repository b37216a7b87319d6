package io.botgate.integration;

import io.botgate.events.SecretMask;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TemplateTest {

  @Test
  void shouldRecogniseEveryPlaceholderForm() {
    Template t = Template.parse("{$botContext.a}{$botContext.slot.b}{$env.C}{$conversationId}{$userMessage}"
      + "{$query}{Faq.title}{$nope}");
    assertThat(t.placeholders()).extracting(Template.Placeholder::kind).containsExactly(
      Template.Placeholder.Kind.BOT_VARIABLE, Template.Placeholder.Kind.SLOT, Template.Placeholder.Kind.ENV,
      Template.Placeholder.Kind.CONVERSATION_ID, Template.Placeholder.Kind.USER_MESSAGE,
      Template.Placeholder.Kind.USER_MESSAGE, Template.Placeholder.Kind.FIELD, Template.Placeholder.Kind.UNKNOWN);
  }

  @Test
  void shouldLeaveJsonBracesAlone() {
    Template t = Template.parse("{\"a\": {\"b\": 1}}");
    assertThat(t.isConstant()).isTrue();
  }

  @Test
  void shouldRenderWithTheEncoderOfThePlace() {
    Template t = Template.parse("q={$botContext.q}&x=1");
    assertThat(t.render(p -> "a b&c", RequestTemplate::queryEncode, "url")).isEqualTo("q=a%20b%26c&x=1");
  }

  @Test
  void shouldEncodeAQueryValueAsUrlEncoderDoesWithASpaceAsPercent20() {
    StringBuilder every = new StringBuilder();
    for (char c = 0; c < 0x250; c++) {
      every.append(c);
    }
    List<String> values = new ArrayList<>(List.of("", "bench", "Reset-my_pass.word*2", "a b", "a+b", "~x", "caf\u00e9",
      "\ud83d\ude00", every.toString()));
    for (char c = 0; c < 0x250; c++) {
      values.add("x" + c + "y");
    }
    for (String value : values) {
      assertThat(RequestTemplate.queryEncode(value)).as(value)
        .isEqualTo(URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    String plain = "Reset-my_pass.word*2";
    assertThat(RequestTemplate.queryEncode(plain)).as("left as it is, not copied").isSameAs(plain);
    assertThat(RequestTemplate.pathEncode("a~b c")).isEqualTo("a~b%20c");
  }

  @Test
  void shouldRejectNewlinesAndMissingValuesNamingThePlace() {
    Template t = Template.parse("Bearer {$env.TOKEN}");
    assertThatThrownBy(() -> t.render(p -> "x\ny", v -> v, "header 'Authorization'"))
      .isInstanceOf(TemplateRejection.class).hasMessageContaining("{$env.TOKEN} in header 'Authorization'")
      .hasMessageContaining("newline");
    assertThatThrownBy(() -> t.render(p -> null, v -> v, "header 'Authorization'"))
      .isInstanceOf(TemplateRejection.class).hasMessage("{$env.TOKEN} in header 'Authorization' has no value");
  }

  @Test
  void shouldRejectACarriageReturnOrANewlineAloneWhereverItIsInTheValue() {
    Template t = Template.parse("{$botContext.q}");
    for (String value : new String[] {"\r", "\n", "\rX-Injected: 1", "\nX-Injected: 1", "a\r", "a\n", "a\rb", "a\nb"}) {
      assertThatThrownBy(() -> t.render(p -> value, v -> v, "query 'q'")).as(value.replace("\r", "CR").replace("\n", "LF"))
        .isInstanceOf(TemplateRejection.class).hasMessageContaining("newline");
    }
    assertThat(t.render(p -> "a\tb c", v -> v, "query 'q'")).isEqualTo("a\tb c");
  }

  @Test
  void shouldRejectAnyControlCharacterButATabInAHeaderValueNamingThePlaceholderNotTheValue() {
    Template t = Template.parse("Bearer {$botContext.tok}");
    for (char c = 0; c < 0x20; c++) {
      if (c == '\t') {
        continue;
      }
      String value = "TopSecret-42" + c;
      assertThatThrownBy(() -> t.renderHeader(p -> value, "header 'X-User-Token'")).as("U+%04X", (int) c)
        .isInstanceOf(TemplateRejection.class).hasMessageContaining("{$botContext.tok} in header 'X-User-Token'")
        .hasMessageNotContaining("TopSecret-42");
    }
    assertThatThrownBy(() -> t.renderHeader(p -> "a\u007f", "header 'X'")).hasMessageContaining("U+007F");
    assertThat(t.renderHeader(p -> "a\tb caf\u00e9", "header 'X'")).isEqualTo("Bearer a\tb caf\u00e9");
    assertThat(t.render(p -> "a\u000bb", v -> v, "query 'q'")).as("a query value is encoded").isEqualTo("Bearer a\u000bb");
  }

  @Test
  void shouldKnowWhetherAnEnvValueLandsInIt() {
    assertThat(Template.parse("Bearer {$env.TOKEN}").hasEnv()).isTrue();
    assertThat(Template.parse("{$botContext.a}-{$env.B}").hasEnv()).isTrue();
    assertThat(Template.parse("{$botContext.env}{$conversationId}{Faq.env}").hasEnv()).isFalse();
    assertThat(Template.parse("no placeholder").hasEnv()).isFalse();
  }

  @Test
  void shouldRenderTheShownFormWithEachEnvValueMaskedWhereItLands() {
    Template t = Template.parse("k={$env.KEY}&v={$botContext.v}!");
    StringBuilder out = new StringBuilder();
    StringBuilder shown = new StringBuilder();
    t.render(p -> p.kind() == Template.Placeholder.Kind.ENV ? "s3" : "x y", v -> v.replace(" ", "+"), "url", out, shown);
    assertThat(out).hasToString("k=s3&v=x+y!");
    assertThat(shown).hasToString("k=****&v=x+y!");
    StringBuilder alone = new StringBuilder();
    t.render(p -> "1", v -> v, "url", alone, null);
    assertThat(alone).hasToString("k=1&v=1!");
  }

  @Test
  void shouldKeepTheLiteralsAroundThePlaceholders() {
    Template t = Template.parse("a{$botContext.x}b{Faq.y}c");
    assertThat(t.literals()).containsExactly("a", "b", "c");
    assertThat(t.source()).isEqualTo("a{$botContext.x}b{Faq.y}c");
    assertThat(t.isConstant()).isFalse();
    assertThat(Template.parse("plain").render(p -> "unused", v -> "changed", "url")).isEqualTo("plain");
    assertThat(Template.withoutPlaceholders("a{$botContext.x}b{Faq.y}c{not one}")).isEqualTo("abc{not one}");
  }

  @Test
  void shouldNameEachPlaceholderAsItIsWritten() {
    String source = "{$botContext.a}{$botContext.slot.b}{$env.C}{$conversationId}{$userMessage}{$query}{Faq.title}{$nope}";
    Template t = Template.parse(source);
    assertThat(t.placeholders()).extracting(Template.Placeholder::name)
      .containsExactly("a", "b", "C", "conversationId", "userMessage", "query", "Faq.title", "nope");
    assertThat(String.join("", t.placeholders().stream().map(Template.Placeholder::toString).toList())).isEqualTo(source);
  }

  @Test
  void shouldRenderAConstantUrlAgainWhenTheSelfUrlWasUnknownAtTheFirstCall() {
    // a pass-through call while the gateway is still starting has no self URL yet; later calls have one
    RequestTemplate t = RequestTemplate.read(new JsonObject().put("url", "http://127.0.0.1:9/faq"),
      false, (field, problem) -> { throw new AssertionError(field + ": " + problem); });
    SecretMask mask = new SecretMask(List.of());
    assertThat(t.url(p -> null, null, mask).url()).isEqualTo("http://127.0.0.1:9/faq");
    assertThat(t.url(p -> null, "http://127.0.0.1:8080", mask).url()).isEqualTo("http://127.0.0.1:9/faq");
    assertThat(t.url(p -> null, "http://127.0.0.1:8080", mask).url()).isEqualTo("http://127.0.0.1:9/faq");
  }
}
