// The control API, with the admin key from the browser's session storage sent as a bearer header.
// No cookie is ever set, so another site cannot make the browser act here (no CSRF).

const KEY = 'knoe.adminKey';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  signIn: (key) => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.error ? `${body.error} (${status})` : `the server answered ${status}`);
    this.status = status;
    this.body = body || {};
    this.problems = (body && body.problems) || [];
  }
}

/** Called when the admin key is refused: the app shows the sign-in page again. */
let onUnauthorized = () => {};
export function whenUnauthorized(f) {
  onUnauthorized = f;
}

/**
 * One request. Answers {status, etag, headers, json, text}; a status other than 2xx throws an
 * ApiError carrying the API's message (and its problems, for a refused spec).
 */
export async function request(method, path, { body, type, ifMatch, headers = {}, credential } = {}) {
  const h = { ...headers };
  // The admin key goes to the control API only: never to an endpoint's address, even by mistake.
  const auth = credential === undefined ? (path.startsWith('/api/') ? session.key() : null) : credential;
  if (auth) h.Authorization = `Bearer ${auth}`;
  if (type) h['Content-Type'] = type;
  if (ifMatch) h['If-Match'] = ifMatch;
  const response = await fetch(path, { method, headers: h, body, cache: 'no-store' });
  const text = await response.text();
  let json = null;
  if ((response.headers.get('Content-Type') || '').includes('json') && text) {
    try { json = JSON.parse(text); } catch (e) { /* shown as text */ }
  }
  const answer = { status: response.status, etag: response.headers.get('ETag'), headers: response.headers, json, text };
  return answer;
}

/** As request, for the control API: refuses non-2xx answers. */
export async function api(method, path, options) {
  const answer = await request(method, path, options);
  if (answer.status === 401 && (!options || options.credential === undefined)) {
    onUnauthorized();
  }
  if (answer.status < 200 || answer.status > 299) {
    throw new ApiError(answer.status, answer.json || (answer.text ? { error: answer.text } : null));
  }
  return answer;
}

export const get = (path) => api('GET', path).then((a) => a.json);

/** A path segment: names are checked by the API, and still never trusted to be URL-safe here. */
export const seg = encodeURIComponent;

export const paths = {
  endpoints: () => '/api/v1/endpoints',
  endpoint: (e) => `/api/v1/endpoints/${seg(e)}`,
  deployments: (e) => `/api/v1/endpoints/${seg(e)}/deployments`,
  deployment: (e, d) => `/api/v1/endpoints/${seg(e)}/deployments/${seg(d)}`,
  logs: (e, d, lines, container) =>
    `/api/v1/endpoints/${seg(e)}/deployments/${seg(d)}/logs?lines=${lines}&container=${seg(container)}`,
  keys: (e) => `/api/v1/endpoints/${seg(e)}/keys`,
  regenerate: (e) => `/api/v1/endpoints/${seg(e)}/keys/regenerate`,
  token: (e) => `/api/v1/endpoints/${seg(e)}/token`,
  metrics: (e, window) => `/api/v1/endpoints/${seg(e)}/metrics?window=${seg(window)}`,
  models: () => '/api/v1/models',
  model: (m) => `/api/v1/models/${seg(m)}`,
  modelVersions: (m) => `/api/v1/models/${seg(m)}/versions`,
  platform: () => '/api/v1/platform',
};

/** The spec fields of an endpoint view (the rest is status), as PUT takes them back. */
export function endpointSpec(view) {
  const spec = { name: view.name, auth_mode: view.auth_mode };
  for (const k of ['description', 'tags', 'traffic', 'mirror_traffic', 'triggers']) {
    if (view[k] !== undefined && view[k] !== null) spec[k] = view[k];
  }
  return spec;
}
