// Mail templates (/notification-templates): a brand's or a company's own words for the fax
// mails, per kind and language, with a preview in sample values and a test mail. A brand admin
// also sets the language its mails fall back to. Texts are catalogue keys (web/i18n/en.js).
import { api, ApiError } from '../lib/api.js';
import { el, field, showError } from '../lib/dom.js';
import { t, languageName, language } from '../lib/i18n.js';
import { errorText } from '../lib/errors.js';
import { languageField } from '../lib/pickers.js';
import { resourcePage, byId, options } from './resource.js';

const KINDS = ['fax_received', 'fax_delivered', 'fax_failed'];
const VARIABLES = '{fax_name} {pages} {from} {to} {date} {pdf_name} {company} {brand} {failure}';

// The API names an unknown variable in its (English) message; say it in the user's language.
function mapError(e) {
  const m = /unknown variable (\{[^}]*\})/.exec(e.message || '');
  if (e.status === 422 && m) return { field: e.field, key: 'templates.unknown_variable', vars: { name: m[1], variables: VARIABLES } };
  return e;
}

// Preview (sample values) and a test mail, for what the form holds now, saved or not.
function previewPanel({ obj, me, collect, fail }) {
  const out = el('div', { class: 'template-preview', 'aria-live': 'polite' });
  const status = el('p', { class: 'status', role: 'status' });
  const to = field({ name: 'to', label: t('templates.test_to'), type: 'email', hint: t('templates.test_to_hint'),
    problem: t('problem.email_one'), attrs: { autocomplete: 'email' } });
  // A saved template's owner is not in the form: the preview names its company all the same.
  const body = () => {
    const b = collect();
    if (obj) Object.assign(b, { brand_id: obj.brand_id, company_id: obj.company_id });
    if (me.role === 'company_admin') delete b.company_id;
    return b;
  };
  const show = (p) => {
    const html = p.body_html === null ? null
      // Sandboxed: no scripts, no forms, nothing of faxd's reachable from the mail's HTML.
      : el('iframe', { class: 'mail-html', sandbox: '', title: t('templates.html_part'), srcdoc: p.body_html });
    out.replaceChildren(el('h3', {}, t('templates.preview_title')),
      el('dl', { class: 'mail-head' },
        el('dt', {}, t('templates.from')), el('dd', {}, p.from),
        el('dt', {}, t('templates.subject')), el('dd', {}, p.subject),
        p.attachment ? [el('dt', {}, t('templates.attachment')), el('dd', {}, p.attachment)] : null),
      el('h4', {}, t('templates.text_part')), el('pre', { class: 'mail-text' }, p.body_text),
      ...(html ? [el('h4', {}, t('templates.html_part')), html, el('p', { class: 'hint' }, t('templates.html_note'))] : []));
  };
  const preview = el('button', { type: 'button', class: 'secondary' }, t('templates.preview'));
  preview.addEventListener('click', async () => {
    status.textContent = '';
    try { show(await api.post('/notification-templates/preview', body())); } catch (e) { fail(e); }
  });
  const send = el('button', { type: 'button', class: 'secondary' }, t('templates.send_test'));
  send.addEventListener('click', async () => {
    status.textContent = '';
    try {
      const r = await api.post('/notification-templates/test', { ...body(), to: to.input.value.trim() });
      status.textContent = t('templates.test_sent', { to: r.to });
    } catch (e) {
      if (e instanceof ApiError && e.status === 503) status.textContent = t('templates.mail_off');
      else if (e instanceof ApiError && e.status === 502) status.textContent = t('templates.mail_refused');
      else if (e instanceof ApiError && e.status === 429) status.textContent = t('templates.too_many_tests');
      else fail(e);
    }
  });
  return el('fieldset', { class: 'template-tools' }, el('legend', {}, t('templates.try_it')),
    el('div', { class: 'actions' }, preview), to.wrap, el('div', { class: 'actions' }, send), status, out);
}

