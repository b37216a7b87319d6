package io.botgate;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** Files named by configuration keys, read without blocking an event loop. */
final class ConfFiles {

  private ConfFiles() {
  }

  /**
   * The text of the file a key names. A file missing at the key's default path gives {@code whenDefaultMissing}
   * (null for an optional file); a file missing at a path the user chose is an error naming the key.
   */
  static Future<String> read(Vertx vertx, String key, String path, Supplier<String> whenDefaultMissing) {
    if (path == null || path.isBlank()) {
      return Future.succeededFuture(null);
    }
    return vertx.fileSystem().exists(path).compose(exists -> {
      if (exists) {
        return vertx.fileSystem().readFile(path).map(Buffer::toString);
      }
      if (path.equals(GatewayConfig.DEFAULTS.get(key))) {
        return vertx.executeBlocking(whenDefaultMissing::get);
      }
      return Future.failedFuture(new IllegalArgumentException(key + ": no file at " + path));
    });
  }

  /** A resource packed in the jar, such as the default integrations. */
  static String embedded(String resource) {
    try (InputStream in = ConfFiles.class.getResourceAsStream(resource)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
