// What a provider bills, keeps and can prove (issue #19): Calls (every call attempt, filtered,
// with a link that downloads the same selection as CSV from GET /calls?format=csv), Call
// reports (the CSV mailed after each day, week or month: /call-csv-schedules) and the Audit log
// (GET /audit-events: who changed what, when and from where; secrets only as "changed").
// Admins only (app.js); faxd scopes every answer to the caller's brand or company.
import { api } from '../lib/api.js';
import { el, field } from '../lib/dom.js';
import { t, has, formatTime, formatDuration, formatNumber, dayStart, isoDay } from '../lib/i18n.js';
import { errorText } from '../lib/errors.js';
import { failureSentence, resultText, transportText } from '../lib/failures.js';
import { Pager } from '../lib/pager.js';
import { resourcePage, byId, options } from './resource.js';

// A date input's day as RFC 3339 UTC in the shown time zone: its start, or (end) the start of
// the next day.
function dayBound(value, end = false) {
  if (!value) return undefined;
  let d = dayStart(value);
  if (end) d = dayStart(isoDay(new Date(d.getTime() + 36 * 3600 * 1000)));
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const query = (params) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  return q.toString();
};

// A server-paged list with filters that apply as soon as they change: the table, its headings
// and the pager are built once; a reload redraws the rows.
// spec: {id, filters: [field spec], params(values) -> API params, path, columns: [[label, cell(row)]],
//        caption, empty, onParams(params)}
async function pagedList(spec) {
  const fields = spec.filters.map((f) => field(f));
  const values = () => Object.fromEntries(fields.map((f) => [f.spec.name, f.input.value]));
  const message = el('div', { class: 'list-message' });
  const tbody = el('tbody');
  const table = el('table', { class: 'list', id: spec.id },
    el('caption', { class: 'sr-only' }, spec.caption),
    el('thead', {}, el('tr', {}, spec.columns.map(([label]) => el('th', { scope: 'col' }, label)))), tbody);
  const wrap = el('div', { hidden: true }, table);
  const pager = new Pager(() => reload());
  let seq = 0;
  const reload = async () => {
    const mine = ++seq;
    const params = spec.params(values());
    if (spec.onParams) spec.onParams(params);
    try {
      const page = await api.get(spec.path, { limit: 50, ...params, ...pager.params() });
      if (mine !== seq) return;
      message.replaceChildren();
      pager.next = page.next_cursor;
      pager.update();
      if (page.data.length === 0) {
        wrap.hidden = true;
        message.replaceChildren(el('p', { class: 'muted' }, spec.empty));
        return;
      }
      wrap.hidden = false;
      tbody.replaceChildren(...page.data.map((row) => el('tr', { 'data-id': row.id },
        spec.columns.map(([label, cell], i) => el(i === 0 ? 'th' : 'td', { ...(i === 0 ? { scope: 'row' } : {}), 'data-label': label }, cell(row) ?? '')))));
    } catch (e) {
      if (mine !== seq) return;
      wrap.hidden = true;
      message.replaceChildren(el('p', { class: 'error' }, errorText(e)));
    }
  };
  const restart = () => { pager.reset(); pager.update(); reload(); };
  const form = el('form', { class: 'filters', 'aria-label': t('list.filters') }, fields.map((f) => f.wrap),
    spec.actions ? el('div', { class: 'actions' }, spec.actions) : null);
  form.addEventListener('submit', (ev) => { ev.preventDefault(); restart(); });
  for (const f of fields) f.input.addEventListener('change', restart);
  return { node: el('div', {}, form, message, wrap, pager.nav()), reload };
}

const dateFilters = () => [
  { name: 'since', label: t('list.since'), type: 'date' },
  { name: 'until', label: t('list.until'), type: 'date' },
];

// Seconds as "1 min 5 s"; empty when faxd has no figure (a call still running, or an old one).
const seconds = (s) => (s === null || s === undefined ? '' : formatDuration(s));

