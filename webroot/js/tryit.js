// The try-it panel: execute an integration or run a script for a session and show the answer.
import { getJson, postJson } from './api.js';

const SEED_EXAMPLE = `// check to see if API was executed
var isApiExecutionSuccessful = botContext.isApiExecutionSuccessful();
if(isApiExecutionSuccessful){
  var apiStatusCode = botContext.getApiStatusCode();
  botContext.printDebugMessage("API Execution Successful with Status Code: "+apiStatusCode);

  if(apiStatusCode == "200"|apiStatusCode == "201"|apiStatusCode == "203"){
    // request was successful
    botContext.printDebugMessage("All is well.");
  }else{
    // request was not successful
    botContext.printDebugMessage("Something went wrong!");
  }
}`;

export class TryIt {
  constructor(el, onRun) {
    this.el = el;
    this.onRun = onRun;
    el.code.value = SEED_EXAMPLE;
    el.execute.addEventListener('click', () => this.execute());
    el.run.addEventListener('click', () => this.runScript());
  }

  async load() {
    const integrations = await getJson('/api/integrations');
    this.el.integration.replaceChildren(...integrations.map(d => {
      const option = document.createElement('option');
      option.value = option.textContent = d.name;
      return option;
    }));
  }

  session() {
    return this.el.session.value.trim() || 'demo';
  }

  async execute() {
    let variables;
    try {
      variables = JSON.parse(this.el.variables.value || '{}');
    } catch (e) {
      this.show(`Variables are not valid JSON: ${e.message}`);
      return;
    }
    const name = encodeURIComponent(this.el.integration.value);
    const session = this.session();
    this.onRun(session);
    const answer = await postJson(`/api/sessions/${encodeURIComponent(session)}/integrations/${name}`,
      { variables, userMessage: this.el.message.value });
    this.show(answer);
  }

  async runScript() {
    const session = this.session();
    this.onRun(session);
    const answer = await postJson(`/api/sessions/${encodeURIComponent(session)}/scripts`,
      { code: this.el.code.value, userMessage: this.el.message.value });
    this.show(answer);
  }

  show(answer) {
    if (typeof answer === 'string') {
      this.el.answer.textContent = answer;
      return;
    }
    const { events, ...rest } = answer.body;
    this.el.answer.textContent = `HTTP ${answer.status}\n${JSON.stringify(rest, null, 2)}`
      + (events ? `\n(${events.length} events, shown in the stream)` : '');
  }
}
