package io.botgate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmarks under {@code bench/} are single-file programs run by {@code java}, so nothing else compiles
 * them: a change to a type they use would break them unnoticed until the next benchmark run.
 */
class BenchSourcesTest {

  @Test
  void shouldCompileEveryBenchmarkAgainstTheCurrentCode(@TempDir Path out) throws IOException {
    List<Path> sources;
    try (Stream<Path> files = Files.list(Path.of("bench"))) {
      sources = files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
    }
    assertThat(sources).isNotEmpty();
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    List<String> failures = new ArrayList<>();
    try (StandardJavaFileManager files = compiler.getStandardFileManager(null, null, null)) {
      for (Path source : sources) { // one at a time, as `java bench/X.java` runs them: each may name its own helpers
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Path classes = Files.createDirectories(out.resolve(source.getFileName().toString()));
        List<String> options = List.of("-proc:none", "-d", classes.toString(),
          "-cp", System.getProperty("java.class.path"));
        boolean compiled = compiler.getTask(null, files, diagnostics, options, null,
          files.getJavaFileObjects(source)).call();
        if (!compiled) {
          failures.add(source + ": " + diagnostics.getDiagnostics());
        }
      }
    }
    assertThat(failures).isEmpty();
  }
}
