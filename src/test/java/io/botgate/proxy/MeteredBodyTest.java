package io.botgate.proxy;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the reader of a metered body sees, and when: a body of a declared length is complete for its reader
 * with its last byte, so the work to do before its end (recording the call) must come before that byte.
 */
class MeteredBodyTest {

  /** A source the test drives chunk by chunk, as the upstream's response would. */
  static final class Source implements ReadStream<Buffer> {
    Handler<Buffer> data;
    Handler<Void> end;

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
      data = handler;
      return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> handler) {
      end = handler;
      return this;
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      return this;
    }
  }

  private final Source source = new Source();
  private final List<String> seen = new ArrayList<>();

  private MeteredBody read(MeteredBody body) {
    body.handler(chunk -> seen.add(chunk.toString()));
    body.endHandler(v -> seen.add("<end>"));
    return body;
  }

  @Test
  void shouldHoldTheLastChunkOfADeclaredLengthUntilTheWorkBeforeTheEndIsDone() {
    Promise<Void> recorded = Promise.promise();
    MeteredBody body = read(new MeteredBody(source, 100, "limit", 100).beforeEnd(6, recorded::future));
    source.data.handle(Buffer.buffer("abc"));
    source.data.handle(Buffer.buffer("def"));
    assertThat(seen).containsExactly("abc");
    source.end.handle(null);
    assertThat(seen).containsExactly("abc");
    assertThat(body.captured()).hasToString("abcdef");
    recorded.complete();
    assertThat(seen).containsExactly("abc", "def", "<end>");
  }

  @Test
  void shouldPassEveryChunkAtOnceWhenTheLengthIsNotDeclared() {
    Promise<Void> recorded = Promise.promise();
    read(new MeteredBody(source, 100, "limit", 0).beforeEnd(-1, recorded::future));
    source.data.handle(Buffer.buffer("abc"));
    source.data.handle(Buffer.buffer("def"));
    source.end.handle(null);
    assertThat(seen).containsExactly("abc", "def");
    recorded.complete();
    assertThat(seen).containsExactly("abc", "def", "<end>");
  }

  @Test
  void shouldPassEveryChunkAtOnceWithNothingToDoBeforeTheEnd() {
    read(new MeteredBody(source, 100, "limit", 0));
    source.data.handle(Buffer.buffer("abc"));
    source.end.handle(null);
    assertThat(seen).containsExactly("abc", "<end>");
  }

  @Test
  void shouldPassNothingPastTheLimit() {
    List<Throwable> failures = new ArrayList<>();
    MeteredBody body = read(new MeteredBody(source, 4, "proxy.response.limit.bytes", 0)
      .beforeEnd(6, Future::succeededFuture));
    body.exceptionHandler(failures::add);
    source.data.handle(Buffer.buffer("abc"));
    source.data.handle(Buffer.buffer("def"));
    source.end.handle(null);
    assertThat(seen).containsExactly("abc");
    assertThat(body.overflowed()).isTrue();
    assertThat(failures).singleElement().extracting(Throwable::getMessage)
      .isEqualTo("the body is larger than proxy.response.limit.bytes (4 bytes)");
  }
}
