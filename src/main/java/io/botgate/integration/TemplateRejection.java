package io.botgate.integration;

/** A request that must not be sent (status "440"): unresolved placeholder or a value with a newline. */
public final class TemplateRejection extends RuntimeException {
  public TemplateRejection(String message) {
    super(message, null, false, false);
  }
}
