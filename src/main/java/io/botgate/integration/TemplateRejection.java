package io.botgate.integration;

/**
 * A request that must not be sent (status "440"): an unresolved placeholder, a value with a newline (in a
 * header, any control character but a tab), a path placeholder making a dot segment.
 */
public final class TemplateRejection extends RuntimeException {
  public TemplateRejection(String message) {
    super(message, null, false, false);
  }
}
