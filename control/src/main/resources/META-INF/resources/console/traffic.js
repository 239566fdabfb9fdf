// Traffic sliders: one per deployment, the sum kept at 100 (or 0), and a mirror slider. The rules
// on what a split may be are the API's (spec.TrafficRules); here only the arithmetic of a slider.
import { h, clear, errorLine, showError, toast } from './dom.js';
import { api, paths, endpointSpec, ApiError } from './api.js';
import { split } from './endpoints.js';

/**
 * The split after `name` is set to `value`: the others share the rest in proportion to what they
 * had (largest remainders get the odd points), so the sum stays 100. If they had nothing, the
 * first of them takes the rest. A lone deployment has 0 or 100.
 */
export function rebalance(traffic, name, value) {
  const others = Object.keys(traffic).filter((d) => d !== name);
  const out = { ...traffic, [name]: value };
  if (others.length === 0) {
    out[name] = value >= 50 ? 100 : 0;
    return out;
  }
  const rest = 100 - value;
  const had = others.reduce((sum, d) => sum + (traffic[d] || 0), 0);
  const exact = others.map((d) => (had > 0 ? ((traffic[d] || 0) * rest) / had : d === others[0] ? rest : 0));
  const floors = exact.map(Math.floor);
  let left = rest - floors.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - floors[i], i]).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left <= 0) break;
    floors[i]++;
    left--;
  }
  others.forEach((d, i) => (out[d] = floors[i]));
  return out;
}

/**
 * The traffic form of an endpoint. `view()` is the last endpoint view read (with `etag`); the
 * form keeps the user's unsaved values until applied or reset, and applies them with the ETag of
 * the view they were made on, so a change made elsewhere meanwhile is refused (412) and shown.
 */
