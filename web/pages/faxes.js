// Fax pages: Inbox and Sent (filters, cursor paging, live status), one fax (thumbnails, PDF,
// attempts, cancel / resend / delete) and Send a fax (files, a preview of the pages and the line
// time from POST /faxes/preview before sending, submit).
import { api, ApiError } from '../lib/api.js';
import { el, field, showError, confirmButton, formatBytes, formatTime } from '../lib/dom.js';
import { failureSentence, statusText, activeStatuses } from '../lib/failures.js';
import { Pager } from '../lib/pager.js';
import { watch } from '../lib/live.js';
import { byId, options } from './resource.js';

// Rough line time of a fax already sent, from its page count alone (the fax page): the call
// set-up, then per page a typical text page at 14.4 kbit/s. Before sending, the send form shows
// faxd's own estimate from the converted pages instead (POST /faxes/preview).
export function estimateSeconds(pages, quality) {
  return 15 + pages * (quality === 'standard' ? 25 : 36);
}

// "about 45 s", "about 3 min": an estimate is not precise to the second.
export function aboutDuration(seconds) {
  return seconds < 60 ? `about ${Math.max(1, Math.round(seconds))} s` : `about ${Math.round(seconds / 60)} min`;
}

function statusBadge(fax) {
  return el('span', { class: `badge s-${fax.status}` }, statusText[fax.status] || fax.status);
}

function pagesText(fax) {
  if (fax.direction === 'inbound') return `${fax.pages ?? 0}`;
  return `${fax.pages ?? 0} of ${fax.pages_total ?? '?'}`;
}

