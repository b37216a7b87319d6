package io.botgate;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Supplier;

/** Files named by configuration keys, read without blocking an event loop. */
final class ConfFiles {

  /** The keys whose files hold JSON (not {@code script.globals}): a key given twice in them is refused. */
  private static final Set<String> JSON_FILES = Set.of("integrations.file", "credentials.file", "imports.file",
    "imports.cb");

  private ConfFiles() {
  }

  /**
   * The text of the file a key names. A file missing at the key's default path gives {@code whenDefaultMissing}
   * (null for an optional file); a file missing at a path the user chose is an error naming the key and where its
   * path came from ({@code source}).
   */
  static Future<String> read(Vertx vertx, String key, String path, String source, Supplier<String> whenDefaultMissing) {
    if (path == null || path.isBlank()) {
      return Future.succeededFuture(null);
    }
    // On the file system only: Vert.x's exists() also looks on the class path, and for a file missing from
    // disk under a folder the jar holds (conf/) it first copies that whole folder out of the jar, walking all
    // of the jar's ~19,000 entries, twice per start for the optional files.
    return vertx.executeBlocking(() -> {
      Path file = Path.of(path);
      boolean exists = Files.isRegularFile(file);
      if (exists) {
        checkFits(key, path, Files.size(file), Runtime.getRuntime().maxMemory());
      } else if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        // Something is there: not the absent default file that the embedded copy stands in for.
        throw new IllegalArgumentException(key + ": " + path + " (" + source + ") " + notAFile(file));
      }
      return exists;
    }).compose(exists -> {
      if (exists) {
        return vertx.fileSystem().readFile(path).map(bytes -> {
          if (JSON_FILES.contains(key)) {
            DuplicateKeys.first(bytes.getBytes()).ifPresent(twice -> {
              throw new IllegalArgumentException(key + ": " + path + ": " + twice);
            });
          }
          return withoutByteOrderMark(bytes.toString());
        });
      }
      if (path.equals(GatewayConfig.DEFAULTS.get(key))) {
        return vertx.executeBlocking(whenDefaultMissing::get);
      }
      return Future.failedFuture(new IllegalArgumentException(key + ": no file at " + path + " (" + source + ")"
        + missingHint(key)));
    });
  }

  /** What is at a path where a file was expected. */
  private static String notAFile(Path path) {
    if (Files.isDirectory(path)) {
      return "is a directory, not a file";
    }
    if (Files.isSymbolicLink(path)) {
      return "is a symbolic link that leads to no file (its target is missing, or links lead back to it)";
    }
    return "is not a regular file";
  }

  /**
   * The text without the byte order mark an editor may have saved it with (Windows' Notepad does): the JSON
   * readers after this one take a string, and a string's parser refuses the mark where a byte parser skips it.
   */
  static String withoutByteOrderMark(String text) {
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  /**
   * Refuses a file the heap could not hold once read and parsed (its text, then the JSON built from it, several
   * times its size): an OutOfMemoryError would end the start saying only "Java heap space".
   */
  static void checkFits(String key, String path, long bytes, long maxHeap) {
    long most = maxHeap / 8;
    if (bytes > most) {
      throw new IllegalArgumentException(key + ": " + path + " is " + bytes + " bytes, more than this JVM's heap ("
        + maxHeap / (1 << 20) + " MiB) can read and parse (" + most + " bytes at most, an eighth of it); start with a "
        + "larger -Xmx, or trim the file");
    }
  }

  /**
   * What to do about a chosen path with no file: the files botgate writes back itself start as an empty JSON
   * array (a path that must exist guards against a typo starting the gateway without what was saved).
   */
  private static String missingHint(String key) {
    return switch (key) {
      case "integrations.file", "credentials.file", "imports.file" ->
        " (a path other than the default must exist; to start with none, create it holding [])";
      default -> "";
    };
  }

  /** A resource packed in the jar, such as the default integrations. */
  static String embedded(String resource) {
    String text = embeddedIfAny(resource);
    if (text == null) {
      throw new UncheckedIOException(new IOException("no resource " + resource));
    }
    return text;
  }

  /** A resource packed in the jar, or null when there is none. */
  static String embeddedIfAny(String resource) {
    try (InputStream in = ConfFiles.class.getResourceAsStream(resource)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
