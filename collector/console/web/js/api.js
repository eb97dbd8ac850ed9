// The REST API from the browser: the session cookie (__Host-triage_session, HttpOnly: never
// read here) travels by itself, the CSRF token (given once at login, kept for this tab only)
// goes in X-CSRF-Token on unsafe methods.

const CSRF_KEY = 'triage.csrf';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let unauthorizedHandler = () => {};
/** Called on 401, on a CSRF refusal (a tab without the token must log in again), and when the
 * server wants a new password first (`password_change_required`). */
export function onUnauthorized(fn) { unauthorizedHandler = fn; }

/** One API call; resolves to the parsed JSON body, throws ApiError with the server's message. */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = sessionStorage.getItem(CSRF_KEY);
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  const raw = await res.text();
  let data = null;
  if (raw) {
    try { data = JSON.parse(raw); } catch { data = null; }
  }
  if (!res.ok) {
    const error = data?.error;
    const e = new ApiError(res.status, error?.code ?? `http_${res.status}`,
      error?.message ?? `${res.status} ${res.statusText}`);
    // A login's own refusals (wrong password, a code needed) are the login form's to show.
    const signingIn = path === '/api/v1/auth/login';
    if (!signingIn && (res.status === 401 || e.code === 'csrf'
      || e.code === 'password_change_required' || e.code === 'totp_enrollment_required')) {
      unauthorizedHandler(e);
    }
    throw e;
  }
  return data;
}

export const get = (path) => api('GET', path);

/** A GET answered with text (exports): resolves to { text, headers }; throws ApiError. */
export async function getText(path) {
  const res = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
  const body = await res.text();
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try { message = JSON.parse(body)?.error?.message ?? message; } catch { /* not JSON */ }
    const e = new ApiError(res.status, `http_${res.status}`, message);
    if (res.status === 401) unauthorizedHandler(e);
    throw e;
  }
  return { text: body, headers: res.headers };
}
export const post = (path, body) => api('POST', path, body ?? {});
export const patch = (path, body) => api('PATCH', path, body);
export const del = (path) => api('DELETE', path);

/** Builds "path?a=1&b=2" from the non-empty values of `params`. */
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Signs in; `totpCode` for users with a second factor (their app's code or a recovery code). */
export async function login(name, password, totpCode) {
  const body = { name, password, session: 'cookie' };
  if (totpCode) body.totp_code = totpCode;
  const res = await api('POST', '/api/v1/auth/login', body);
  sessionStorage.setItem(CSRF_KEY, res.csrf_token);
  return res;
}

export async function logout() {
  try { await api('POST', '/api/v1/auth/logout', {}); } finally { sessionStorage.removeItem(CSRF_KEY); }
}

export function forgetSession() { sessionStorage.removeItem(CSRF_KEY); }
