// The admin pages, each a description for resourcePage(): what a platform, brand or company
// admin manages. Which role sees which page is decided in app.js.
import { api } from '../lib/api.js';
import { el } from '../lib/dom.js';
import { resourcePage, byId, options } from './resource.js';

const roleNames = { platform_admin: 'Platform admin', brand_admin: 'Brand admin', company_admin: 'Company admin', user: 'User' };
const yes = (b) => (b ? 'Yes' : 'No');

export const brandsPage = resourcePage({
  path: '/brands', title: 'Brands', singular: 'brand',
  intro: 'Each brand has its own carriers, routes, DDIs and companies. Give it an admin on the Users page.',
  columns: [['Name', (b) => b.name]],
  fields: () => [{ name: 'name', label: 'Name', required: true }],
});

export const companiesPage = resourcePage({
  path: '/companies', title: 'Companies', singular: 'company',
  columns: [['Name', (c) => c.name], ['Time zone', (c) => c.timezone], ['Language', (c) => c.language]],
  fields: () => [
    { name: 'name', label: 'Name', required: true },
    { name: 'timezone', label: 'Time zone', value: 'UTC', hint: 'IANA name, e.g. Europe/Berlin' },
    { name: 'language', label: 'Language', value: 'en', hint: 'e.g. en, de, fr' },
  ],
});

export const carriersPage = resourcePage({
  path: '/carriers', title: 'Carriers', singular: 'carrier',
  intro: 'SIP trunks your faxes leave and arrive through. Inbound calls are taken only from these addresses.',
  columns: [['Name', (c) => c.name], ['Address', (c) => `${c.host}:${c.port} (${c.transport.toUpperCase()})`],
    ['T.38', (c) => yes(c.t38)], ['Max calls', (c) => String(c.max_calls)]],
  fields: (_, obj) => [
    { name: 'name', label: 'Name', required: true },
    { name: 'host', label: 'Host', required: true },
    { name: 'port', label: 'Port', type: 'number', number: true, value: 5060 },
    { name: 'transport', label: 'Transport', type: 'select', options: [['udp', 'UDP'], ['tcp', 'TCP']], value: 'udp' },
    { name: 'username', label: 'SIP username (optional)' },
    { name: 'password', label: obj ? 'SIP password (leave empty to keep)' : 'SIP password (optional)', type: 'password', skipEmpty: true, get: () => '', attrs: { autocomplete: 'new-password' } },
    { name: 't38', label: 'Supports T.38 (otherwise faxes go as G.711 audio)', type: 'checkbox', value: true },
    { name: 'max_calls', label: 'Most calls at once', type: 'number', number: true, value: 10 },
  ],
});

export const routesPage = resourcePage({
  path: '/routes', title: 'Routes', singular: 'route',
  intro: 'A fax to a number uses the fax routes with the longest matching prefix (empty matches all); among them the lowest priority first, shared by weight; call routes are used when no fax route matches.',
  load: async () => ({ carriers: await api.all('/carriers') }),
  columns: [['Prefix', (r) => r.prefix || '(any number)'], ['Type', (r) => r.type === 'fax' ? 'Fax' : 'Call'],
    ['Carrier', (r, l) => byId(l.carriers)[r.carrier_id]?.name ?? r.carrier_id],
    ['Priority', (r) => String(r.priority)], ['Weight', (r) => String(r.weight)]],
  fields: (l) => [
    { name: 'type', label: 'Type', type: 'select', options: [['fax', 'Fax'], ['call', 'Call']], value: 'fax' },
    { name: 'prefix', label: 'Number prefix', hint: 'e.g. +49; empty matches every number', value: '' },
    { name: 'carrier_id', label: 'Carrier', type: 'select', required: true, options: options(l.carriers, (c) => c.name) },
    { name: 'priority', label: 'Priority (lower is tried first)', type: 'number', number: true, value: 1 },
    { name: 'weight', label: 'Weight (share among equal priority)', type: 'number', number: true, value: 1 },
  ],
});

