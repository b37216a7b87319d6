// Bot-level global functions: every script (preProcess, transformScript, postProcess and scripts run on
// their own) can call them, as CB's Global Functions. They see the same botContext as the caller.

// The titles an FAQ-style integration found, as one line: "a; b; c", or the fallback when none.
function listTitles(integration, fallback) {
  var count = botContext.getBotVariable(integration + '.title.count');
  if (!count || count < 1) {
    return fallback;
  }
  return botContext.getBotVariable(integration + '.title').join('; ');
}
