package io.botgate;

import java.util.List;

/** The message of an error that lists every problem found, one a line, as definition and credential checks report. */
public final class Problems {

  private Problems() {
  }

  /** {@code "<where>: 2 problems"} followed by one {@code "\n  - <problem>"} each. */
  public static String summary(String where, List<?> problems) {
    StringBuilder sb = new StringBuilder(where).append(": ").append(problems.size())
      .append(problems.size() == 1 ? " problem" : " problems");
    problems.forEach(p -> sb.append("\n  - ").append(p));
    return sb.toString();
  }
}
