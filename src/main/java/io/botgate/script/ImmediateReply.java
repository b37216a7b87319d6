package io.botgate.script;

/** Unwinds a script after {@code sendImmediateReply}, which stops the rest of the code (CB). */
final class ImmediateReply extends Error {
  ImmediateReply() {
    super("sendImmediateReply", null, false, false);
  }
}