const templatesList = resourcePage({
  path: '/notification-templates', key: 'templates',
  intro: 'templates.intro',
  load: async (me) => ({
    companies: ['platform_admin', 'brand_admin'].includes(me.role) ? await api.all('/companies') : [],
    brands: me.role === 'platform_admin' ? await api.all('/brands') : [],
  }),
  canCreate: () => true,
  columns: [
    ['templates.kind', (x) => t(`templates.kind_${x.kind}`)],
    ['field.language', (x) => languageName(x.language, language())],
    ['templates.owner', (x, l) => (x.company_id ? byId(l.companies)[x.company_id]?.name ?? t('templates.your_company')
      : t('templates.whole_brand', { name: byId(l.brands)[x.brand_id]?.name ?? '' }).trim())],
    ['templates.subject', (x) => x.subject],
    ['templates.html', (x) => t(x.body_html ? 'common.yes' : 'common.no')]],
  fields: (l, obj, me) => [
    ...(me.role === 'platform_admin' && !obj ? [{ name: 'brand_id', label: t('field.brand'), type: 'select', required: true,
      options: options(l.brands, (b) => b.name), problem: t('problem.brand') }] : []),
    ...(me.role !== 'company_admin' ? [{ name: 'company_id', label: t('templates.owner'), type: 'select', nullable: true,
      readonly: !!obj, attrs: obj ? { disabled: true } : {}, hint: t('templates.owner_hint'),
      options: options(l.companies, (c) => c.name, t('templates.whole_brand', { name: '' }).trim()) }] : []),
    { name: 'kind', label: t('templates.kind'), type: 'select', value: 'fax_received', hint: t('templates.kind_hint'),
      options: KINDS.map((k) => [k, t(`templates.kind_${k}`)]) },
    languageField({ name: 'language', value: obj ? obj.language : language(), hint: t('templates.language_hint'), problem: t('problem.language') }),
    { name: 'from_name', label: t('templates.from_name'), value: '', hint: t('templates.from_name_hint'), problem: t('problem.header') },
    { name: 'from_address', label: t('templates.from_address'), type: 'email', value: '', hint: t('templates.from_address_hint'), problem: t('problem.email_one') },
    { name: 'subject', label: t('templates.subject'), required: true, hint: t('templates.variables_hint', { variables: VARIABLES }),
      problem: t('templates.subject_problem', { variables: VARIABLES }) },
    { name: 'body_text', label: t('templates.body_text'), type: 'textarea', required: true, attrs: { rows: 8 },
      hint: t('templates.body_text_hint'), problem: t('templates.body_problem', { variables: VARIABLES }) },
    { name: 'body_html', label: t('templates.body_html'), type: 'textarea', nullable: true, value: '', attrs: { rows: 8, spellcheck: 'false' },
      get: (x) => x.body_html ?? '', hint: t('templates.body_html_hint'), problem: t('templates.body_problem', { variables: VARIABLES }) },
  ],
  extra: previewPanel,
  mapError,
});

// The brand's fallback language, for its own admin (platform admins set it on the brand).
async function brandLanguage(me) {
  const brand = await api.get(`/brands/${me.brand_id}`);
  const f = field(languageField({ name: 'language', label: t('templates.brand_language'), value: brand.language,
    hint: t('templates.brand_language_hint'), problem: t('problem.language') }));
  const general = el('p', { class: 'error', role: 'alert' });
  const done = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const form = el('form', { class: 'card form', 'aria-label': t('templates.brand_language'), novalidate: true },
    f.wrap, general, done, el('div', { class: 'actions' }, el('button', { type: 'submit' }, t('form.save'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    done.textContent = '';
    try {
      await api.patch(`/brands/${me.brand_id}`, { language: f.input.value });
      done.textContent = t('templates.brand_language_saved');
    } catch (e) {
      showError(form, general, e instanceof ApiError ? e : { key: 'error.unreachable' });
    }
  });
  return form;
}

export async function templatesPage(main, ctx) {
  const stop = await templatesList(main, ctx);
  if (ctx.me.role === 'brand_admin') {
    try {
      main.querySelector('.page')?.append(await brandLanguage(ctx.me));
    } catch (e) {
      main.querySelector('.page')?.append(el('p', { class: 'error' }, errorText(e)));
    }
  }
  return stop;
}
