package io.botgate.integration;

import java.util.Locale;

/**
 * How an integration's upstream is reached: {@code live} calls it, {@code mock} answers from the declared or
 * recorded mocks without any network, {@code record} calls it and keeps each answer as a mock.
 */
public enum UpstreamMode {
  LIVE, MOCK, RECORD;

  /** The mode a setting names, or null when it names none. */
  public static UpstreamMode parse(String text) {
    if (text == null) {
      return null;
    }
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "live" -> LIVE;
      case "mock" -> MOCK;
      case "record" -> RECORD;
      default -> null;
    };
  }

  /** As written in definitions and settings. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
