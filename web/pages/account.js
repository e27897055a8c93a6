// The caller's own integrations, for every role: API tokens (/tokens) and webhooks (/webhooks).
// Both belong to the logged-in user and act with its rights. A token, and a webhook secret
// faxd generates, are shown once, right after creating them; the API never returns them again.
import { el, formatTime } from '../lib/dom.js';
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
      copied.textContent = 'Copied.';
    } catch {
      input.select();
      copied.textContent = 'Select it and copy it by hand.';
    }
  } }, 'Copy');
  return el('section', { class: 'card once', 'aria-label': title },
    el('h2', {}, title),
    el('div', { class: 'field' }, el('label', { for: id }, label), input),
    el('p', { class: 'hint' }, note),
    el('div', { class: 'actions' }, copy, el('button', { type: 'button', onclick: close }, 'Done'), copied));
}

export const tokensPage = resourcePage({
  path: '/tokens', title: 'API tokens', singular: 'token', empty: 'No API tokens yet.',
  intro: 'Tokens let scripts use the REST API as you (header "Authorization: Bearer TOKEN"). Delete a token you no longer need.',
  columns: [['Name', (t) => t.name], ['Created', (t) => formatTime(t.created_at)],
    ['Last used', (t) => (t.last_used_at ? formatTime(t.last_used_at) : 'Never')]],
  fields: () => [{ name: 'name', label: 'Name', required: true, hint: 'What uses it, e.g. "billing script"' }],
  canEdit: () => false,
  created: (t, close) => showOnce(`Token "${t.name}" created`, 'Your new token', t.token,
    'Copy it now: faxd keeps only a hash and will not show it again.', close),
});

export const webhooksPage = resourcePage({
  path: '/webhooks', title: 'Webhooks', singular: 'webhook',
  intro: 'faxd POSTs each fax event you can see to these URLs, signed the Standard Webhooks way (headers webhook-id, webhook-timestamp, webhook-signature), and retries until your server answers 2xx.',
  columns: [['URL', (w) => w.url],
    ['Events', (w) => (w.events.length ? w.events.join(', ') : 'All fax events')],
    ['Created', (w) => formatTime(w.created_at)]],
  fields: (_, obj) => [
    { name: 'url', label: 'URL', type: 'url', required: true, hint: 'http:// or https://', attrs: { placeholder: 'https://example.com/faxd-events' } },
    { name: 'events', label: 'Events (none selected: all)', type: 'select', multiple: true,
      options: EVENTS.map((e) => [e, e]), attrs: { multiple: true } },
    { name: 'secret', label: obj ? 'Signing secret (leave empty to keep)' : 'Signing secret (optional)',
      type: 'password', skipEmpty: true, get: () => '',
      hint: obj ? '' : 'whsec_ followed by base64; leave empty and faxd makes one and shows it once.',
      attrs: { autocomplete: 'off' } },
  ],
  created: (w, close) => (w.secret
    ? showOnce('Webhook created', 'Signing secret', w.secret,
      'Verify the webhook-signature header with it. Copy it now: it is not shown again.', close)
    : null),
});
