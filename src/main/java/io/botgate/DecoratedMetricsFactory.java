package io.botgate;

import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.VertxMetrics;

import java.util.function.BiFunction;

/**
 * A Vert.x metrics factory whose metrics another's make and a decoration wraps; options are the other's.
 * Its {@code init} stays the interface's, which calls {@link VertxMetricsFactory#metrics} of this factory.
 */
public final class DecoratedMetricsFactory implements VertxMetricsFactory {

  private final VertxMetricsFactory factory;
  private final BiFunction<VertxMetrics, VertxOptions, VertxMetrics> decoration;

  /** @param decoration given the metrics {@code factory} made and the options they were made for */
  public DecoratedMetricsFactory(VertxMetricsFactory factory,
                                 BiFunction<VertxMetrics, VertxOptions, VertxMetrics> decoration) {
    this.factory = factory;
    this.decoration = decoration;
  }

  @Override
  public VertxMetrics metrics(VertxOptions options) {
    return decoration.apply(factory.metrics(options), options);
  }

  @Override
  public MetricsOptions newOptions(MetricsOptions options) {
    return factory.newOptions(options);
  }

  @Override
  public MetricsOptions newOptions() {
    return factory.newOptions();
  }

  @Override
  public MetricsOptions newOptions(JsonObject json) {
    return factory.newOptions(json);
  }
}
