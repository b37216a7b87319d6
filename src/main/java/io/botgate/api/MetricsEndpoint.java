package io.botgate.api;

import io.botgate.console.ConsoleStats;
import io.botgate.events.DebugStream;
import io.botgate.integration.IntegrationExecutor;
import io.botgate.script.ScriptRunner;
import io.botgate.session.SessionStore;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;

/** {@code GET /metrics}: counters and gauges in the Prometheus text format. */
public final class MetricsEndpoint {

  private final IntegrationExecutor executor;
  private final ScriptRunner scripts;
  private final SessionStore sessions;
  private final DebugStream stream;
  private final ConsoleStats console;

  public MetricsEndpoint(IntegrationExecutor executor, ScriptRunner scripts, SessionStore sessions,
                         DebugStream stream, ConsoleStats console) {
    this.executor = executor;
    this.scripts = scripts;
    this.sessions = sessions;
    this.stream = stream;
    this.console = console;
  }

  public void handle(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(render());
  }

  String render() {
    StringBuilder out = new StringBuilder(1024);
    header(out, "botgate_executions_total", "counter", "Integration executions by integration, status and outcome.");
    for (Map.Entry<String, Long> e : executor.counts().entrySet()) {
      String[] k = e.getKey().split("\\|", 3);
      out.append("botgate_executions_total{integration=\"").append(label(k[0])).append("\",status=\"").append(k[1])
        .append("\",outcome=\"").append(k[2]).append("\"} ").append(e.getValue()).append('\n');
    }
    header(out, "botgate_scripts_total", "counter", "Script runs by how they ended: ok, syntax, runtime, limit.");
    scripts.counts().forEach((outcome, n) ->
      out.append("botgate_scripts_total{outcome=\"").append(outcome).append("\"} ").append(n).append('\n'));
    counter(out, "botgate_script_threads_stopped_total", "Script threads stopped inside a builtin that ran past the "
      + "time limit, each replaced.", scripts.engine().stoppedThreads());
    counter(out, "botgate_script_threads_replaced_total", "Script threads that could not be stopped, abandoned and "
      + "replaced.", scripts.engine().replacedThreads());
    gauge(out, "botgate_script_cache_bytes", "Estimated heap held by compiled scripts (at most script.cache.bytes).",
      scripts.engine().cachedBytes());
    gauge(out, "botgate_sessions", "Sessions in memory.", sessions.size());
    gauge(out, "botgate_sessions_max", "Live sessions allowed (session.max).", sessions.options().maxSessions());
    counter(out, "botgate_sessions_refused_total", "New sessions refused because session.max were live.",
      sessions.refused());
    counter(out, "botgate_events_total", "Debug events emitted.", stream.emitted());
    gauge(out, "botgate_events_kept", "Debug events the histories can replay now (at most history.total).", stream.kept());
    gauge(out, "botgate_console_connections", "Open console WebSocket connections.", console.connections());
    counter(out, "botgate_console_events_delivered_total", "Events written to console clients.", console.delivered());
    counter(out, "botgate_console_events_dropped_total", "Events dropped for slow console clients.", console.dropped());
    gauge(out, "botgate_console_queued_bytes", "Bytes console connections wrote that their sockets have not taken yet.", console.queuedBytes());
    gauge(out, "botgate_console_queued_bytes_peak", "The most bytes one console connection has had queued since start.", console.peakQueuedBytes());
    counter(out, "botgate_console_congestions_total", "Times a console connection's queue was full (events dropped, replies held, reading paused).", console.congestions());
    counter(out, "botgate_console_replies_merged_total", "Replies merged into one already held for a console client that was not reading.", console.mergedReplies());
    return out.toString();
  }

  private static void header(StringBuilder out, String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n')
      .append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void gauge(StringBuilder out, String name, String help, long value) {
    header(out, name, "gauge", help);
    out.append(name).append(' ').append(value).append('\n');
  }

  private static void counter(StringBuilder out, String name, String help, long value) {
    header(out, name, "counter", help);
    out.append(name).append(' ').append(value).append('\n');
  }

  private static String label(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
