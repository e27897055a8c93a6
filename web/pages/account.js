// The caller's own integrations, for every role: API tokens (/tokens) and webhooks (/webhooks).
// Both belong to the logged-in user and act with its rights. A token, and a webhook secret
// faxd generates, are shown once, right after creating them; the API never returns them again.
import { api } from '../lib/api.js';
import { el, formatTime } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { errorText } from '../lib/errors.js';
import { resourcePage } from './resource.js';

const EVENTS = ['fax.queued', 'fax.sending', 'fax.page', 'fax.delivered', 'fax.failed',
  'fax.receiving', 'fax.received', 'fax.canceled'];

// A read-only field with the secret, a Copy button and the warning that it is shown once.
function showOnce(title, label, value, note, close) {
  const id = `once-${Math.random().toString(36).slice(2)}`;
  const input = el('input', { id, readonly: true, class: 'secret', spellcheck: 'false', autocomplete: 'off' });
  input.value = value;
  const copied = el('span', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  const copy = el('button', { type: 'button', class: 'secondary', onclick: async () => {
    try {
      await navigator.clipboard.writeText(value);
      copied.textContent = t('once.copied');
    } catch {
      input.select();
      copied.textContent = t('once.copy_by_hand');
    }
  } }, t('once.copy'));
  return el('section', { class: 'card once', 'aria-label': title },
    el('h2', {}, title),
    el('div', { class: 'field' }, el('label', { for: id }, label), input),
    el('p', { class: 'hint' }, note),
    el('div', { class: 'actions' }, copy, el('button', { type: 'button', onclick: close }, t('once.done')), copied));
}

const eventName = (e) => t(`event.${e}`);

// A webhook's recent deliveries: a one-line summary ("3 delivered, 1 failed"), the list behind
// it with each POST's answer or error, filled in as soon as faxd answers.
function deliveries(w) {
  const summary = el('summary', {}, t('webhooks.deliveries_loading'));
  const box = el('details', { class: 'deliveries' }, summary);
  api.get(`/webhooks/${w.id}/deliveries`).then(({ data }) => {
    if (!data.length) { summary.textContent = t('webhooks.no_deliveries'); return; }
    const count = (s) => data.filter((d) => d.status === s).length;
    summary.textContent = [
      count('delivered') ? t('webhooks.n_delivered', { count: count('delivered') }) : null,
      count('pending') ? t('webhooks.n_pending', { count: count('pending') }) : null,
      count('failed') ? t('webhooks.n_failed', { count: count('failed') }) : null].filter(Boolean).join(', ');
    if (count('failed') || data.some((d) => d.status === 'pending' && d.attempts > 0)) box.classList.add('failing');
    box.append(el('ul', {}, data.map((d) => el('li', { 'data-status': d.status },
      el('span', { class: `badge d-${d.status}` }, t(`webhooks.status_${d.status}`)), ' ',
      `${formatTime(d.created_at)} · ${eventName(d.event_type)}`,
      d.last_status ? ` · ${t('webhooks.http', { status: d.last_status })}` : '',
      d.last_error ? el('span', { class: 'muted' }, ` · ${d.last_error}`) : '',
      d.next_attempt_at ? ` · ${t('webhooks.retry_at', { time: formatTime(d.next_attempt_at) })}` : ''))));
  }).catch((e) => { summary.textContent = errorText(e); });
  return box;
}

export const tokensPage = resourcePage({
  path: '/tokens', key: 'tokens',
  intro: 'tokens.intro',
  columns: [['field.name', (tk) => tk.name], ['field.created', (tk) => formatTime(tk.created_at)],
    ['field.last_used', (tk) => (tk.last_used_at ? formatTime(tk.last_used_at) : t('common.never'))]],
  fields: () => [{ name: 'name', label: t('field.name'), required: true, hint: t('hint.token_name'), problem: t('problem.name') }],
  canEdit: () => false,
  created: (tk, close) => showOnce(t('tokens.created_title', { name: tk.name }), t('tokens.your_token'), tk.token,
    t('tokens.once_note'), close),
});

export const webhooksPage = resourcePage({
  path: '/webhooks', key: 'webhooks',
  intro: 'webhooks.intro',
  columns: [['field.url', (w) => w.url],
    ['field.events', (w) => (w.events.length ? w.events.map(eventName).join(', ') : t('webhooks.all_events'))],
    ['field.created', (w) => formatTime(w.created_at)],
    ['webhooks.recent', deliveries]],
  fields: (_, obj) => [
    { name: 'url', label: t('field.url'), type: 'url', required: true, hint: t('hint.url'), problem: t('problem.url'), attrs: { placeholder: 'https://example.com/faxd-events' } },
    { name: 'events', label: t('field.events_long'), type: 'select', multiple: true,
      options: EVENTS.map((e) => [e, eventName(e)]), attrs: { multiple: true } },
    { name: 'secret', label: t(obj ? 'field.secret_keep' : 'field.secret'),
      type: 'password', skipEmpty: true, get: () => '',
      hint: obj ? '' : t('hint.secret'), problem: t('problem.secret'),
      attrs: { autocomplete: 'off' } },
  ],
  created: (w, close) => (w.secret
    ? showOnce(t('webhooks.created_title'), t('webhooks.secret'), w.secret, t('webhooks.once_note'), close)
    : null),
});
