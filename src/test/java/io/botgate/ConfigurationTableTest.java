package io.botgate;

import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's configuration tables and the settings the gateway knows cannot drift apart. */
class ConfigurationTableTest {

  /** A row of a settings table: {@code | `area.name` | default | meaning |}. */
  private static final Pattern ROW = Pattern.compile("(?m)^\\| `([a-z]+(?:\\.[A-Za-z]+)+)` \\| ([^|]*) \\|");
  /** Defaults that depend on the machine or the process, and how the README says so. */
  private static final Map<String, String> DESCRIBED = Map.of(
    "http.instances", "cores",
    "script.threads", "cores (at least 2)",
    "node.id", "`pid@host`",
    "auth.token", "none");

  @Test
  void shouldListEveryKeyInTheReadmeWithItsDefaultAndNoOther() throws Exception {
    Map<String, String> readme = new LinkedHashMap<>();
    Matcher m = ROW.matcher(Files.readString(Path.of("README.md")));
    while (m.find()) {
      assertThat(readme.put(m.group(1), m.group(2).trim())).as("%s is listed once", m.group(1)).isNull();
    }

    assertThat(new TreeSet<>(readme.keySet())).as("keys in the README's tables")
      .isEqualTo(new TreeSet<>(GatewayConfig.DEFAULTS.keySet()));
    GatewayConfig.DEFAULTS.forEach((key, value) -> {
      String cell = readme.get(key);
      if (value == null && GatewayConfig.DEFAULTS.containsKey(firstCode(cell))) {
        return; // "`http.host`": unset, it takes the value of that other key
      }
      if (DESCRIBED.containsKey(key)) {
        assertThat(cell).as("the default of %s", key).isEqualTo(DESCRIBED.get(key));
      } else {
        assertThat(firstCode(cell)).as("the default of %s in the README (%s)", key, cell).isEqualTo(shown(value));
      }
    });
  }

  /** The first {@code `code`} of a cell: the value itself, before any words about it. */
  private static String firstCode(String cell) {
    Matcher m = Pattern.compile("`([^`]*)`").matcher(cell);
    return m.find() ? m.group(1) : cell;
  }

  private static String shown(Object value) {
    return value instanceof JsonArray array ? array.encode() : String.valueOf(value);
  }
}
