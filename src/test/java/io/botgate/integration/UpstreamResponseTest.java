package io.botgate.integration;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which upstream answers are worth another attempt, and the status codes they carry. */
class UpstreamResponseTest {

  @Test
  void shouldRetryTooManyRequestsAndServerErrorsButNotNotImplemented() {
    assertThat(UpstreamResponse.of(429, Buffer.buffer(), 1).worthRetrying()).isTrue();
    assertThat(UpstreamResponse.of(500, Buffer.buffer(), 1).worthRetrying()).isTrue();
    assertThat(UpstreamResponse.of(503, Buffer.buffer(), 1).worthRetrying()).isTrue();
    assertThat(UpstreamResponse.of(501, Buffer.buffer(), 1).worthRetrying()).isFalse();
  }

  @Test
  void shouldNotRetrySuccessesRedirectsOtherClientErrorsOrStatusesPastTheServerErrors() {
    for (int status : new int[] {200, 204, 304, 400, 401, 404, 428, 430, 499, 600, 999}) {
      assertThat(UpstreamResponse.of(status, Buffer.buffer(), 1).worthRetrying()).as("status %d", status).isFalse();
    }
  }

  @Test
  void shouldCarryTheStatusAsTextInsideAndOutsideTheUsualRange() {
    assertThat(UpstreamResponse.of(100, null, 1).statusCode()).isEqualTo("100");
    assertThat(UpstreamResponse.of(200, null, 1).statusCode()).isEqualTo("200");
    assertThat(UpstreamResponse.of(599, null, 1).statusCode()).isEqualTo("599");
    assertThat(UpstreamResponse.of(600, null, 1).statusCode()).isEqualTo("600");
    assertThat(UpstreamResponse.of(99, null, 1).statusCode()).isEqualTo("99");
    UpstreamResponse ok = UpstreamResponse.of(200, Buffer.buffer("x"), 3);
    assertThat(ok.httpStatus()).isEqualTo(200);
    assertThat(ok.attempts()).isEqualTo(3);
    assertThat(ok.reason()).isNull();
  }

  @Test
  void shouldRetryATransportFailureButNotAFailureOfOurOwn() {
    UpstreamResponse refused = UpstreamResponse.transportFailure("refused", 2);
    assertThat(refused.worthRetrying()).isTrue();
    assertThat(refused.statusCode()).isEqualTo("502");
    assertThat(refused.attempts()).isEqualTo(2);
    UpstreamResponse rejected = UpstreamResponse.failure("440", "newline", 0);
    assertThat(rejected.worthRetrying()).isFalse();
    assertThat(rejected.httpStatus()).isZero();
    assertThat(rejected.reason()).isEqualTo("newline");
  }
}
