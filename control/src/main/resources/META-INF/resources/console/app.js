// The console's shell: sign-in, navigation and the page for the address after '#'.
//   #/endpoints                         the endpoints
//   #/endpoints/<name>[/<tab>]          one endpoint: overview, charts, test, consume, logs
//   #/models                            registered models
import { h, clear, errorLine, showError } from './dom.js';
import { session, request, whenUnauthorized, paths } from './api.js';
import { endpointsPage } from './endpoints.js';
import { endpointPage } from './endpoint.js';
import { modelsPage } from './models.js';

const main = document.getElementById('main');
let leave = () => {}; // stops the current page's timers

function signInPage(message) {
  const input = h('input', { id: 'admin-key', type: 'password', autocomplete: 'off', required: true });
  const error = errorLine('sign-in-error');
  error.textContent = message || '';
  const form = h('form', { class: 'signin panel stack', id: 'sign-in' },
    h('h1', {}, 'Sign in to Knoe'),
    h('p', { class: 'muted' },
      'Use the admin key: the first knoe serve printed it, and it is kept in <data dir>/admin-key ',
      'and in the CLI config (~/.knoe/config.json). It stays in this tab\'s session storage only.'),
    h('label', { for: 'admin-key' }, 'Admin key'),
    input,
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary', id: 'sign-in-button' }, 'Sign in')),
    error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const key = input.value.trim();
    try {
      const answer = await request('GET', paths.platform(), { credential: key });
      if (answer.status === 401) {
        showError(error, new Error('The admin key was refused (401): check it and try again.'));
        return;
      }
      if (answer.status !== 200) {
        showError(error, new Error(`The server answered ${answer.status}.`));
        return;
      }
      session.signIn(key);
      if (!location.hash || location.hash === '#/' || location.hash === '#/sign-in') location.hash = '#/endpoints';
      route();
    } catch (err) {
      showError(error, err);
    }
  });
  clear(main).append(form);
  input.focus();
}

function chrome(signedIn) {
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('sign-out').hidden = !signedIn;
  document.getElementById('server').textContent = signedIn ? location.host : '';
  for (const a of document.querySelectorAll('#nav a')) {
    a.toggleAttribute('aria-current', false);
    if (location.hash.startsWith(a.getAttribute('href'))) a.setAttribute('aria-current', 'page');
  }
}

function route() {
  leave();
  leave = () => {};
  if (!session.key()) {
    chrome(false);
    signInPage();
    return;
  }
  chrome(true);
  let parts;
  try {
    parts = (location.hash.replace(/^#\/?/, '') || 'endpoints').split('/').map(decodeURIComponent);
  } catch (e) {
    parts = ['endpoints']; // a malformed address: the endpoints page
  }
  clear(main);
  let stop;
  if (parts[0] === 'endpoints' && parts[1]) {
    stop = endpointPage(main, parts[1], parts[2] || 'overview');
  } else if (parts[0] === 'models') {
    stop = modelsPage(main);
  } else {
    stop = endpointsPage(main);
  }
  leave = typeof stop === 'function' ? stop : () => {};
  main.focus({ preventScroll: true }); // screen readers start at the new page
  document.title = `Knoe console · ${parts[1] || parts[0] || 'endpoints'}`;
}

whenUnauthorized(() => {
  session.signOut();
  leave();
  leave = () => {};
  chrome(false);
  signInPage('The admin key was refused (401): sign in again.');
});

document.getElementById('sign-out').addEventListener('click', () => {
  session.signOut();
  location.hash = '#/endpoints';
  route();
});
window.addEventListener('hashchange', route);
route();
