package io.botgate.integration;

import org.junit.jupiter.api.Test;

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
  void shouldRejectNewlinesAndMissingValuesNamingThePlace() {
    Template t = Template.parse("Bearer {$env.TOKEN}");
    assertThatThrownBy(() -> t.render(p -> "x\ny", v -> v, "header 'Authorization'"))
      .isInstanceOf(TemplateRejection.class).hasMessageContaining("{$env.TOKEN} in header 'Authorization'")
      .hasMessageContaining("newline");
    assertThatThrownBy(() -> t.render(p -> null, v -> v, "header 'Authorization'"))
      .isInstanceOf(TemplateRejection.class).hasMessage("{$env.TOKEN} in header 'Authorization' has no value");
  }
}
