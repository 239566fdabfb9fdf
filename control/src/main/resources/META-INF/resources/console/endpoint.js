// One endpoint: tabs for its overview (deployments, traffic, keys), live charts, a test request,
// code to consume it, and its deployments' logs.
import { h, clear, table, errorLine, showError, toast, copyButton } from './dom.js';
import { api, get, paths, ApiError } from './api.js';
import { yamlEditor } from './editor.js';
import { warnings } from './endpoints.js';
import { trafficForm } from './traffic.js';
import { chartsTab } from './charts.js';
import { testTab, consumeTab } from './test.js';
import { logsTab } from './logs.js';

const TABS = [
  ['overview', 'Overview'],
  ['charts', 'Live charts'],
  ['test', 'Test'],
  ['consume', 'Consume'],
  ['logs', 'Logs'],
];

/** The endpoint view with its ETag, as the pages share it. */
export async function readEndpoint(name) {
  const answer = await api('GET', paths.endpoint(name));
  return { ...answer.json, etag: answer.etag };
}

export function endpointPage(main, name, tab) {
  const href = (t) => `#/endpoints/${encodeURIComponent(name)}/${t}`;
  main.append(
    h('p', {}, h('a', { href: '#/endpoints' }, '← Endpoints')),
    h('h1', { id: 'endpoint-name' }, name),
    h('nav', { class: 'tabs', 'aria-label': 'Endpoint' },
      TABS.map(([t, label]) => h('a', { href: href(t), id: `tab-${t}`, 'aria-current': t === tab ? 'page' : null }, label))));
  const body = h('div', { id: `page-${tab}` });
  main.append(body);
  switch (tab) {
    case 'charts': return chartsTab(body, name);
    case 'test': return testTab(body, name);
    case 'consume': return consumeTab(body, name);
    case 'logs': return logsTab(body, name);
    default: return overview(body, name);
  }
}

function overview(body, name) {
  const facts = h('div', { id: 'endpoint-facts' }, h('p', { class: 'muted' }, 'Loading…'));
  const error = errorLine('endpoint-error');
  const deployments = h('div', { id: 'deployments' });
  const traffic = trafficForm(name, () => refresh());
  const keys = keysSection(name, () => refresh());
  const add = addDeployment(name, () => refresh());

  let shownDeployments = null;

  async function refresh() {
    try {
      const view = await readEndpoint(name);
      const list = await get(paths.deployments(name));
      showError(error, null);
      const rows = JSON.stringify([list, view.traffic, view.mirror_traffic]);
      clear(facts).append(h('dl', { class: 'facts' },
        fact('Auth mode', view.auth_mode, 'fact-auth'),
        fact('State', view.provisioning_state + (view.message ? ` — ${view.message}` : ''), 'fact-state'),
        fact('Scoring URI', h('code', {}, view.scoring_uri || ''), 'fact-uri'),
        view.description ? fact('Description', view.description) : null,
        Object.keys(view.tags || {}).length ? fact('Tags', Object.entries(view.tags).map(([k, v]) => `${k}=${v}`).join(', '), 'fact-tags') : null));
      if (rows !== shownDeployments) { // unchanged: keep the table (and the focus in it)
        shownDeployments = rows;
        clear(deployments).append(list.length === 0
        ? h('p', { class: 'muted' }, 'No deployment yet.')
        : table(['Deployment', 'State', 'Instances ready / wanted', 'Model', 'Instance type', 'Scaling', 'Traffic', ''],
          list.map((d) => deploymentRow(name, d, view, refresh)), { id: 'deployments-table' }));
      }
      traffic.load(view);
      keys.load(view);
      add.suggest(list);
    } catch (e) {
      showError(error, e);
    }
  }

  body.append(error, facts,
    h('h2', {}, 'Deployments'), deployments,
    traffic.element, keys.element, add.element);
  // Each read waits for the one before: an old answer never lands after a newer one.
  let timer = null;
  let stopped = false;
  const loop = async () => {
    await refresh();
    if (!stopped) timer = setTimeout(loop, 2000);
  };
  loop();
  return () => { stopped = true; clearTimeout(timer); };
}

function fact(term, value, id) {
  return [h('dt', {}, term), h('dd', { id }, value)];
}

function deploymentRow(endpoint, d, view, refresh) {
  const model = d.registered_model ? `${d.registered_model.name}:${d.registered_model.version}` : String(d.model || '');
  // Default scaling runs instance_count instances; the autoscaler's deployments say what it wants.
  const wanted = d.desired_instances ?? d.instance_count ?? '—';
  const scaling = d.scaling
    || (d.scale_settings && d.scale_settings.type === 'default' ? `fixed: ${d.instance_count} instance(s)` : '—');
  const del = h('button', {
    type: 'button', class: 'danger', 'aria-label': `Delete deployment ${d.name}`,
    on: {
      click: async () => {
        try {
          // The ETag read before asking: a change made while the question is open is refused.
          const current = await api('GET', paths.deployment(endpoint, d.name));
          if (!confirm(`Delete deployment ${d.name}? Its instances stop.`)) return;
          await api('DELETE', paths.deployment(endpoint, d.name), { ifMatch: current.etag });
          toast(`Deployment ${d.name} is being deleted`);
          refresh();
        } catch (e) {
          toast(e.message);
        }
      },
    },
  }, 'Delete');
  return h('tr', { 'data-deployment': d.name },
    h('td', {}, d.name),
    h('td', { class: `state-${d.provisioning_state}` }, d.provisioning_state, d.message ? h('div', { class: 'muted' }, d.message) : null),
    h('td', { class: 'instances' }, `${d.ready_instances} / ${wanted}`),
    h('td', {}, h('code', {}, model)),
    h('td', {}, d.instance_type || ''),
    h('td', {}, scaling),
    h('td', {}, `${(view.traffic || {})[d.name] || 0} %` + ((view.mirror_traffic || {})[d.name] ? ` (+ mirror ${view.mirror_traffic[d.name]} %)` : '')),
    h('td', {}, del));
}

