package io.botgate.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The check of a bridge frame, without a bridge: a refused frame is read once for both why it is refused and where
 * its sender waits for the answer (the bridge's own refusals are tested over a socket in {@link EventBusBridgeTest}).
 */
class FrameCheckTest {

  @Test
  void shouldGiveTheProblemAndTheReplyAddressOfARefusedFrameFromOneReading() {
    FrameCheck.Refusal refusal = FrameCheck.refusal("{\"type\":\"shout\",\"address\":\"a\",\"replyAddress\":\"r-1\"}");

    assertThat(refusal.problem()).contains("'type' must be one of", "shout");
    assertThat(refusal.replyAddress()).isEqualTo("r-1");
  }

  @Test
  void shouldRefuseWhatIsNotOneJsonObjectWithNoReplyAddress() {
    for (String json : new String[] {"{\"type\":", "[{\"replyAddress\":\"r-1\"}]", "\"send\""}) {
      FrameCheck.Refusal refusal = FrameCheck.refusal(json);
      assertThat(refusal.problem()).as(json).startsWith("a frame is one JSON object");
      assertThat(refusal.replyAddress()).as(json).isNull();
    }
  }

  @Test
  void shouldLeaveAFrameTheBridgeCanHaveAndAReplyAddressOfTheWrongTypeOut() {
    assertThat(FrameCheck.refusal("{\"type\":\"send\",\"address\":\"botgate.session.get\",\"replyAddress\":\"r\","
      + "\"body\":{\"session\":\"s\"}}")).isNull();
    FrameCheck.Refusal refusal = FrameCheck.refusal("{\"type\":\"send\",\"address\":\"a\",\"replyAddress\":7}");
    assertThat(refusal.problem()).isEqualTo("'replyAddress' must be a string");
    assertThat(refusal.replyAddress()).isNull();
  }
}