export function trafficForm(name, onApplied) {
  const section = h('section', { class: 'panel', 'aria-labelledby': 'traffic-heading', id: 'traffic' });
  const error = errorLine('traffic-error');
  let base = null; // the view the sliders started from
  let traffic = {};
  let mirror = { to: '', percent: 0 };
  let dirty = false;

  function render() {
    const names = Object.keys(base.deployments || {});
    const rows = [];
    for (const d of names) {
      const id = `traffic-${d}`;
      const out = h('output', { for: id, 'data-share': d }, `${traffic[d] || 0} %`);
      const input = h('input', {
        type: 'range', id, min: '0', max: '100', step: names.length === 1 ? '100' : '1',
        value: String(traffic[d] || 0), 'data-deployment': d,
        on: {
          input: (e) => {
            traffic = rebalance(traffic, d, Number(e.target.value));
            dirty = true;
            sync();
          },
        },
      });
      rows.push(h('label', { for: id }, d), input, out);
    }
    const mirrorSelect = h('select', {
      id: 'mirror-deployment',
      on: { change: (e) => { mirror.to = e.target.value; if (!mirror.to) mirror.percent = 0; dirty = true; sync(); } },
    }, h('option', { value: '' }, 'no mirror'), names.map((d) => h('option', { value: d, selected: d === mirror.to }, d)));
    const mirrorRange = h('input', {
      type: 'range', id: 'mirror-percent', min: '0', max: '50', step: '1', value: String(mirror.percent),
      on: { input: (e) => { mirror.percent = Number(e.target.value); dirty = true; sync(); } },
    });
    const apply = h('button', { type: 'button', class: 'primary', id: 'apply-traffic', on: { click: applyChange } }, 'Apply');
    const reset = h('button', { type: 'button', id: 'reset-traffic', on: { click: () => { dirty = false; showError(error, null); onApplied(); } } }, 'Reset');
    const none = h('button', {
      type: 'button', id: 'no-traffic',
      on: { click: () => { for (const d of names) traffic[d] = 0; dirty = true; sync(); } },
    }, 'No traffic');
    clear(section).append(
      h('h2', { id: 'traffic-heading' }, 'Traffic'),
      names.length === 0
        ? h('p', { class: 'muted' }, 'No deployment yet: add one below, then give it traffic here.')
        : h('div', { class: 'stack' },
          h('div', { class: 'sliders' }, rows),
          h('div', { class: 'sliders' },
            h('label', { for: 'mirror-deployment' }, 'Mirror to'), mirrorSelect, h('span'),
            h('label', { for: 'mirror-percent' }, 'Mirror share'), mirrorRange,
            h('output', { for: 'mirror-percent', id: 'mirror-percent-value' }, `${mirror.percent} %`)),
          h('p', { class: 'muted', id: 'traffic-summary' }),
          h('div', { class: 'row' }, apply, reset, none)),
      error);
    sync();
  }

  /** Shows the values without rebuilding the form (keeps focus while a slider moves). */
  function sync() {
    for (const [d, p] of Object.entries(traffic)) {
      const input = section.querySelector(`input[data-deployment="${CSS.escape(d)}"]`);
      if (input && Number(input.value) !== p) input.value = String(p);
      const out = section.querySelector(`output[data-share="${CSS.escape(d)}"]`);
      if (out) out.textContent = `${p} %`;
    }
    const select = document.getElementById('mirror-deployment');
    if (select && select.value !== mirror.to) select.value = mirror.to;
    const range = document.getElementById('mirror-percent');
    if (range) {
      range.disabled = !mirror.to;
      range.value = String(mirror.percent);
      document.getElementById('mirror-percent-value').textContent = `${mirror.percent} %`;
    }
    const summary = document.getElementById('traffic-summary');
    if (summary) {
      summary.textContent = `${dirty ? 'Not applied yet: ' : 'Applied: '}${split(traffic)}`
        + (mirror.to && mirror.percent ? `; mirror ${mirror.percent} % to ${mirror.to}` : '');
    }
  }

  function load(view) {
    if (dirty) {
      // Keep the user's values; they apply against `base.etag`, so say now that Apply will fail.
      if (view.etag !== base.etag) {
        showError(error, new Error('The endpoint changed elsewhere since you moved the sliders '
          + `(now ${split(view.traffic)}): Apply will be refused; Reset starts from it.`));
      }
      return;
    }
    const before = base ? Object.keys(base.deployments || {}).join('\n') : null;
    base = view;
    traffic = {};
    for (const d of Object.keys(view.deployments || {})) traffic[d] = (view.traffic || {})[d] || 0;
    const m = Object.entries(view.mirror_traffic || {}).find(([, p]) => p > 0);
    mirror = m ? { to: m[0], percent: m[1] } : { to: '', percent: 0 };
    // Rebuilt only when the deployments change: a rebuild would take the focus off a slider
    // and close an open list.
    if (before === Object.keys(view.deployments || {}).join('\n')) {
      sync();
    } else {
      render();
    }
  }

  async function applyChange() {
    showError(error, null);
    const spec = endpointSpec(base);
    spec.traffic = Object.fromEntries(Object.entries(traffic).filter(([, p]) => p > 0));
    spec.mirror_traffic = mirror.to && mirror.percent ? { [mirror.to]: mirror.percent } : {};
    try {
      await api('PUT', paths.endpoint(name), {
        body: JSON.stringify(spec), type: 'application/json', ifMatch: base.etag,
      });
      dirty = false;
      toast(`Traffic applied: ${split(spec.traffic)}`);
      onApplied();
    } catch (e) {
      if (e instanceof ApiError && e.status === 412) {
        // Changed elsewhere since the sliders were set: show what it is now, overwrite nothing.
        try {
          const now = await api('GET', paths.endpoint(name));
          showError(error, new Error(
            `Not applied: the endpoint changed elsewhere meanwhile. It is now ${split(now.json.traffic)}`
            + ` (mirror ${split(now.json.mirror_traffic)}). Press Reset to start from it.`));
        } catch (again) {
          showError(error, again);
        }
      } else {
        showError(error, e);
      }
    }
  }

  return { element: section, load, isDirty: () => dirty };
}
