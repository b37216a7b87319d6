package io.botgate;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packages import downward: no two types of different packages reach each other through their imports (a
 * capability that needs the gateway's settings is given its options, it does not read {@link GatewayConfig}).
 * Read from the sources' {@code import io.botgate...} lines and fully qualified names; a loop through a
 * package's own types, which need no import, is not seen here.
 */
class ImportLoopsTest {

  private static final Path SOURCES = Path.of("src/main/java");
  private static final Pattern REFERENCE = Pattern.compile("\\b(io\\.botgate(?:\\.[a-z][a-z0-9]*)*\\.[A-Z]\\w*)");

  @Test
  void shouldHaveNoTypeReachItselfThroughAnotherPackagesImports() throws IOException {
    Map<String, Set<String>> imports = imports();
    List<String> loops = new ArrayList<>();
    for (String type : imports.keySet()) {
      for (String imported : imports.get(type)) {
        List<String> back = path(imports, imported, type);
        if (back != null && type.compareTo(imported) < 0) {
          loops.add(type + " -> " + String.join(" -> ", back));
        }
      }
    }
    assertThat(loops).as("types that import each other across packages").isEmpty();
  }

  /** Each type's cross-package references, by fully qualified name. */
  private static Map<String, Set<String>> imports() throws IOException {
    Map<String, Set<String>> imports = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES.resolve("io/botgate"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String type = SOURCES.relativize(file).toString().replace('/', '.').replaceAll("\\.java$", "");
        String pkg = type.substring(0, type.lastIndexOf('.'));
        Set<String> referenced = new LinkedHashSet<>();
        Matcher m = REFERENCE.matcher(Files.readString(file));
        while (m.find()) {
          String name = m.group(1);
          String target = name.substring(0, name.lastIndexOf('.'));
          if (!target.equals(pkg) && Files.exists(SOURCES.resolve(name.replace('.', '/') + ".java"))) {
            referenced.add(name);
          }
        }
        imports.put(type, referenced);
      }
    }
    return imports;
  }

  /** A path of references from {@code from} to {@code to}, or null when there is none (breadth first). */
  private static List<String> path(Map<String, Set<String>> imports, String from, String to) {
    Map<String, String> cameFrom = new HashMap<>();
    List<String> queue = new ArrayList<>(List.of(from));
    cameFrom.put(from, null);
    for (int i = 0; i < queue.size(); i++) {
      String at = queue.get(i);
      if (at.equals(to)) {
        List<String> path = new ArrayList<>();
        for (String step = at; step != null; step = cameFrom.get(step)) {
          path.add(0, step);
        }
        return path;
      }
      for (String next : imports.getOrDefault(at, Set.of())) {
        if (!cameFrom.containsKey(next)) {
          cameFrom.put(next, at);
          queue.add(next);
        }
      }
    }
    return null;
  }
}
