// Provisions tenants through the REST API as an admin would (the JS twin of
// tests/integration/tenant.py): two faxd processes, a sender whose brand routes faxes over a
// carrier pointing at the receiver, and a receiver whose DDI lands on a virtual fax.
import dgram from 'node:dgram';

export async function call(faxd, method, path, { body, token, expect, headers = {} } = {}) {
  const init = { method, headers: { ...headers } };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
  const res = await fetch(`${faxd.base}/api/v1${path}`, init);
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  const ok = expect ? res.status === expect : res.ok;
  if (!ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return data;
}

export async function login(faxd, username, password) {
  return (await call(faxd, 'POST', '/login', { body: { username, password } })).token;
}

// Meets the password policy for every user name the tests give (it contains none of them).
const TENANT_PASSWORD = 'Kq4-Violet-Lamp-58';

// A brand, its company with a company admin, a carrier (the peer's SIP address), a fax route
// over it, a DDI and a virtual fax. Returns ids and the company admin's credentials.
export async function provision(faxd, { name, peerSipPort, ddi, outgoingDdi = null, vfaxName, user }) {
  const admin = await login(faxd, 'admin', 'admin-e2e');
  const as = (token) => (method, path, body) => call(faxd, method, path, { body, token });
  const a = as(admin);
  const brand = await a('POST', '/brands', { name: `${name} brand` });
  const company = await a('POST', '/companies', { brand_id: brand.id, name: `${name} company`, timezone: 'UTC', language: 'en' });
  await a('POST', '/users', { username: user, password: TENANT_PASSWORD, role: 'company_admin', brand_id: brand.id, company_id: company.id });
  const carrier = await a('POST', '/carriers', { brand_id: brand.id, name: `${name} peer`, host: '127.0.0.1', port: peerSipPort, transport: 'udp', t38: true });
  await a('POST', '/routes', { brand_id: brand.id, type: 'fax', prefix: '', carrier_id: carrier.id, priority: 1, weight: 1 });
  const numbers = [ddi, ...(outgoingDdi ? [outgoingDdi] : [])];
  const ddis = {};
  for (const n of numbers) ddis[n] = await a('POST', '/ddis', { brand_id: brand.id, company_id: company.id, number: n });
  // The company's own number is its caller id when a virtual fax has none (as offices have it).
  await a('PATCH', `/companies/${company.id}`, { default_outgoing_ddi_id: ddis[ddi].id });
  const token = await login(faxd, user, TENANT_PASSWORD);
  const c = as(token);
  const vfax = await c('POST', '/virtual-faxes', { company_id: company.id, name: vfaxName, email: '', send_by_email: false,
    ...(outgoingDdi ? { outgoing_ddi_id: ddis[outgoingDdi].id } : {}) });
  await c('PATCH', `/ddis/${ddis[ddi].id}`, { virtual_fax_id: vfax.id });
  return { admin, brand, company, carrier, vfax, token, user, password: TENANT_PASSWORD };
}

// A "carrier" that never answers: a UDP socket that swallows every INVITE. Calls to it ring
// (stay "sending") until the SIP transaction times out.
export async function blackHole() {
  const sock = dgram.createSocket('udp4');
  sock.on('message', () => {});
  await new Promise((r) => sock.bind(0, '127.0.0.1', r));
  return { port: sock.address().port, close: () => sock.close() };
}

// An extra route of the tenant's brand: numbers starting with `prefix` go to 127.0.0.1:port.
export async function addRoute(faxd, tenant, { prefix, port, name, maxCalls = 10 }) {
  const carrier = await call(faxd, 'POST', '/carriers', { token: tenant.admin,
    body: { brand_id: tenant.brand.id, name, host: '127.0.0.1', port, transport: 'udp', t38: true, max_calls: maxCalls } });
  await call(faxd, 'POST', '/routes', { token: tenant.admin,
    body: { brand_id: tenant.brand.id, type: 'fax', prefix, carrier_id: carrier.id, priority: 1, weight: 1 } });
  return carrier;
}

// POST /faxes through the API (for seeding lists).
export async function sendFax(faxd, token, vfaxId, to, pdf) {
  const body = new FormData();
  body.append('virtual_fax_id', vfaxId);
  body.append('to', to);
  body.append('quality', 'standard');
  body.append('file', new Blob([pdf], { type: 'application/pdf' }), 'seed.pdf');
  return call(faxd, 'POST', '/faxes', { body, token, expect: 202 });
}