export function faxList(direction) {
  const firstQuery = { direction, limit: 25 };
  // The first page of faxes and the virtual faxes (names, filter), asked for together; on a
  // first load app.js asks already while /me is on its way (see prefetch in app.js).
  const fetchFirst = () => {
    const data = { page: api.get('/faxes', firstQuery), vfaxes: api.all('/virtual-faxes').catch(() => []) };
    data.page.catch(() => {});  // awaited (and reported) by reload() below
    return data;
  };
  const listPage = async (main, ctx) => {
    const inbound = direction === 'inbound';
    const first = ctx.prefetched || fetchFirst();
    let firstPage = first.page;
    const vfaxes = await first.vfaxes;
    const vById = byId(vfaxes);
    const statuses = inbound ? ['receiving', 'received', 'failed'] : ['queued', 'sending', 'delivered', 'failed', 'canceled'];
    const fStatus = field({ name: 'status', label: 'Status', type: 'select',
      options: [['', 'Any status'], ...statuses.map((s) => [s, statusText[s]])] });
    const fVfax = field({ name: 'virtual_fax_id', label: 'Virtual fax', type: 'select',
      options: options(vfaxes, (v) => v.name, 'Any virtual fax') });
    const filters = el('form', { class: 'filters', 'aria-label': 'Filters' }, fStatus.wrap, fVfax.wrap,
      el('button', { type: 'submit', class: 'secondary' }, 'Filter'));
    const tableSlot = el('div', { 'aria-live': 'polite' });
    const pager = new Pager(() => reload());
    filters.addEventListener('submit', (ev) => { ev.preventDefault(); pager.reset(); reload(); });
    for (const f of [fStatus, fVfax]) f.input.addEventListener('change', () => { pager.reset(); reload(); });

    const reload = async () => {
      const early = firstPage;
      firstPage = null;
      const page = await (early || api.get('/faxes', { ...firstQuery, status: fStatus.input.value,
        virtual_fax_id: fVfax.input.value, ...pager.params() }));
      pager.next = page.next_cursor;
      if (page.data.length === 0) {
        tableSlot.replaceChildren(el('p', { class: 'muted' }, inbound ? 'No faxes received yet.' : 'No faxes sent yet.'));
        return false;
      }
      const rows = page.data.map((f) => el('tr', { 'data-fax': f.id, 'data-status': f.status },
        el('th', { scope: 'row', 'data-label': inbound ? 'From' : 'To' },
          el('a', { href: `#/fax/${f.id}` }, (inbound ? f.from : f.to) || 'unknown')),
        el('td', { 'data-label': 'Virtual fax' }, vById[f.virtual_fax_id]?.name ?? ''),
        el('td', { 'data-label': 'Status' }, statusBadge(f),
          f.failure ? el('span', { class: 'reason' }, ` ${failureSentence(f.failure)}`) : null,
          f.status === 'queued' && f.next_attempt_at ? el('span', { class: 'reason' }, ` Next try ${formatTime(f.next_attempt_at)}.`) : null),
        el('td', { 'data-label': 'Pages' }, pagesText(f)),
        el('td', { 'data-label': 'Time' }, formatTime(f.created_at))));
      tableSlot.replaceChildren(el('table', { class: 'list' },
        el('caption', { class: 'sr-only' }, inbound ? 'Received faxes' : 'Sent faxes'),
        el('thead', {}, el('tr', {}, ...[inbound ? 'From' : 'To', 'Virtual fax', 'Status', 'Pages', 'Time']
          .map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, rows)), pager.controls());
      return page.data.some((f) => activeStatuses.has(f.status));
    };

    main.replaceChildren(el('section', { class: 'page' },
      el('div', { class: 'page-head' }, el('h1', {}, inbound ? 'Inbox' : 'Sent'),
        ctx.me.role === 'brand_admin' ? null : el('a', { class: 'button', href: '#/send' }, 'Send a fax')),
      filters, tableSlot));
    const active = await reload().catch((e) => { tableSlot.replaceChildren(el('p', { class: 'error' }, e.message)); return false; });
    return watch(reload, active);
  };
  listPage.prefetch = fetchFirst;
  return listPage;
}

export async function faxDetail(main, ctx, id) {
  let fax = await api.get(`/faxes/${id}`);
  const vfaxes = await api.all('/virtual-faxes').catch(() => []);
  const vById = byId(vfaxes);
  const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const summary = el('div');
  const thumbs = el('div', { class: 'thumbs' });
  const attemptsSlot = el('div');
  const actions = el('div', { class: 'actions', id: 'fax-actions' });
  let thumbCount = -1;
  let shownActions = '';

  const act = (label, fn) => el('button', { type: 'button', class: 'secondary', onclick: async () => {
    try { await fn(); } catch (e) { status.textContent = e.message; }
  } }, label);

  const render = async () => {
    const inbound = fax.direction === 'inbound';
    const rows = [
      ['Status', [statusBadge(fax)]],
      fax.failure ? ['Why', [failureSentence(fax.failure), fax.failure.message ? el('span', { class: 'muted' }, ` (${fax.failure.message})`) : null]] : null,
      [inbound ? 'From' : 'To', [(inbound ? fax.from : fax.to) || 'unknown']],
      [inbound ? 'To' : 'From', [(inbound ? fax.to : fax.from) || '']],
      ['Virtual fax', [vById[fax.virtual_fax_id]?.name ?? '']],
      ['Pages', [pagesText(fax)]],
      !inbound && fax.pages_total && activeStatuses.has(fax.status)
        ? ['Estimated line time', [aboutDuration(estimateSeconds(fax.pages_total, fax.quality))]] : null,
      ['Quality', [fax.quality || '']],
      ['Attempts', [String(fax.attempts ?? 0)]],
      fax.transport ? ['Connection', [`${fax.transport === 't38' ? 'T.38' : 'G.711 audio'}${fax.bit_rate ? `, ${fax.bit_rate} bit/s` : ''}${fax.ecm ? ', ECM' : ''}`]] : null,
      fax.remote_station_id ? ['Remote station', [fax.remote_station_id]] : null,
      ['Created', [formatTime(fax.created_at)]],
      fax.next_attempt_at && fax.status === 'queued' ? ['Next try', [formatTime(fax.next_attempt_at)]] : null,
      fax.completed_at ? ['Completed', [formatTime(fax.completed_at)]] : null,
    ].filter(Boolean);
    summary.replaceChildren(el('dl', { class: 'facts', id: 'fax-facts' },
      rows.map(([k, v]) => [el('dt', {}, k), el('dd', { 'data-fact': k }, v)])));

    const n = inbound ? (fax.pages ?? 0) : (fax.pages_total ?? 0);
    if (n !== thumbCount) {
      thumbCount = n;
      const doc = `/api/v1/faxes/${fax.id}/document`;
      thumbs.replaceChildren(...Array.from({ length: Math.min(n, 50) }, (_, i) =>
        el('a', { href: doc, target: '_blank', rel: 'noopener', class: 'thumb' },
          el('img', { src: `/api/v1/faxes/${fax.id}/pages/${i + 1}/thumbnail`, alt: `Page ${i + 1}`, loading: 'lazy' }),
          el('span', {}, `Page ${i + 1}`))));
    }

    const hasDoc = n > 0 && fax.status !== 'receiving';
    // Rebuilt only when they change, so a refresh never resets a half-done "Delete? Yes".
    const actionsKey = `${fax.status}/${hasDoc}`;
    if (actionsKey !== shownActions) {
      shownActions = actionsKey;
      actions.replaceChildren(...[
      hasDoc ? el('a', { class: 'button', id: 'download-pdf', href: `/api/v1/faxes/${fax.id}/document`, download: `fax-${fax.id}.pdf` }, 'Download PDF') : null,
      !inbound && ['queued', 'sending'].includes(fax.status) ? act('Cancel', async () => {
        fax = await api.post(`/faxes/${fax.id}/cancel`);
        status.textContent = 'Canceled.';
        await render();
      }) : null,
      !inbound && ['failed', 'canceled'].includes(fax.status) ? act('Resend', async () => {
        const again = await api.post(`/faxes/${fax.id}/resend`);
        location.hash = `#/fax/${again.id}`;
      }) : null,
      activeStatuses.has(fax.status) ? null : confirmButton('Delete', 'Delete this fax and its pages?', async () => {
        try {
          await api.del(`/faxes/${fax.id}`);
          location.hash = inbound ? '#/inbox' : '#/sent';
        } catch (e) { status.textContent = e.message; }
      })].filter(Boolean));
    }

    const attempts = await api.get(`/faxes/${fax.id}/attempts`).catch(() => null);
    const list = attempts ? (attempts.data ?? attempts) : [];
    attemptsSlot.replaceChildren(...(list.length ? [el('h2', {}, 'Calls'), el('table', { class: 'list' },
      el('thead', {}, el('tr', {}, ['Started', 'Carrier', 'Connection', 'Result'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, list.map((a) => el('tr', {},
        el('td', { 'data-label': 'Started' }, formatTime(a.started_at)),
        el('td', { 'data-label': 'Carrier' }, a.carrier_name || ''),
        el('td', { 'data-label': 'Connection' }, a.transport === 't38' ? 'T.38' : a.transport === 'g711' ? 'G.711 audio' : ''),
        el('td', { 'data-label': 'Result' }, a.result, a.failure ? ` — ${failureSentence(a.failure)}` : '')))))] : []));
  };

  const inbound = fax.direction === 'inbound';
  main.replaceChildren(el('section', { class: 'page' },
    el('p', {}, el('a', { href: inbound ? '#/inbox' : '#/sent' }, inbound ? '← Inbox' : '← Sent')),
    el('h1', {}, inbound ? `Fax from ${fax.from || 'unknown'}` : `Fax to ${fax.to}`),
    ctx.flash ? el('p', { class: 'notice', role: 'status' }, ctx.flash) : null,
    status, summary, actions, el('h2', {}, 'Pages'), thumbs, attemptsSlot));
  await render();
  return watch(async () => {
    fax = await api.get(`/faxes/${id}`);
    await render();
    return activeStatuses.has(fax.status);
  }, activeStatuses.has(fax.status));
}

export async function sendPage(main, ctx) {
  const vfaxes = await api.all('/virtual-faxes');
  if (vfaxes.length === 0) {
    main.replaceChildren(el('section', { class: 'card' }, el('h1', {}, 'Send a fax'),
      el('p', {}, 'You have no virtual fax to send from yet.')));
    return;
  }
  const fVfax = field({ name: 'virtual_fax_id', label: 'From virtual fax', type: 'select', required: true,
    options: vfaxes.map((v) => [v.id, v.name]) });
  const fTo = field({ name: 'to', label: 'To (fax number)', type: 'tel', required: true,
    hint: 'International format, e.g. +15550000100', attrs: { autocomplete: 'off', placeholder: '+15550000100' } });
  const fFile = field({ name: 'file', label: 'Documents (PDF or TIFF, one or more)', type: 'file', required: true,
    attrs: { multiple: true, accept: '.pdf,.tif,.tiff,application/pdf,image/tiff' } });
  const fQuality = field({ name: 'quality', label: 'Quality', type: 'select', value: 'fine',
    options: [['fine', 'Fine (sharper, slower)'], ['standard', 'Standard (faster)']] });
  const fHeader = field({ name: 'header', label: 'Page header (optional)',
    hint: 'Printed at the top of each page; empty uses the virtual fax\'s header.' });
  const fileList = el('div', { class: 'files', 'aria-live': 'polite' });
  const general = el('p', { class: 'error', role: 'alert' });
  const submit = el('button', { type: 'submit' }, 'Send fax');
  const form = el('form', { class: 'card form', id: 'send-form', 'aria-label': 'Send a fax', novalidate: true },
    el('h1', {}, 'Send a fax'), fVfax.wrap, fTo.wrap, fFile.wrap, fileList, fQuality.wrap, fHeader.wrap,
    general, el('div', { class: 'actions' }, submit));

  // As soon as files are picked (or the quality changes), faxd converts them exactly as it would
  // for sending and answers the page count, its line-time estimate and page thumbnails; a
  // document it cannot read is named under the file field before anyone presses Send.
  let preview = null;
  let previewSeq = 0;
  const describe = async () => {
    const files = [...fFile.input.files];
    const seq = ++previewSeq;
    preview = null;
    fFile.error.textContent = '';
    fFile.input.removeAttribute('aria-invalid');
    if (files.length === 0) { fileList.replaceChildren(); return; }
    const list = el('ul', { class: 'file-list' }, files.map((f) =>
      el('li', {}, el('span', { class: 'name' }, f.name), ` ${formatBytes(f.size)}`)));
    const estimate = el('p', { class: 'estimate', id: 'estimate' }, 'Reading the documents…');
    fileList.setAttribute('aria-busy', 'true');
    fileList.replaceChildren(list, estimate);
    const body = new FormData();
    for (const f of files) body.append('file', f, f.name);
    body.append('quality', fQuality.input.value);
    try {
      const p = await api.post('/faxes/preview', body);
      if (seq !== previewSeq) return;  // the files changed meanwhile: a newer preview wins
      preview = p;
      const pages = `${p.pages} page${p.pages === 1 ? '' : 's'}`;
      estimate.textContent = `${pages}: ${aboutDuration(p.line_seconds)} on the line.`;
      const more = p.pages - p.thumbnails.length;
      fileList.replaceChildren(...[list, estimate,
        el('div', { class: 'thumbs', id: 'preview-thumbs', role: 'group', 'aria-label': 'Pages as they will be faxed' },
          p.thumbnails.map((src, i) => el('figure', { class: 'thumb' },
            el('img', { src, alt: `Page ${i + 1}` }), el('figcaption', {}, `Page ${i + 1}`)))),
        more > 0 ? el('p', { class: 'muted' }, `and ${more} more page${more === 1 ? '' : 's'}`) : null].filter(Boolean));
    } catch (e) {
      if (seq !== previewSeq) return;
      estimate.remove();
      // The error goes where the problem is: under the file field (a 422 names "file").
      fFile.error.textContent = e instanceof ApiError ? e.message : 'faxd could not read the documents. Try again.';
      fFile.input.setAttribute('aria-invalid', 'true');
    } finally {
      if (seq === previewSeq) fileList.removeAttribute('aria-busy');
    }
  };
  fFile.input.addEventListener('change', describe);
  fQuality.input.addEventListener('change', () => { if (fFile.input.files.length) describe(); });

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = new FormData();
    body.append('virtual_fax_id', fVfax.input.value);
    body.append('to', fTo.input.value.trim());
    for (const f of fFile.input.files) body.append('file', f, f.name);
    body.append('quality', fQuality.input.value);
    if (fHeader.input.value.trim()) body.append('header', fHeader.input.value.trim());
    if (fFile.input.files.length === 0) {
      showError(form, general, { field: 'file', message: 'Choose at least one document.' });
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Sending…';
    try {
      const fax = await api.post('/faxes', body);
      const seconds = preview && preview.pages === fax.pages_total && preview.quality === fax.quality
        ? preview.line_seconds : estimateSeconds(fax.pages_total, fax.quality);
      ctx.setFlash(`Queued: ${fax.pages_total} page${fax.pages_total === 1 ? '' : 's'}, ${aboutDuration(seconds)} on the line.`);
      location.hash = `#/fax/${fax.id}`;
    } catch (e) {
      showError(form, general, e instanceof ApiError ? e : null);
      submit.disabled = false;
      submit.textContent = 'Send fax';
    }
  });
  main.replaceChildren(form);
  fTo.input.focus();
}
