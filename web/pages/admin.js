// The admin pages, each a description for resourcePage(): what a platform, brand or company
// admin manages. Which role sees which page is decided in app.js. Texts are catalogue keys
// (web/i18n/en.js) or t() calls made when the page is drawn.
import { api } from '../lib/api.js';
import { el } from '../lib/dom.js';
import { t, languageName, language, countryName } from '../lib/i18n.js';
import { resourcePage, byId, options } from './resource.js';
import { languageField, timeZoneField, countryField } from '../lib/pickers.js';
import { routeTester } from './route_tester.js';

const yes = (b) => t(b ? 'common.yes' : 'common.no');
const roleName = (r) => t(`role.${r}`);

export const brandsPage = resourcePage({
  path: '/brands', key: 'brands',
  intro: 'brands.intro',
  columns: [['field.name', (b) => b.name], ['field.enabled', (b) => yes(b.enabled)]],
  fields: (l, obj) => [{ name: 'name', label: t('field.name'), required: true, hint: t('hint.name'), problem: t('problem.name') },
    languageField({ name: 'language', label: t('field.mail_language'), value: obj ? obj.language : 'en', hint: t('hint.brand_language'), problem: t('problem.language') }),
    { name: 'enabled', label: t('field.enabled_brand'), type: 'checkbox', value: obj ? obj.enabled : true, hint: t('hint.enabled') }],
  // What must be emptied before a brand can be deleted, one click away.
  children: (b) => [['nav.look', `#/look?brand_id=${b.id}`], ['nav.companies', `#/companies?brand_id=${b.id}`], ['nav.carriers', `#/carriers?brand_id=${b.id}`],
    ['nav.ddis', `#/ddis?brand_id=${b.id}`], ['nav.users', `#/users?brand_id=${b.id}`]],
});

// "The companies of brand Acme": the note above a list narrowed to one brand or company.
const scopeNote = (what) => (narrow, l) => {
  if (narrow.company_id) return t(`${what}.of_company`, { name: byId(l.allCompanies || [])[narrow.company_id]?.name ?? '' });
  if (narrow.brand_id) return t(`${what}.of_brand`, { name: byId(l.allBrands || [])[narrow.brand_id]?.name ?? '' });
  return null;
};
// The brands and companies a narrowed list names (platform and brand admins only).
const owners = async (me) => ({
  allBrands: me.role === 'platform_admin' ? await api.all('/brands') : [],
  allCompanies: ['platform_admin', 'brand_admin'].includes(me.role) ? await api.all('/companies') : [],
});
const brandColumn = ['field.brand', (o, l) => byId(l.allBrands)[o.brand_id]?.name ?? ''];

