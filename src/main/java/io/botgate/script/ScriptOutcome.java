package io.botgate.script;

/** How a run ended: normally, by {@code sendImmediateReply}, or with an error; and how long it took. */
public record ScriptOutcome(ScriptError error, boolean stoppedByImmediateReply, long durationMicros) {

  public boolean ok() {
    return error == null;
  }
}
