// The endpoints: a table, create from YAML, delete with confirmation.
import { h, clear, table, errorLine, showError, toast } from './dom.js';
import { api, get, paths, ApiError } from './api.js';
import { yamlEditor } from './editor.js';

const TEMPLATE = `$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json
name: my-endpoint
auth_mode: key          # or aml_token
description: A new endpoint
tags: {}
`;

/** The API's warnings on an accepted spec, for a toast. */
export function warnings(view) {
  return view && view.warnings && view.warnings.length ? ` (warnings: ${view.warnings.join('; ')})` : '';
}

/** "blue 90 %, green 10 %" or "none". */
export function split(traffic) {
  const parts = Object.entries(traffic || {}).filter(([, p]) => p > 0).map(([d, p]) => `${d} ${p} %`);
  return parts.length ? parts.join(', ') : 'none';
}

export function endpointsPage(main) {
  const list = h('div', { id: 'endpoint-list' }, h('p', { class: 'muted' }, 'Loading…'));
  const error = errorLine('endpoints-error');
  const editor = yamlEditor('endpoint-yaml', 'Endpoint YAML (as for knoe online-endpoint create -f)', TEMPLATE);
  const createError = errorLine('create-endpoint-error');
  const create = h('button', { type: 'button', class: 'primary', id: 'create-endpoint' }, 'Create endpoint');

  let shown = null;

  async function load() {
    try {
      const endpoints = await get(paths.endpoints());
      showError(error, null);
      const same = JSON.stringify(endpoints);
      if (same === shown) return; // unchanged: keep the table (and the focus in it)
      shown = same;
      clear(list).append(endpoints.length === 0
        ? h('p', { class: 'muted', id: 'no-endpoints' }, 'No endpoint yet: create one below.')
        : table(['Name', 'Auth', 'State', 'Traffic', 'Mirror', 'Deployments', 'Scoring URI', ''],
          endpoints.map(row), { id: 'endpoints-table' }));
    } catch (e) {
      showError(error, e);
    }
  }

  function row(e) {
    const del = h('button', {
      type: 'button', class: 'danger', 'aria-label': `Delete endpoint ${e.name}`, 'data-endpoint': e.name,
      on: { click: () => remove(e.name) },
    }, 'Delete');
    return h('tr', { 'data-endpoint': e.name },
      h('td', {}, h('a', { href: `#/endpoints/${encodeURIComponent(e.name)}` }, e.name)),
      h('td', {}, e.auth_mode),
      h('td', { class: `state-${e.provisioning_state}` }, e.provisioning_state, e.message ? h('div', { class: 'muted' }, e.message) : null),
      h('td', {}, split(e.traffic)),
      h('td', {}, split(e.mirror_traffic)),
      h('td', {}, Object.keys(e.deployments || {}).join(', ') || '—'),
      h('td', {}, h('code', {}, e.scoring_uri || '')),
      h('td', {}, del));
  }

  async function remove(name) {
    try {
      // The ETag read before asking: a change made while the question is open is refused (412).
      const current = await api('GET', paths.endpoint(name));
      if (!confirm(`Delete endpoint ${name} and all its deployments? This cannot be undone.`)) return;
      await api('DELETE', paths.endpoint(name), { ifMatch: current.etag });
      toast(`Endpoint ${name} is being deleted`);
      load();
    } catch (e) {
      showError(error, e);
    }
  }

  create.addEventListener('click', async () => {
    showError(createError, null);
    editor.showProblems([]);
    try {
      const answer = await api('POST', paths.endpoints(), { body: editor.text(), type: 'application/yaml' });
      toast(`Endpoint ${answer.json.name} created${warnings(answer.json)}`);
      location.hash = `#/endpoints/${encodeURIComponent(answer.json.name)}`;
    } catch (e) {
      showError(createError, e);
      if (e instanceof ApiError) editor.showProblems(e.problems.length ? e.problems : [e.body.error || e.message]);
    }
  });

  main.append(
    h('h1', {}, 'Endpoints'),
    error,
    list,
    h('section', { class: 'panel', 'aria-labelledby': 'create-heading' },
      h('h2', { id: 'create-heading' }, 'Create an endpoint from YAML'),
      editor.element,
      h('div', { class: 'row' }, create),
      createError));
  let timer = null;
  let stopped = false;
  const loop = async () => {
    await load();
    if (!stopped) timer = setTimeout(loop, 3000);
  };
  loop();
  return () => { stopped = true; clearTimeout(timer); };
}
