package io.botgate.integration;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
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
  void shouldKeepABodyThatCameInOneChunkAsThatChunk() {
    BoundedBody body = new BoundedBody(100);
    Buffer chunk = Buffer.buffer("{\"a\":1}");
    body.write(chunk);
    assertThat(body.collected()).isSameAs(chunk);
  }

  @Test
  void shouldCopyAOneChunkBodyThatIsASliceOfALargerArrayRatherThanKeepTheArray() {
    BoundedBody body = new BoundedBody(100);
    Buffer slice = Buffer.buffer("x".repeat(10_000) + "{\"a\":1}").slice(10_000, 10_007);
    body.write(slice);
    Buffer collected = body.collected();
    assertThat(collected.toString()).isEqualTo("{\"a\":1}");
    assertThat(((BufferInternal) collected).getByteBuf().array()).hasSize(7);
  }

  @Test
  void shouldHandOverABodyOfSeveralChunksInABufferOfExactlyItsLength() {
    BoundedBody body = new BoundedBody(100_000);
    StringBuilder sent = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      String chunk = "chunk " + i + " " + "x".repeat(i * 37) + ";";
      sent.append(chunk);
      body.write(Buffer.buffer(chunk));
    }
    Buffer collected = body.collected();
    assertThat(collected.toString()).isEqualTo(sent.toString());
    // a growing buffer has room to spare, up to its length again: a session would keep that room
    assertThat(((BufferInternal) collected).getByteBuf().capacity()).isEqualTo(sent.length());
    assertThat(body.collected().toString()).isEqualTo(sent.toString());
  }

  @Test
  void shouldHandOverAnEmptyBodyWhenNoChunkCame() {
    assertThat(new BoundedBody(10).collected().length()).isZero();
  }

  @Test
  void shouldAnswerItsFluentCallsWithItselfAsEveryWriteStreamDoes() {
    BoundedBody body = new BoundedBody(10);
    assertThat(body.exceptionHandler(e -> { })).isSameAs(body);
    assertThat(body.setWriteQueueMaxSize(1)).isSameAs(body);
    assertThat(body.drainHandler(v -> { })).isSameAs(body);
  }
}
