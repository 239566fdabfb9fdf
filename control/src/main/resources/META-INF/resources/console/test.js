// Test: send a request to the endpoint as a client would (its own key or token, by the traffic
// rules or to one deployment by header). Consume: code to call it from elsewhere.
import { h, clear, errorLine, showError, copyButton } from './dom.js';
import { api, get, request, paths, seg } from './api.js';

/** The endpoint's own credential: the primary key, or a fresh token. */
export async function endpointCredential(name, view) {
  if (view.auth_mode === 'aml_token') return (await api('POST', paths.token(name))).json.accessToken;
  return (await get(paths.keys(name))).primaryKey;
}

/** A zero tensor of the shape (unknown dimensions taken as 1), nested as /score reads it. */
function zeros(shape) {
  if (!shape.length) return 0;
  const [first, ...rest] = shape;
  return Array.from({ length: first > 0 ? first : 1 }, () => zeros(rest));
}

/** A /score body from the model's V2 metadata: {"data": ...} for one input, else by name. */
export function sampleBody(metadata) {
  const inputs = (metadata && metadata.inputs) || [];
  if (inputs.length === 1) return JSON.stringify({ data: zeros(inputs[0].shape || [1]) });
  if (inputs.length > 1) return JSON.stringify({ inputs: Object.fromEntries(inputs.map((i) => [i.name, zeros(i.shape || [1])])) });
  return '{"data": [[0]]}';
}

export function testTab(body, name) {
  const target = h('select', { id: 'test-target' }, h('option', { value: '' }, 'By the traffic rules'));
  const text = h('textarea', { id: 'test-body', class: 'code wide', rows: '8', spellcheck: 'false' });
  const send = h('button', { type: 'button', class: 'primary', id: 'test-send' }, 'Send');
  const result = h('div', { id: 'test-result', 'aria-live': 'polite' });
  const error = errorLine('test-error');
  let view = null;
  let credential = null;

  async function setUp() {
    try {
      const answer = await api('GET', paths.endpoint(name));
      view = answer.json;
      if ((await get(paths.platform())).backend !== 'local') {
        // On a cluster the endpoint is served by Knative, not by this server's router, and the
        // console talks to its own origin only (connect-src 'self').
        send.disabled = true;
        showError(error, new Error(`This endpoint is served at ${view.scoring_uri}, not by this server: `
          + 'test it from a machine that reaches that address (see Consume).'));
        return;
      }
      for (const d of Object.keys(view.deployments || {})) target.append(h('option', { value: d }, `${d} (by header)`));
      credential = await endpointCredential(name, view);
      // Every deployment answers to the endpoint's name as a V2 model name.
      const meta = await request('GET', `/endpoints/${seg(name)}/v2/models/${seg(name)}`, { credential });
      text.value = sampleBody(meta.status === 200 ? meta.json : null);
    } catch (e) {
      showError(error, e);
      if (!text.value) text.value = '{"data": [[0]]}';
    }
  }

  send.addEventListener('click', async () => {
    showError(error, null);
    clear(result).append(h('p', { class: 'muted' }, 'Sending…'));
    const headers = target.value ? { 'azureml-model-deployment': target.value } : {};
    const started = performance.now();
    try {
      const answer = await request('POST', `/endpoints/${seg(name)}/score`, {
        body: text.value, type: 'application/json', headers, credential,
      });
      const ms = performance.now() - started;
      let shown = answer.text;
      // Short answers on one line, long ones indented.
      try { shown = JSON.stringify(JSON.parse(answer.text), null, answer.text.length > 200 ? 2 : 0); } catch (e) { /* as sent */ }
      clear(result).append(
        h('dl', { class: 'facts' },
          h('dt', {}, 'Status'), h('dd', { id: 'test-status', class: answer.status < 300 ? 'ok' : 'error' }, String(answer.status)),
          h('dt', {}, 'Latency'), h('dd', { id: 'test-latency' }, `${ms.toFixed(1)} ms`),
          h('dt', {}, 'Answered by'), h('dd', { id: 'test-deployment' }, answer.headers.get('azureml-model-deployment') || '—'),
          h('dt', {}, 'Request id'), h('dd', {}, answer.headers.get('x-request-id') || '—')),
        h('pre', { id: 'test-answer' }, shown));
    } catch (e) {
      clear(result);
      showError(error, e);
    }
  });

  body.append(
    h('div', { class: 'stack panel' },
      h('div', { class: 'row' }, h('label', { for: 'test-target' }, 'Send to'), target),
      h('label', { for: 'test-body', class: 'block' }, 'Request body (prefilled from the model\'s inputs)'), text,
      h('div', { class: 'row' }, send),
      h('p', { class: 'muted' }, 'Sent with the endpoint\'s own credential, as a client would.')),
    error, result);
  setUp();
}

/** The snippets; the credential is a placeholder (the Overview tab shows it on request). */
export function snippets(uri, tokenAuth) {
  const cred = tokenAuth ? 'KNOE_TOKEN' : 'KNOE_KEY';
  return {
    curl: `curl -X POST '${uri}' \\
  -H "Authorization: Bearer $${cred}" \\
  -H 'Content-Type: application/json' \\
  -d '{"data": [[1, 2, 3]]}'`,
    python: `import os
import requests

answer = requests.post(
    "${uri}",
    headers={"Authorization": "Bearer " + os.environ["${cred}"]},
    json={"data": [[1, 2, 3]]},
    timeout=30,
)
answer.raise_for_status()
print(answer.headers.get("azureml-model-deployment"), answer.json())`,
    java: `import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

var request = HttpRequest.newBuilder(URI.create("${uri}"))
    .header("Authorization", "Bearer " + System.getenv("${cred}"))
    .header("Content-Type", "application/json")
    .POST(HttpRequest.BodyPublishers.ofString("{\\"data\\": [[1, 2, 3]]}"))
    .build();
var answer = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
System.out.println(answer.statusCode() + " " + answer.body());`,
  };
}

export function consumeTab(body, name) {
  const error = errorLine('consume-error');
  body.append(error);
  api('GET', paths.endpoint(name)).then(({ json: view }) => {
    const token = view.auth_mode === 'aml_token';
    const code = snippets(view.scoring_uri, token);
    body.append(
      h('p', {}, 'Scoring URI: ', h('code', { id: 'consume-uri' }, view.scoring_uri)),
      h('p', { class: 'muted' }, token
        ? 'Set KNOE_TOKEN to a token (Overview → Get a token, or knoe online-endpoint get-credentials).'
        : 'Set KNOE_KEY to a key (Overview → Show keys, or knoe online-endpoint get-credentials).'),
      ...[['curl', 'curl'], ['python', 'Python (requests)'], ['java', 'Java (HttpClient)']].map(([k, label]) =>
        h('section', { class: 'snippet' },
          h('h2', {}, label, ' ', copyButton(`Copy the ${label} snippet`, code[k], `copy-${k}`)),
          h('pre', { id: `snippet-${k}` }, code[k]))));
  }).catch((e) => showError(error, e));
}