export const companiesPage = resourcePage({
  path: '/companies', key: 'companies',
  filters: ['brand_id'],
  load: async (me) => ({ ...(await owners(me)), ddis: await api.all('/ddis') }),
  scopeNote: scopeNote('companies'),
  columns: [['field.name', (c) => c.name], ['field.timezone', (c) => c.timezone], ['field.language', (c) => languageName(c.language, language())],
    ['field.country', (c) => (c.country ? countryName(c.country) : t('common.none'))],
    ['field.caller_id', (c, l) => byId(l.ddis)[c.default_outgoing_ddi_id]?.number ?? t('common.none')],
    ['field.enabled', (c) => yes(c.enabled)],
    ['field.retention', (c) => retentionText(c.retention_days), (c) => c.retention_days ?? 1e9]],
  children: (c) => [['nav.virtual_faxes', `#/virtual-faxes?company_id=${c.id}`], ['nav.users', `#/users?company_id=${c.id}`],
    ['nav.ddis', `#/ddis?company_id=${c.id}`], ['nav.cover', `#/cover?company_id=${c.id}`]],
  fields: (l, obj, me, narrow) => [
    ...(me.role === 'platform_admin' ? [{ name: 'brand_id', label: t('field.brand'), type: 'select', required: true,
      options: options(l.allBrands, (b) => b.name), value: narrow.brand_id, readonly: !!obj, attrs: obj ? { disabled: true } : {},
      problem: t('problem.brand') }] : []),
    { name: 'name', label: t('field.name'), required: true, hint: t('hint.name'), problem: t('problem.name') },
    timeZoneField({ name: 'timezone', value: obj ? obj.timezone : 'UTC', hint: t('hint.company_timezone'), problem: t('problem.timezone') }),
    languageField({ name: 'language', value: obj ? obj.language : 'en', hint: t('hint.company_language'), problem: t('problem.language') }),
    countryField({ name: 'country', value: obj ? obj.country || '' : '', nullable: true, none: t('common.none'),
      hint: t('hint.company_country'), problem: t('problem.country') }),
    // Only the company's own DDIs can be its caller id; a new company has none yet.
    ...(obj ? [{ name: 'default_outgoing_ddi_id', label: t('field.default_outgoing_ddi'), type: 'select', nullable: true,
      options: options(l.ddis.filter((d) => d.company_id === obj.id), (d) => d.number, t('common.none')),
      hint: t('hint.default_outgoing_ddi'), problem: t('problem.default_outgoing_ddi') }] : []),
    { name: 'enabled', label: t('field.enabled_company'), type: 'checkbox', value: true, hint: t('hint.enabled') },
    // Empty: keep for ever (null); 0: none once the fax is final and mailed; N days.
    { name: 'retention_days', label: t('field.retention_long'), type: 'number', number: true, nullable: true,
      value: obj ? obj.retention_days : null, attrs: { min: 0, max: 36500, step: 1, inputmode: 'numeric' },
      hint: t('hint.retention'), problem: t('problem.retention') },
  ],
});

// How long a company's fax documents are kept, in words.
export function retentionText(days) {
  if (days === null || days === undefined) return t('retention.forever');
  if (days === 0) return t('retention.until_mailed');
  return t('retention.days', { count: days });
}

export const carriersPage = resourcePage({
  path: '/carriers', key: 'carriers',
  intro: 'carriers.intro',
  filters: ['brand_id'],
  load: async (me) => owners(me),
  scopeNote: scopeNote('carriers'),
  canCreate: (me) => me.role !== 'platform_admin',
  columns: [['field.name', (c) => c.name], ['field.address', (c) => `${c.host}:${c.port} (${c.transport.toUpperCase()})`],
    ['field.t38', (c) => yes(c.t38)], ['field.max_calls', (c) => (c.max_calls === 0 ? t('carriers.unlimited') : String(c.max_calls))],
    ['field.number_format', (c) => numberFormatText(c)]],
  fields: (_, obj) => [
    { name: 'name', label: t('field.name'), required: true, hint: t('hint.name'), problem: t('problem.name') },
    { name: 'host', label: t('field.host'), required: true, hint: t('hint.host'), problem: t('problem.host') },
    { name: 'port', label: t('field.port'), type: 'number', number: true, value: 5060, hint: t('hint.port'), problem: t('problem.port') },
    { name: 'transport', label: t('field.transport'), type: 'select', options: [['udp', 'UDP'], ['tcp', 'TCP']], value: 'udp' },
    { name: 'username', label: t('field.sip_username') },
    { name: 'password', label: t(obj ? 'field.sip_password_keep' : 'field.sip_password'), type: 'password', skipEmpty: true, get: () => '', attrs: { autocomplete: 'new-password' } },
    { name: 't38', label: t('field.t38_long'), type: 'checkbox', value: true },
    { name: 'max_calls', label: t('field.max_calls_long'), type: 'number', number: true, value: 10, hint: t('hint.max_calls'), problem: t('problem.max_calls') },
    { name: 'number_format', label: t('field.number_format'), type: 'select', value: 'e164', hint: t('hint.number_format'),
      options: [['e164', t('number_format.e164')], ['e164_digits', t('number_format.e164_digits')], ['national', t('number_format.national')]] },
    { name: 'dial_prefix', label: t('field.dial_prefix'), value: '', hint: t('hint.dial_prefix'), problem: t('problem.dial_prefix') },
    countryField({ name: 'country', value: obj ? obj.country || '' : '', nullable: true, none: t('common.none'),
      hint: t('hint.carrier_country'), problem: t('problem.carrier_country') }),
  ],
});

