// Logs: the last lines of a deployment's instances (or of its model download step), followed.
import { h, errorLine, showError } from './dom.js';
import { get, api, paths } from './api.js';

export function logsTab(body, name) {
  const deployment = h('select', { id: 'logs-deployment' });
  const container = h('select', { id: 'logs-container' },
    h('option', { value: 'inference-server' }, 'instances (inference-server)'),
    h('option', { value: 'storage-initializer' }, 'model download (storage-initializer)'));
  const lines = h('input', { id: 'logs-lines', type: 'number', min: '1', max: '100000', value: '200' });
  const follow = h('input', { id: 'logs-follow', type: 'checkbox', checked: true });
  const out = h('pre', { id: 'logs', class: 'logs', tabindex: '0', 'aria-label': 'Log lines' });
  const error = errorLine('logs-error');
  let timer = null;
  let stopped = false;
  let generation = 0; // a change of the controls starts a new one; older answers are dropped

  async function read() {
    clearTimeout(timer);
    const mine = ++generation;
    if (deployment.value) {
      try {
        const answer = await api('GET', paths.logs(name, deployment.value, Number(lines.value) || 200, container.value));
        if (mine !== generation) return; // the controls changed meanwhile: a newer read shows
        const atBottom = out.scrollTop + out.clientHeight >= out.scrollHeight - 4;
        out.textContent = answer.text || '(no lines yet)';
        if (atBottom || follow.checked) out.scrollTop = out.scrollHeight;
        showError(error, null);
      } catch (e) {
        if (mine !== generation) return;
        showError(error, e);
      }
    }
    if (follow.checked && !stopped && mine === generation) timer = setTimeout(read, 2000);
  }

  get(paths.deployments(name)).then((list) => {
    for (const d of list) deployment.append(h('option', { value: d.name }, d.name));
    if (!list.length) out.textContent = 'No deployment yet.';
    read();
  }).catch((e) => showError(error, e));
  for (const control of [deployment, container, lines, follow]) control.addEventListener('change', read);

  body.append(
    h('div', { class: 'row panel' },
      h('label', { for: 'logs-deployment' }, 'Deployment'), deployment,
      h('label', { for: 'logs-container' }, 'Log'), container,
      h('label', { for: 'logs-lines' }, 'Lines'), lines,
      h('label', { for: 'logs-follow' }, follow, ' Follow')),
    error, out);
  return () => { stopped = true; clearTimeout(timer); };
}
