// "Which carrier would this number use?": a number (as people type it) and optionally a company
// go to GET /api/v1/routes/plan, the router's own matching; the answer lists every carrier in
// the order it would be tried, with its share of calls and the Request-URI it would get.
import { api, ApiError } from '../lib/api.js';
import { el, field, showError } from '../lib/dom.js';
import { t, formatNumber } from '../lib/i18n.js';
import { countryField } from '../lib/pickers.js';
import { options } from './resource.js';

export function routeTester(l, me) {
  const fNumber = field({ name: 'to', label: t('tester.number'), type: 'tel', required: true,
    hint: t('hint.to_national'), problem: t('problem.to_national'), attrs: { autocomplete: 'off' } });
  const fCompany = field({ name: 'company_id', label: t('tester.company'), type: 'select',
    options: options(l.allCompanies || [], (c) => c.name, t('routes.whole_brand')), hint: t('hint.tester_company'),
    problem: t('problem.company') });
  const fCountry = field(countryField({ name: 'country', value: '', none: t('tester.country_company'),
    label: t('send.country'), hint: t('hint.tester_country'), problem: t('problem.country') }));
  const general = el('p', { class: 'error', role: 'alert' });
  const result = el('div', { id: 'route-test-result', 'aria-live': 'polite' });
  const form = el('form', { class: 'card form route-tester', id: 'route-tester', 'aria-label': t('tester.title'), novalidate: true },
    el('h2', {}, t('tester.title')), fNumber.wrap, fCompany.wrap, fCountry.wrap, general,
    el('div', { class: 'actions' }, el('button', { type: 'submit' }, t('tester.submit'))), result);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    result.replaceChildren();
    if (!fNumber.input.value.trim()) {
      showError(form, general, { field: 'to', key: 'problem.to_national' });
      return;
    }
    const q = { to: fNumber.input.value.trim() };
    if (fCompany.input.value) q.company_id = fCompany.input.value;
    if (fCountry.input.value) q.country = fCountry.input.value;
    if (me.brand_id && !q.company_id) q.brand_id = me.brand_id;
    try {
      general.textContent = '';
      for (const p of form.querySelectorAll('.field-error')) p.textContent = '';
      const plan = await api.get('/routes/plan', q);
      result.replaceChildren(...describe(plan));
    } catch (e) {
      showError(form, general, e instanceof ApiError ? e : null);
    }
  });
  return form;
}

function describe(plan) {
  const out = [el('p', { class: 'tester-number' }, t('tester.reads_as', { number: plan.display }))];
  if (plan.disabled) {
    out.push(el('p', { class: 'notice', id: 'route-test-disabled' },
      t(plan.disabled_by === 'brand' ? 'tester.disabled_brand' : 'tester.disabled_company')));
  }
  if (!plan.data.length) {
    out.push(el('p', { class: 'error', id: 'route-test-none' }, t('tester.no_route')));
    return out;
  }
  out.push(el('p', {}, t(plan.route_type === 'call' ? 'tester.uses_call' : 'tester.uses_fax')));
  out.push(el('ol', { class: 'tester-list' }, plan.data.map((c) => el('li', {},
    el('strong', {}, c.carrier ? c.carrier.name : c.route_id), ' — ',
    t(c.scope === 'company' ? 'tester.company_route' : 'tester.brand_route', { prefix: c.prefix || t('routes.any_number') }), ', ',
    t('tester.share', { priority: c.priority, share: formatNumber(c.share, { style: 'percent', maximumFractionDigits: 0 }) }),
    c.request_uri ? el('div', {}, el('code', {}, c.request_uri)) : null))));
  return out;
}
