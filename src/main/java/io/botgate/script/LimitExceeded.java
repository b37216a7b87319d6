package io.botgate.script;

/**
 * Thrown from the instruction observer when a run is over a limit. An {@link Error}, so a script's own
 * {@code catch} cannot swallow it (Rhino only hands JavaScript exceptions to script catch blocks).
 */
final class LimitExceeded extends Error {
  LimitExceeded(String message) {
    super(message, null, false, false);
  }
}
