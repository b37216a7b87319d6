package io.botgate.cb.context;

/**
 * The Conversation Context Service's settings: {@code context.maxBytes}, the most its data may hold in
 * all (namespaces, keys and values as {@link io.botgate.session.HeldBytes} counts them).
 */
public record ContextOptions(long maxBytes) {

  public static final long DEFAULT_MAX_BYTES = 64L << 20;

  public static ContextOptions defaults() {
    return new ContextOptions(DEFAULT_MAX_BYTES);
  }
}
