package io.botgate.integration;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The body sink keeps at most its limit and refuses every write from the first one past it. */
class BoundedBodyTest {

  @Test
  void shouldCollectUpToExactlyTheLimit() {
    BoundedBody body = new BoundedBody(10);
    assertThat(body.write(Buffer.buffer("12345")).succeeded()).isTrue();
    assertThat(body.write(Buffer.buffer("67890")).succeeded()).isTrue();
    assertThat(body.overflowed()).isFalse();
    assertThat(body.collected().toString()).isEqualTo("1234567890");
    assertThat(body.end().succeeded()).isTrue();
    assertThat(body.writeQueueFull()).isFalse();
  }

  @Test
  void shouldRefuseTheWritePastTheLimitAndEveryWriteAfterIt() {
    BoundedBody body = new BoundedBody(10);
    assertThat(body.write(Buffer.buffer("123456")).succeeded()).isTrue();
    assertThat(body.write(Buffer.buffer("78901")).failed()).isTrue();
    assertThat(body.overflowed()).isTrue();
    // reading on would mean a small write after the refusal is taken: it must fail too, and keep nothing
    assertThat(body.write(Buffer.buffer("7")).failed()).isTrue();
    assertThat(body.write(Buffer.buffer()).failed()).isTrue();
    assertThat(body.collected().toString()).isEqualTo("123456");
    assertThat(body.overflowed()).isTrue();
  }

  @Test
  void shouldRefuseTheFirstWriteThatGoesOneBytePastTheLimit() {
    BoundedBody body = new BoundedBody(10);
    assertThat(body.write(Buffer.buffer("123456789")).succeeded()).isTrue();
    assertThat(body.write(Buffer.buffer("01")).failed()).isTrue();
    assertThat(body.collected().toString()).isEqualTo("123456789");
  }

  @Test
  void shouldAnswerItsFluentCallsWithItselfAsEveryWriteStreamDoes() {
    BoundedBody body = new BoundedBody(10);
    assertThat(body.exceptionHandler(e -> { })).isSameAs(body);
    assertThat(body.setWriteQueueMaxSize(1)).isSameAs(body);
    assertThat(body.drainHandler(v -> { })).isSameAs(body);
  }
}