// "National (ES)", "E.164 digits", with the tech prefix when there is one.
function numberFormatText(c) {
  const f = c.number_format === 'national' && c.country
    ? t('number_format.national_in', { country: c.country }) : t(`number_format.${c.number_format || 'e164'}`);
  return c.dial_prefix ? `${f} · ${c.dial_prefix}` : f;
}

export const routesPage = resourcePage({
  path: '/routes', key: 'routes',
  intro: 'routes.intro',
  filters: ['brand_id'],
  canCreate: (me) => me.role !== 'platform_admin',
  load: async (me, narrow) => ({ carriers: await api.all('/carriers', narrow), ...(await owners(me)) }),
  scopeNote: scopeNote('routes'),
  above: (l, me) => routeTester(l, me),
  columns: [['field.prefix', (r) => r.prefix || t('routes.any_number')], ['field.type', (r) => t(r.type === 'fax' ? 'routes.type_fax' : 'routes.type_call')],
    ['field.route_for', (r, l) => (r.company_id ? byId(l.allCompanies)[r.company_id]?.name ?? '' : t('routes.whole_brand'))],
    ['field.carrier', (r, l) => byId(l.carriers)[r.carrier_id]?.name ?? r.carrier_id],
    ['field.priority', (r) => String(r.priority)], ['field.weight', (r) => String(r.weight)]],
  fields: (l) => [
    { name: 'company_id', label: t('field.route_for'), type: 'select', nullable: true, value: '',
      options: options(l.allCompanies, (c) => c.name, t('routes.whole_brand')), hint: t('hint.route_company'), problem: t('problem.company') },
    { name: 'type', label: t('field.type'), type: 'select', options: [['fax', t('routes.type_fax')], ['call', t('routes.type_call')]], value: 'fax' },
    { name: 'prefix', label: t('field.prefix_long'), hint: t('hint.prefix'), problem: t('problem.prefix'), value: '' },
    { name: 'carrier_id', label: t('field.carrier'), type: 'select', required: true, options: options(l.carriers, (c) => c.name), problem: t('problem.carrier') },
    { name: 'priority', label: t('field.priority_long'), type: 'number', number: true, value: 1, hint: t('hint.priority'), problem: t('problem.priority') },
    { name: 'weight', label: t('field.weight_long'), type: 'number', number: true, value: 1, hint: t('hint.weight'), problem: t('problem.weight') },
  ],
});

export const ddisPage = resourcePage({
  path: '/ddis', key: 'ddis',
  intro: 'ddis.intro',
  filters: ['brand_id', 'company_id'],
  load: async (me, narrow) => {
    const o = await owners(me);
    return { ...o, companies: o.allCompanies, vfaxes: await api.all('/virtual-faxes', narrow) };
  },
  scopeNote: scopeNote('ddis'),
  canCreate: (me) => me.role === 'brand_admin',
  canDelete: (me) => me.role !== 'company_admin',
  columns: [['field.number', (d) => d.number],
    ['field.company', (d, l) => (d.company_id ? byId(l.companies)[d.company_id]?.name ?? '' : t('ddis.not_assigned'))],
    ['field.virtual_fax', (d, l) => (d.virtual_fax_id ? byId(l.vfaxes)[d.virtual_fax_id]?.name ?? '' : t('common.none'))]],
  fields: (l, obj, me) => me.role === 'company_admin'
    ? [{ name: 'number', label: t('field.number'), readonly: true, attrs: { readonly: true } },
      { name: 'virtual_fax_id', label: t('field.delivered_to'), type: 'select', nullable: true, options: options(l.vfaxes, (v) => v.name, t('common.none')) }]
    : [{ name: 'number', label: t('field.number'), required: true, type: 'tel', hint: t('hint.e164'), problem: t('problem.e164') },
      { name: 'company_id', label: t('field.company'), type: 'select', nullable: true, options: options(l.companies, (c) => c.name, t('ddis.not_assigned')) },
      { name: 'virtual_fax_id', label: t('field.delivered_to'), type: 'select', nullable: true, options: options(l.vfaxes, (v) => v.name, t('common.none')),
        problem: t('problem.ddi_vfax') }],
});

