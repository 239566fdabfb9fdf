// Live charts: per deployment side by side, from GET /api/v1/endpoints/<name>/metrics, refreshed
// every two seconds, the last 15 minutes. Drawn as SVG here (no chart library, nothing fetched).
import { h, s, clear, errorLine, showError } from './dom.js';
import { get, paths } from './api.js';

/** What each chart shows: its title, unit and series (key in the API's answer, label). */
const CHARTS = [
  { id: 'rps', title: 'Requests', unit: '/s', series: [['requests_per_second', 'requests/s']] },
  { id: 'latency', title: 'Latency', unit: 'ms', series: [['latency_p50_ms', 'p50'], ['latency_p99_ms', 'p99']] },
  { id: 'errors', title: 'Errors', unit: '/s', series: [['errors_4xx_per_second', '4xx/s'], ['errors_5xx_per_second', '5xx/s']] },
  { id: 'instances', title: 'Instances', unit: '', series: [['instances_ready', 'ready'], ['instances_wanted', 'wanted']] },
  { id: 'cold', title: 'Cold starts and requests held at zero', unit: '', series: [['cold_starts', 'cold starts'], ['requests_held', 'held']] },
];

const W = 600;
const H = 110;
const PAD = { left: 44, right: 8, top: 8, bottom: 16 };

/** A round ceiling for the y axis: 1, 2, 5 × 10^n. */
export function niceMax(x) {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  return [1, 2, 5, 10].map((m) => m * p).find((m) => m >= x);
}

export function format(v) {
  if (v === null || v === undefined) return '–';
  return Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1);
}

/** The SVG path of one series; a null breaks the line. */
function pathOf(values, x, y) {
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || v === undefined) { pen = false; return; }
    d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  });
  return d;
}

function chart(deployment, spec, data, timestamps) {
  const all = spec.series.flatMap(([key]) => (data[key] || []).filter((v) => v !== null));
  const top = niceMax(Math.max(0, ...all));
  const n = Math.max(timestamps.length, 2);
  const x = (i) => PAD.left + ((W - PAD.left - PAD.right) * i) / (n - 1);
  const y = (v) => H - PAD.bottom - ((H - PAD.top - PAD.bottom) * v) / top;
  const span = timestamps.length > 1 ? timestamps[timestamps.length - 1] - timestamps[0] : 0;
  const since = span >= 120 ? `−${Math.round(span / 60)} min` : `−${span} s`;
  const legend = h('span', { class: 'legend' }, spec.series.map(([key, label], i) => {
    const values = data[key] || [];
    const last = [...values].reverse().find((v) => v !== null && v !== undefined);
    return h('span', { class: `s${i + 1}`, 'data-series': key, 'data-last': last ?? '' }, `${label} ${format(last)}${spec.unit && spec.unit !== '/s' ? ` ${spec.unit}` : ''}`);
  }));
  const title = `${spec.title} of ${deployment}`;
  return h('figure', { class: 'chart', id: `chart-${deployment}-${spec.id}` },
    h('figcaption', { class: 'title' }, h('span', {}, spec.title + (spec.unit ? ` (${spec.unit})` : '')), legend),
    s('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': title },
      s('line', { class: 'axis', x1: PAD.left, x2: W - PAD.right, y1: H - PAD.bottom, y2: H - PAD.bottom }),
      s('line', { class: 'axis', x1: PAD.left, x2: W - PAD.right, y1: PAD.top, y2: PAD.top }),
      s('text', { class: 'grid-label', x: 2, y: PAD.top + 8 }, format(top)),
      s('text', { class: 'grid-label', x: 2, y: H - PAD.bottom }, '0'),
      s('text', { class: 'grid-label', x: PAD.left, y: H - 3 }, since),
      s('text', { class: 'grid-label', x: W - PAD.right - 22, y: H - 3 }, 'now'),
      spec.series.map(([key], i) => s('path', { class: `s${i + 1}`, d: pathOf(data[key] || [], x, y) }))));
}

/** The windows offered; the issue's 15 minutes is the default. */
const WINDOWS = [['1m', 'last minute'], ['5m', 'last 5 minutes'], ['15m', 'last 15 minutes']];

export function chartsTab(body, name) {
  const windowSelect = h('select', { id: 'charts-window' },
    WINDOWS.map(([w, label]) => h('option', { value: w, selected: w === '15m' }, label)));
  const error = errorLine('charts-error');
  const note = h('p', { class: 'muted', id: 'charts-note' });
  const grid = h('div', { class: 'charts', id: 'charts' });
  let timer = null;
  let stopped = false;

  let inFlight = false;

  /** One read at a time; a change of window while one is out reads again as soon as it is back. */
  async function refresh() {
    if (inFlight) return;
    inFlight = true;
    clearTimeout(timer);
    const asked = windowSelect.value;
    try {
      const m = await get(paths.metrics(name, asked));
      showError(error, null);
      if (m.source === 'none') {
        note.textContent = m.message || 'No figures here.';
        clear(grid);
      } else {
        note.textContent = `One point per ${m.step_seconds} s, refreshed every 2 s`
          + (m.source === 'prometheus' ? ', from Prometheus.' : ', kept by knoe serve (since it started, at most 15 minutes).');
        const columns = Object.entries(m.deployments || {}).map(([d, data]) =>
          h('div', { class: 'chart-col', 'data-deployment': d }, h('h3', {}, d),
            CHARTS.map((c) => chart(d, c, data, m.timestamps || []))));
        clear(grid).append(...(columns.length ? columns : [h('p', { class: 'muted' }, 'No deployment yet.')]));
      }
    } catch (e) {
      showError(error, e);
    }
    inFlight = false;
    if (!stopped) timer = setTimeout(refresh, asked === windowSelect.value ? 2000 : 0);
  }

  windowSelect.addEventListener('change', () => refresh());
  body.append(h('div', { class: 'row' }, h('label', { for: 'charts-window' }, 'Show the'), windowSelect, note), error, grid);
  refresh();
  return () => { stopped = true; clearTimeout(timer); };
}
