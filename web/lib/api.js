// Thin client for /api/v1: session cookie plus the CSRF header on state-changing requests.
export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code;
    this.field = e.field;
  }
}

function csrf() {
  const m = document.cookie.match(/(?:^|;\s*)faxd_csrf=([^;]+)/);
  return m ? m[1] : '';
}

async function request(method, path, body) {
  const headers = {};
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf();
  const res = await fetch(`/api/v1${path}`, { method, headers, body: payload, credentials: 'same-origin' });
  if (res.status === 204) return null;
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) {
    // A session that ended while a page was open (expired, logged out elsewhere): app.js
    // listens and shows the login form.
    if (res.status === 401 && path !== '/login' && path !== '/me') window.dispatchEvent(new Event('faxd:unauthorized'));
    throw new ApiError(res.status, data);
  }
  return data;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const api = {
  get: (p, params) => request('GET', p + query(params)),
  // Every item of a collection (follows next_cursor; for the small lists of pick-lists).
  all: async (p, params = {}) => {
    const items = [];
    let cursor = null;
    do {
      const page = await request('GET', p + query({ ...params, limit: 500, cursor }));
      items.push(...page.data);
      cursor = page.next_cursor;
    } while (cursor);
    return items;
  },
  post: (p, b) => request('POST', p, b),
  patch: (p, b) => request('PATCH', p, b),
  put: (p, b) => request('PUT', p, b),
  del: (p) => request('DELETE', p),
  login: (username, password) => request('POST', '/login', { username, password }),
  logout: () => request('POST', '/logout'),
};