export const virtualFaxesPage = resourcePage({
  path: '/virtual-faxes', key: 'vfaxes',
  intro: 'vfaxes.intro',
  filters: ['company_id'],
  load: async (me, narrow) => ({ ddis: await api.all('/ddis', narrow), ...(await owners(me)) }),
  scopeNote: scopeNote('vfaxes'),
  canCreate: (me) => me.role === 'company_admin',
  // A company admin without a virtual fax is one step from sending: say so.
  empty: (l, me) => (me.role === 'company_admin'
    ? el('p', { class: 'notice next-step' }, t('vfaxes.next_step')) : null),
  columns: [['field.name', (v) => v.name],
    ['field.company', (v, l) => byId(l.allCompanies)[v.company_id]?.name ?? ''],
    ['field.email', (v) => v.email || ''],
    ['field.send_by_email', (v) => yes(v.send_by_email)],
    ['field.outgoing_ddi', (v, l) => byId(l.ddis)[v.outgoing_ddi_id]?.number ?? t('common.none')],
    ['field.receives_on', (v, l) => l.ddis.filter((d) => d.virtual_fax_id === v.id).map((d) => d.number).join(', ') || t('vfaxes.no_ddi')]],
  fields: (l) => [
    { name: 'name', label: t('field.name'), required: true, hint: t('hint.name'), problem: t('problem.name') },
    { name: 'email', label: t('field.email_long'), type: 'email', value: '', hint: t('hint.email'), problem: t('problem.email'), attrs: { multiple: true } },
    { name: 'send_by_email', label: t('field.send_by_email_long'), type: 'checkbox', value: false },
    { name: 'notify_sender', label: t('field.notify_sender_long'), type: 'checkbox', value: false, hint: t('hint.notify_sender') },
    { name: 'mail_senders', label: t('field.mail_senders'), value: '', hint: t('hint.mail_senders'), problem: t('problem.mail_senders'),
      get: (v) => (v.mail_senders || []).join(', '), send: (s) => s.split(/[\s,;]+/).filter(Boolean), attrs: { spellcheck: 'false' } },
    { name: 'mail_cover', label: t('field.mail_cover_long'), type: 'checkbox', value: false },
    { name: 'outgoing_ddi_id', label: t('field.outgoing_ddi_long'), type: 'select', nullable: true, options: options(l.ddis, (d) => d.number, t('common.none')) },
    { name: 'station_id', label: t('field.station_id'), value: '', hint: t('hint.station_id'), problem: t('problem.station_id') },
    { name: 'header', label: t('field.header'), value: '', hint: t('hint.header'), problem: t('problem.header') },
  ],
});

// What a user may use, in words: a plain user the virtual faxes it is linked to, an admin its
// whole company, brand or platform.
function mayUse(u, l) {
  if (u.role === 'user') {
    const names = (u.virtual_fax_ids || []).map((id) => byId(l.vfaxes)[id]?.name).filter(Boolean);
    return names.length ? names.join(', ') : t('users.no_vfax');
  }
  return t(`users.may_${u.role}`);
}

