// Registered models: versions, sha256, size, the deployments that use them; upload with progress.
import { h, clear, table, errorLine, showError, toast } from './dom.js';
import { get, paths, session, seg } from './api.js';

export function size(bytes) {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

/** Which deployments use each model version: "name:version" → ["endpoint/deployment", ...]. */
async function usage() {
  const used = new Map();
  for (const e of await get(paths.endpoints())) {
    for (const d of await get(paths.deployments(e.name))) {
      const m = d.registered_model;
      if (!m) continue;
      const ref = `${m.name}:${m.version}`;
      used.set(ref, [...(used.get(ref) || []), `${e.name}/${d.name}`]);
    }
  }
  return used;
}

/** POST the file with XMLHttpRequest: fetch reports no upload progress. */
function upload(name, description, file, progress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const query = description ? `?description=${seg(description)}` : '';
    xhr.open('POST', paths.modelVersions(name) + query);
    xhr.setRequestHeader('Authorization', `Bearer ${session.key()}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) progress(e.loaded, e.total);
    });
    xhr.addEventListener('load', () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new Error(`${(body && body.error) || 'upload refused'} (${xhr.status})`));
    });
    xhr.addEventListener('error', () => reject(new Error('the upload failed (connection lost?)')));
    xhr.send(file);
  });
}

export function modelsPage(main) {
  const list = h('div', { id: 'model-list' }, h('p', { class: 'muted' }, 'Loading…'));
  const error = errorLine('models-error');
  const name = h('input', { id: 'model-name', type: 'text', required: true, autocomplete: 'off' });
  const description = h('input', { id: 'model-description', type: 'text', autocomplete: 'off' });
  const file = h('input', { id: 'model-file', type: 'file', accept: '.onnx' });
  const bar = h('progress', { id: 'upload-progress', class: 'progress', max: '100', value: '0', hidden: true });
  const status = h('p', { id: 'upload-status', 'aria-live': 'polite' });
  const uploadError = errorLine('upload-error');

  async function load() {
    try {
      const [latest, used] = await Promise.all([get(paths.models()), usage()]);
      const rows = [];
      for (const m of latest) {
        for (const v of (await get(paths.model(m.name))).reverse()) {
          const ref = `${v.name}:${v.version}`;
          rows.push(h('tr', { 'data-model': ref },
            h('td', {}, v.name, v.anonymous ? h('span', { class: 'muted' }, ' (from a deployment)') : null),
            h('td', {}, String(v.version)),
            h('td', {}, h('code', { title: v.sha256 }, v.sha256.slice(0, 16) + '…')),
            h('td', {}, size(v.size)),
            h('td', {}, v.created_at),
            h('td', {}, (used.get(ref) || []).join(', ') || '—'),
            h('td', {}, v.description || '')));
        }
      }
      showError(error, null);
      clear(list).append(rows.length
        ? table(['Model', 'Version', 'sha256', 'Size', 'Registered', 'Used by', 'Description'], rows, { id: 'models-table' })
        : h('p', { class: 'muted' }, 'No model registered yet.'));
    } catch (e) {
      showError(error, e);
    }
  }

  const button = h('button', {
    type: 'button', class: 'primary', id: 'upload-model',
    on: {
      click: async () => {
        showError(uploadError, null);
        if (!name.value.trim() || !file.files.length) {
          showError(uploadError, new Error('Give a name and choose an .onnx file.'));
          return;
        }
        bar.hidden = false;
        bar.value = 0;
        button.disabled = true;
        try {
          const v = await upload(name.value.trim(), description.value.trim(), file.files[0], (done, total) => {
            bar.value = Math.round((100 * done) / total);
            status.textContent = `Uploading: ${size(done)} of ${size(total)}`;
          });
          status.textContent = `Registered ${v.name}:${v.version} (sha256 ${v.sha256.slice(0, 12)}…)`;
          toast(`Model ${v.name}:${v.version} registered`);
          load();
        } catch (e) {
          status.textContent = '';
          showError(uploadError, e);
        } finally {
          button.disabled = false;
        }
      },
    },
  }, 'Upload');

  main.append(
    h('h1', {}, 'Models'), error, list,
    h('section', { class: 'panel stack', 'aria-labelledby': 'upload-heading' },
      h('h2', { id: 'upload-heading' }, 'Register a model'),
      h('div', { class: 'row' },
        h('label', { for: 'model-name' }, 'Name'), name,
        h('label', { for: 'model-description' }, 'Description'), description),
      h('div', { class: 'row' }, h('label', { for: 'model-file' }, 'ONNX file'), file, button),
      bar, status, uploadError));
  load();
}