export const ddisPage = resourcePage({
  path: '/ddis', title: 'DDIs', singular: 'DDI',
  intro: 'Fax numbers, which company has them, and which virtual fax receives their faxes.',
  load: async (me) => ({
    companies: me.role === 'company_admin' ? [] : await api.all('/companies'),
    vfaxes: await api.all('/virtual-faxes'),
  }),
  canCreate: (me) => me.role !== 'company_admin',
  canDelete: (me) => me.role !== 'company_admin',
  columns: [['Number', (d) => d.number],
    ['Company', (d, l) => (d.company_id ? byId(l.companies)[d.company_id]?.name ?? '' : 'not assigned')],
    ['Virtual fax', (d, l) => (d.virtual_fax_id ? byId(l.vfaxes)[d.virtual_fax_id]?.name ?? '' : 'none')]],
  fields: (l, obj, me) => me.role === 'company_admin'
    ? [{ name: 'number', label: 'Number', readonly: true, attrs: { readonly: true } },
      { name: 'virtual_fax_id', label: 'Delivered to virtual fax', type: 'select', nullable: true, options: options(l.vfaxes, (v) => v.name, 'None') }]
    : [{ name: 'number', label: 'Number (E.164, e.g. +15550000100)', required: true, type: 'tel' },
      { name: 'company_id', label: 'Company', type: 'select', nullable: true, options: options(l.companies, (c) => c.name, 'Not assigned') },
      { name: 'virtual_fax_id', label: 'Delivered to virtual fax', type: 'select', nullable: true, options: options(l.vfaxes, (v) => v.name, 'None') }],
});

export const virtualFaxesPage = resourcePage({
  path: '/virtual-faxes', title: 'Virtual faxes', singular: 'virtual fax',
  intro: 'A virtual fax sends from its outgoing DDI and receives on the DDIs routed to it.',
  load: async () => {
    const l = { ddis: await api.all('/ddis') };
    return l;
  },
  columns: [['Name', (v) => v.name], ['Email', (v) => v.email || ''],
    ['Send by email', (v) => yes(v.send_by_email)],
    ['Outgoing DDI', (v, l) => byId(l.ddis)[v.outgoing_ddi_id]?.number ?? 'none'],
    ['Receives on', (v, l) => l.ddis.filter((d) => d.virtual_fax_id === v.id).map((d) => d.number).join(', ') || 'no DDI']],
  fields: (l) => [
    { name: 'name', label: 'Name', required: true },
    { name: 'email', label: 'Email address', type: 'email', value: '' },
    { name: 'send_by_email', label: 'Email received faxes to this address', type: 'checkbox', value: false },
    { name: 'outgoing_ddi_id', label: 'Outgoing DDI (caller number)', type: 'select', nullable: true, options: options(l.ddis, (d) => d.number, 'None') },
    { name: 'station_id', label: 'Station ID (shown on the remote machine)', value: '' },
    { name: 'header', label: 'Page header', value: '' },
  ],
});

export const usersPage = resourcePage({
  path: '/users', title: 'Users', singular: 'user',
  load: async (me) => ({
    brands: me.role === 'platform_admin' ? await api.all('/brands') : [],
    companies: me.role === 'brand_admin' ? await api.all('/companies') : [],
    vfaxes: me.role === 'company_admin' ? await api.all('/virtual-faxes') : [],
  }),
  columns: [['Username', (u) => u.username], ['Role', (u) => roleNames[u.role] ?? u.role],
    ['Belongs to', (u, l) => (u.company_id ? byId(l.companies)[u.company_id]?.name : u.brand_id ? byId(l.brands)[u.brand_id]?.name : '') ?? '']],
  fields: (l, obj, me) => {
    const f = [{ name: 'username', label: 'Username', required: true, attrs: { autocomplete: 'off' } },
      { name: 'password', label: obj ? 'New password (leave empty to keep)' : 'Password', type: 'password', required: !obj,
        skipEmpty: true, get: () => '', attrs: { autocomplete: 'new-password' } }];
    if (me.role === 'platform_admin') {
      f.push({ name: 'role', label: 'Role', type: 'select', value: 'brand_admin', options: [['brand_admin', 'Brand admin'], ['platform_admin', 'Platform admin']] },
        { name: 'brand_id', label: 'Brand', type: 'select', nullable: true, options: options(l.brands, (b) => b.name, 'None (platform admin)') });
    } else if (me.role === 'brand_admin') {
      f.push({ name: 'role', label: 'Role', type: 'select', value: 'company_admin', options: [['company_admin', 'Company admin'], ['user', 'User'], ['brand_admin', 'Brand admin']] },
        { name: 'company_id', label: 'Company', type: 'select', nullable: true, options: options(l.companies, (c) => c.name, 'None (brand admin)') });
    } else {
      f.push({ name: 'role', label: 'Role', type: 'select', value: 'user', options: [['user', 'User'], ['company_admin', 'Company admin']] },
        { name: 'virtual_fax_ids', label: 'Virtual faxes (users see only these)', type: 'select', multiple: true,
          attrs: { multiple: true }, get: (u) => u.virtual_fax_ids, options: options(l.vfaxes, (v) => v.name) });
    }
    return f;
  },
});

export function forbiddenPage(main) {
  main.replaceChildren(el('section', { class: 'card' }, el('h1', {}, 'Not available'),
    el('p', {}, 'This page is not part of your role.')));
}