function belongsTo(u, l) {
  if (u.company_id) return byId(l.allCompanies)[u.company_id]?.name ?? l.myCompany ?? '';
  if (u.brand_id) return byId(l.allBrands)[u.brand_id]?.name ?? l.myBrand ?? '';
  return t('users.platform');
}

// The roles each admin may give, and where each belongs: the form shows only the fields that
// fit the chosen role (a brand admin has no company, a company admin needs one).
const ROLE_CHOICES = {
  platform_admin: ['brand_admin', 'platform_admin'],
  brand_admin: ['company_admin', 'user', 'brand_admin'],
  company_admin: ['user', 'company_admin'],
};

export const usersPage = resourcePage({
  path: '/users', key: 'users',
  filters: ['brand_id', 'company_id'],
  load: async (me) => ({
    ...(await owners(me)),
    vfaxes: me.role === 'platform_admin' ? [] : await api.all('/virtual-faxes'),
    myCompany: me.company?.name,
  }),
  scopeNote: scopeNote('users'),
  canDelete: (me, u) => u.id !== me.id,
  columns: [['field.username', (u) => u.username], ['field.role', (u) => roleName(u.role)],
    ['field.belongs_to', belongsTo], ['field.may_use', mayUse]],
  fields: (l, obj, me, narrow) => {
    const f = [{ name: 'username', label: t('field.username'), required: true, hint: t('hint.username'), problem: t('problem.username'), attrs: { autocomplete: 'off' } },
      { name: 'password', label: t(obj ? 'field.new_password_keep' : 'field.password'), type: 'password', required: !obj,
        skipEmpty: true, get: () => '', hint: t('hint.password'), problem: t('problem.password'), attrs: { autocomplete: 'new-password' } }];
    const roles = (list) => list.map((r) => [r, roleName(r)]);
    // Editing: only company admin <-> user can change; any other role is shown as it is.
    const changeable = !obj || (['company_admin', 'user'].includes(obj.role) && ROLE_CHOICES[me.role].includes(obj.role) && obj.id !== me.id);
    const choices = obj && !changeable ? [obj.role] : ROLE_CHOICES[me.role].filter((r) => !obj || ['company_admin', 'user'].includes(r));
    f.push({ name: 'role', label: t('field.role'), type: 'select', options: roles(choices),
      value: obj ? obj.role : (narrow.company_id ? 'company_admin' : choices[0]), readonly: !changeable,
      attrs: changeable ? {} : { disabled: true }, hint: t('hint.role') });
    if (!obj && me.role === 'platform_admin') {
      f.push({ name: 'brand_id', label: t('field.brand'), type: 'select', required: true, value: narrow.brand_id,
        options: options(l.allBrands, (b) => b.name), showIf: (v) => v.role === 'brand_admin', problem: t('problem.brand') });
    } else if (!obj && me.role === 'brand_admin') {
      f.push({ name: 'company_id', label: t('field.company'), type: 'select', required: true, value: narrow.company_id,
        options: options(l.allCompanies, (c) => c.name), showIf: (v) => v.role !== 'brand_admin', problem: t('problem.company') });
    }
    if (me.role === 'company_admin' || me.role === 'brand_admin') {
      const company = obj ? obj.company_id : narrow.company_id;
      const vfaxes = me.role === 'company_admin' ? l.vfaxes : l.vfaxes.filter((v) => !company || v.company_id === company);
      f.push({ name: 'virtual_fax_ids', label: t('field.virtual_fax_ids'), type: 'select', multiple: true,
        attrs: { multiple: true }, get: (u) => u.virtual_fax_ids, options: options(vfaxes, (v) => v.name),
        showIf: (v) => v.role === 'user', hint: t('hint.virtual_fax_ids') });
    }
    return f;
  },
});

export function forbiddenPage(main) {
  main.replaceChildren(el('section', { class: 'card' }, el('h1', {}, t('forbidden.title')),
    el('p', {}, t('forbidden.text'))));
}