/** Keys (key auth) or a token (aml_token): shown on request, copied, regenerated with confirmation. */
function keysSection(name, refresh) {
  const section = h('section', { class: 'panel', 'aria-labelledby': 'keys-heading', id: 'keys' });
  const shown = h('div', { id: 'credentials' });
  const error = errorLine('keys-error');
  let view = null;
  let mode = null;

  function secret(label, value, id) {
    return h('div', { class: 'row' },
      h('span', { class: 'muted' }, label), h('code', { class: 'secret', id }, value),
      copyButton(`Copy the ${label.toLowerCase()}`, value, `${id}-copy`));
  }

  async function showKeys() {
    showError(error, null);
    try {
      if (view.auth_mode === 'aml_token') {
        const t = (await api('POST', paths.token(name))).json;
        clear(shown).append(secret('Token', t.accessToken, 'access-token'),
          h('p', { class: 'muted' }, `Expires ${t.expiryTimeUtc}; ask again after ${t.refreshAfterTimeUtc}.`));
      } else {
        const k = await get(paths.keys(name));
        clear(shown).append(secret('Primary key', k.primaryKey, 'primary-key'), secret('Secondary key', k.secondaryKey, 'secondary-key'));
      }
    } catch (e) {
      showError(error, e);
    }
  }

  async function regenerate(which) {
    if (!confirm(`Regenerate the ${which} key of ${name}? Clients using it are refused from now on.`)) return;
    showError(error, null);
    try {
      await api('POST', paths.regenerate(name), {
        body: JSON.stringify({ key_type: which }), type: 'application/json', ifMatch: view.etag,
      });
      toast(`The ${which} key of ${name} was regenerated`);
      // A new key is a change of the endpoint (a new ETag): read it before anything else applies.
      await refresh();
      await showKeys();
    } catch (e) {
      showError(error, e instanceof ApiError && e.status === 412
        ? new Error('Not regenerated: the endpoint changed elsewhere meanwhile; try again.') : e);
    }
  }

  function load(v) {
    view = v;
    if (mode === v.auth_mode) return;
    mode = v.auth_mode;
    const token = v.auth_mode === 'aml_token';
    clear(section).append(
      h('h2', { id: 'keys-heading' }, token ? 'Token' : 'Keys'),
      h('div', { class: 'row' },
        h('button', { type: 'button', id: 'show-keys', on: { click: showKeys } }, token ? 'Get a token' : 'Show keys'),
        token ? null : h('button', { type: 'button', id: 'regenerate-primary', class: 'danger', on: { click: () => regenerate('primary') } }, 'Regenerate primary'),
        token ? null : h('button', { type: 'button', id: 'regenerate-secondary', class: 'danger', on: { click: () => regenerate('secondary') } }, 'Regenerate secondary')),
      shown, error);
  }
  return { element: section, load };
}

/** A deployment from YAML, the template naming the newest registered model. */
function addDeployment(endpoint, refresh) {
  const editor = yamlEditor('deployment-yaml', 'Deployment YAML (as for knoe online-deployment create -f)', '');
  const error = errorLine('create-deployment-error');
  let suggested = false;
  const button = h('button', {
    type: 'button', class: 'primary', id: 'create-deployment',
    on: {
      click: async () => {
        showError(error, null);
        editor.showProblems([]);
        try {
          const answer = await api('POST', paths.deployments(endpoint), { body: editor.text(), type: 'application/yaml' });
          toast(`Deployment ${answer.json.name} is being created${warnings(answer.json)}`);
          suggested = false;
          refresh();
        } catch (e) {
          showError(error, e);
          if (e instanceof ApiError) editor.showProblems(e.problems.length ? e.problems : [e.body.error || e.message]);
        }
      },
    },
  }, 'Create deployment');

  async function suggest(deployments) {
    if (suggested) return;
    suggested = true;
    const names = deployments.map((d) => d.name);
    const name = ['blue', 'green', 'red', 'yellow'].find((n) => !names.includes(n)) || 'new';
    let model = 'azureml:<model>:<version>   # register one on the Models page';
    try {
      const models = (await get(paths.models())).filter((m) => !m.anonymous)
        .sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
      if (models.length) model = `azureml:${models[0].name}:${models[0].version}`;
    } catch (e) { /* the template keeps its placeholder */ }
    editor.set(`$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: ${name}
endpoint_name: ${endpoint}
model: ${model}
instance_type: cpu-small
instance_count: 1
`);
  }

  const element = h('section', { class: 'panel', 'aria-labelledby': 'add-deployment-heading' },
    h('h2', { id: 'add-deployment-heading' }, 'Add a deployment from YAML'),
    h('p', { class: 'muted' }, 'It starts with no traffic: test it on the Test tab, then move its slider.'),
    editor.element, h('div', { class: 'row' }, button), error);
  return { element, suggest };
}