export async function callsPage(main, ctx) {
  const me = ctx.me;
  const scoped = me.role !== 'company_admin';  // sees more than one company
  const [companies, carriers] = await Promise.all([
    scoped ? api.all('/companies').catch(() => []) : [],
    scoped ? api.all('/carriers').catch(() => []) : [],
  ]);
  const cById = byId(companies);
  const carrierById = byId(carriers);
  const csv = el('a', { class: 'button secondary', id: 'calls-csv', download: 'calls.csv' }, t('calls.csv'));
  const list = await pagedList({
    id: 'calls-table',
    path: '/calls',
    caption: t('calls.title'),
    empty: t('calls.empty'),
    filters: [
      ...dateFilters(),
      { name: 'direction', label: t('calls.direction'), type: 'select',
        options: [['', t('calls.both')], ['outbound', t('calls.outbound')], ['inbound', t('calls.inbound')]] },
      { name: 'result', label: t('calls.result'), type: 'select',
        options: [['', t('calls.any_result')], ...['delivered', 'received', 'failed', 'canceled', 'running'].map((r) => [r, resultText(r)])] },
      ...(scoped ? [{ name: 'company_id', label: t('field.company'), type: 'select', options: options(companies, (c) => c.name, t('calls.any_company')) },
        { name: 'carrier_id', label: t('field.carrier'), type: 'select', options: options(carriers, (c) => c.name, t('calls.any_carrier')) }] : []),
    ],
    params: (v) => ({ ...v, since: dayBound(v.since), until: dayBound(v.until, true) }),
    // The CSV link always asks for what the table shows (every matching call, not one page).
    onParams: (p) => { csv.href = `/api/v1/calls?${query({ ...p, format: 'csv' })}`; },
    actions: csv,
    columns: [
      [t('calls.started'), (c) => formatTime(c.started_at)],
      [t('calls.direction'), (c) => t(c.direction === 'inbound' ? 'calls.inbound' : 'calls.outbound')],
      [t('field.from'), (c) => c.from],
      [t('field.to'), (c) => c.to],
      ...(scoped ? [[t('field.company'), (c) => cById[c.company_id]?.name ?? ''],
        [t('field.carrier'), (c) => (c.carrier_id ? carrierById[c.carrier_id]?.name ?? '' : '')]] : []),
      [t('calls.result'), (c) => [resultText(c.result),
        c.failure_code ? el('span', { class: 'reason' }, ` ${failureSentence({ code: c.failure_code })}`) : null]],
      [t('field.pages'), (c) => formatNumber(c.pages ?? 0)],
      [t('calls.connection'), (c) => [transportText(c.transport), c.bit_rate ? t('fax.bit_rate', { rate: String(c.bit_rate) }) : '']
        .filter(Boolean).join(', ')],
      [t('calls.duration'), (c) => seconds(c.duration_s)],
      [t('calls.billable'), (c) => seconds(c.billable_s)],
      // The fax page is for the roles with an inbox (a platform admin has none).
      ...(me.role === 'platform_admin' ? [] : [[t('calls.fax'), (c) => el('a', { href: `#/fax/${c.fax_id}`,
        'aria-label': t('calls.open_fax_named', { time: formatTime(c.started_at) }) }, t('calls.open_fax'))]]),
    ],
  });
  main.replaceChildren(el('section', { class: 'page' },
    el('div', { class: 'page-head' }, el('h1', {}, t('calls.title')),
      me.role === 'platform_admin' ? null : el('a', { class: 'button secondary', href: '#/call-reports' }, t('nav.call_reports'))),
    el('p', { class: 'muted' }, t('calls.intro')), list.node));
  await list.reload();
}

const frequencyText = (f) => (has(`reports.${f}`) ? t(`reports.${f}`) : f);

// Scheduled CSV mails of the calls: a brand admin's cover the brand or one company, a company
// admin's its company.
export const callReportsPage = resourcePage({
  path: '/call-csv-schedules', key: 'reports', route: 'call-reports',
  intro: 'reports.intro',
  load: async (me) => ({ companies: me.role === 'brand_admin' ? await api.all('/companies') : [], myCompany: me.company?.name }),
  columns: [
    ['field.name', (s) => s.name],
    ['reports.frequency', (s) => frequencyText(s.frequency)],
    ['field.email', (s) => s.email],
    ['reports.covers', (s, l) => (s.company_id ? byId(l.companies)[s.company_id]?.name ?? l.myCompany ?? '' : t('reports.whole_brand'))],
    ['reports.next_run', (s) => formatTime(s.next_run_at), (s) => s.next_run_at],
    ['reports.last_run', (s) => (s.last_run_at ? formatTime(s.last_run_at) : t('common.never')), (s) => s.last_run_at || ''],
  ],
  fields: (l, obj, me) => [
    { name: 'name', label: t('field.name'), required: true, hint: t('reports.name_hint'), problem: t('reports.name_problem') },
    { name: 'frequency', label: t('reports.frequency'), type: 'select', value: 'monthly',
      options: ['daily', 'weekly', 'monthly'].map((f) => [f, t(`reports.${f}_long`)]), hint: t('reports.frequency_hint') },
    { name: 'email', label: t('reports.email'), type: 'email', required: true, hint: t('reports.email_hint'), problem: t('reports.email_problem') },
    ...(me.role === 'brand_admin' ? [{ name: 'company_id', label: t('reports.covers'), type: 'select', nullable: true,
      options: options(l.companies, (c) => c.name, t('reports.whole_brand')), readonly: !!obj, attrs: obj ? { disabled: true } : {},
      hint: t('reports.covers_hint') }] : []),
  ],
});

// --- Audit log ---------------------------------------------------------------------------

const RESOURCES = ['session', 'users', 'brands', 'companies', 'carriers', 'routes', 'ddis', 'virtual-faxes', 'faxes',
  'tokens', 'webhooks', 'call-csv-schedules', 'me'];
const ACTIONS = ['create', 'update', 'delete', 'login', 'login_failed', 'logout', 'cancel', 'resend'];

