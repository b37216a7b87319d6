package io.botgate.integration;

/** Where placeholder values come from for one call; null means "not set". */
@FunctionalInterface
interface PlaceholderValues {
  String valueOf(Template.Placeholder placeholder);
}