const resourceText = (r) => (has(`audit.resource.${r}`) ? t(`audit.resource.${r}`) : r);
export const actionText = (a) => (has(`audit.action.${a}`) ? t(`audit.action.${a}`) : a.replace(/_/g, ' '));

// A field's name in words: the form's own label where the UI has one.
// (an id field by the name of what it points to: default_outgoing_ddi_id as the caller id field)
const fieldText = (k) => {
  const base = k.replace(/_id$/, '');
  for (const key of [`audit.field.${k}`, `field.${k}`, `field.${base}`]) if (has(key)) return t(key);
  return k.replace(/_/g, ' ');
};

// One value in words: "—" for none, Yes/No, lists joined, anything else as faxd stored it.
export function valueText(v) {
  if (v === null || v === undefined || v === '') return t('audit.none');
  if (typeof v === 'boolean') return t(v ? 'common.yes' : 'common.no');
  if (typeof v === 'number') return formatNumber(v);
  if (Array.isArray(v)) return v.length ? v.map(valueText).join(', ') : t('audit.none');
  if (typeof v === 'object') {
    if (v.changed === true) return t('audit.changed');
    return JSON.stringify(v);
  }
  return String(v);
}

// The changes of an event as a list: "Port: 5060 → 5080", "Password: changed" (secrets are never
// in the trail, only that they changed), "Name: Acme" on a create, "Name was Acme" on a delete.
export function changesList(changes) {
  if (!changes || typeof changes !== 'object') return '';
  if (changes.truncated === true) return el('span', { class: 'muted' }, t('audit.truncated'));
  const items = Object.entries(changes).map(([k, c]) => {
    const name = fieldText(k);
    if (c && c.changed === true) return el('li', { 'data-field': k }, t('audit.change_secret', { field: name }));
    if (c && 'from' in c && 'to' in c) return el('li', { 'data-field': k }, t('audit.change_from_to', { field: name, from: valueText(c.from), to: valueText(c.to) }));
    if (c && 'to' in c) return el('li', { 'data-field': k }, t('audit.change_set', { field: name, value: valueText(c.to) }));
    if (c && 'from' in c) return el('li', { 'data-field': k }, t('audit.change_was', { field: name, value: valueText(c.from) }));
    return el('li', { 'data-field': k }, t('audit.change_set', { field: name, value: valueText(c) }));
  });
  return items.length ? el('ul', { class: 'changes' }, items) : '';
}

// What an event acted on: its name when the changes carry one, a fax by a link, else the id.
function targetText(e) {
  const c = e.changes || {};
  for (const k of ['name', 'username', 'number', 'prefix', 'host', 'url']) {
    const v = c[k] && (c[k].to ?? c[k].from);
    if (typeof v === 'string' && v) return [resourceText(e.resource), ' ', el('span', { class: 'target' }, v)];
  }
  if (e.resource === 'faxes' && e.resource_id) {
    return [resourceText(e.resource), ' ', el('a', { href: `#/fax/${e.resource_id}` }, t('audit.open_fax'))];
  }
  if (e.resource === 'session') return resourceText(e.resource);
  return [resourceText(e.resource), e.resource_id ? ' ' : '', e.resource_id ? el('code', { class: 'id' }, e.resource_id) : ''];
}

export async function auditPage(main, ctx) {
  const users = await api.all('/users').catch(() => []);
  const list = await pagedList({
    id: 'audit-table',
    path: '/audit-events',
    caption: t('audit.title'),
    empty: t('audit.empty'),
    filters: [
      ...dateFilters(),
      { name: 'user_id', label: t('audit.who'), type: 'select', options: options(users, (u) => u.username, t('audit.anyone')) },
      { name: 'resource', label: t('audit.what'), type: 'select',
        options: [['', t('audit.anything')], ...RESOURCES.filter((r) => r !== 'me').map((r) => [r, resourceText(r)])] },
      { name: 'action', label: t('audit.action'), type: 'select',
        options: [['', t('audit.any_action')], ...ACTIONS.map((a) => [a, actionText(a)])] },
    ],
    params: (v) => ({ ...v, since: dayBound(v.since), until: dayBound(v.until, true) }),
    columns: [
      [t('audit.when'), (e) => formatTime(e.at, { dateStyle: 'medium', timeStyle: 'medium' })],
      [t('audit.who'), (e) => e.username || t('audit.nobody')],
      [t('audit.action'), (e) => el('span', { class: `audit-action a-${e.action}` }, actionText(e.action))],
      [t('audit.what'), targetText],
      [t('audit.changes'), (e) => changesList(e.changes)],
      [t('audit.address'), (e) => e.remote_address || ''],
    ],
  });
  main.replaceChildren(el('section', { class: 'page' },
    el('div', { class: 'page-head' }, el('h1', {}, t('audit.title'))),
    el('p', { class: 'muted' }, t('audit.intro')), list.node));
  await list.reload();
}
