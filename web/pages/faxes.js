// Fax pages: Inbox and Sent (filters, cursor paging, live status), one fax (thumbnails, PDF,
// calls, cancel / resend / delete) and Send a fax (files, a preview of the pages and the line
// time from POST /faxes/preview before sending, submit).
import { countryField } from '../lib/pickers.js';
import { api, ApiError } from '../lib/api.js';
import { el, field, showError, confirmButton } from '../lib/dom.js';
import { t, formatTime, formatBytes, aboutDuration, timeZone, dayStart, isoDay, language } from '../lib/i18n.js';
import { csvText, download } from '../lib/table.js';
import { errorText } from '../lib/errors.js';
import { failureSentence, statusText, qualityText, transportText, resultText, activeStatuses } from '../lib/failures.js';
import { Pager } from '../lib/pager.js';
import { watch } from '../lib/live.js';
import { byId, options } from './resource.js';

// Rough line time of a fax already sent, from its page count alone: the call set-up, then per
// page a typical text page at 14.4 kbit/s. The send form has faxd's own estimate from the
// converted pages (POST /faxes/preview); it is kept for the fax page (lineEstimates), so a fax
// shows one estimate wherever it is named.
export function estimateSeconds(pages, quality) {
  return 15 + pages * (quality === 'standard' ? 25 : 36);
}

const ESTIMATES = 'faxd.lineEstimates';
function rememberEstimate(id, seconds) {
  try {
    const all = JSON.parse(sessionStorage.getItem(ESTIMATES) || '{}');
    all[id] = seconds;
    const keys = Object.keys(all);
    for (const k of keys.slice(0, Math.max(0, keys.length - 50))) delete all[k];
    sessionStorage.setItem(ESTIMATES, JSON.stringify(all));
  } catch { /* storage off: the page-count estimate is used */ }
}
export function lineEstimate(fax) {
  try {
    const s = JSON.parse(sessionStorage.getItem(ESTIMATES) || '{}')[fax.id];
    if (typeof s === 'number') return s;
  } catch { /* storage off */ }
  return estimateSeconds(fax.pages_total ?? 0, fax.quality);
}

function statusBadge(fax) {
  return el('span', { class: `badge s-${fax.status}` }, statusText(fax.status));
}

function pagesText(fax) {
  if (fax.direction === 'inbound') return t('fax.pages_received', { count: fax.pages ?? 0 });
  if (fax.pages_total === undefined || fax.pages_total === null) return t('fax.pages_of_unknown', { done: fax.pages ?? 0 });
  return t('fax.pages_of', { done: fax.pages ?? 0, total: fax.pages_total });
}

// The name of a downloaded fax, as the mail attachment has it: fax-YYYYMMDD-HHMMSS-FROM.pdf,
// the time in the shown time zone.
export function downloadName(fax) {
  const d = new Date(fax.completed_at || fax.created_at);
  if (Number.isNaN(d.getTime())) return `fax-${fax.id}.pdf`;
  const p = new Intl.DateTimeFormat('en-GB', { timeZone: timeZone(), hourCycle: 'h23', year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(d);
  const g = (type) => p.find((x) => x.type === type)?.value ?? '00';
  const who = String((fax.direction === 'inbound' ? fax.from : fax.to) || 'unknown').replace(/[^0-9A-Za-z+]/g, '');
  return `fax-${g('year')}${g('month')}${g('day')}-${g('hour')}${g('minute')}${g('second')}-${who || 'unknown'}.pdf`;
}

// Inbox and Sent. The list keeps still under live updates: the table, its headings and the
// pager are built once; a refresh redraws only the rows, and only when a fax in them changed,
// so nothing jumps under the pointer. Sort: the Time heading orders every fax the filters match
// (faxd pages newest or oldest first: ?order=asc|desc); the other headings sort the faxes of the
// page shown, and say so while there is more than one page. The total count comes with every
// answer (?count=1, counted by faxd up to 10,000).
export function faxList(direction) {
  const firstQuery = { direction, limit: 25, count: 1 };
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
    const fStatus = field({ name: 'status', label: t('field.status'), type: 'select',
      options: [['', t('list.any_status')], ...statuses.map((s) => [s, statusText(s)])] });
    const fVfax = field({ name: 'virtual_fax_id', label: t('field.virtual_fax'), type: 'select',
      options: options(vfaxes, (v) => v.name, t('list.any_vfax')) });
    const fNumber = field({ name: 'number', label: t(inbound ? 'list.from_number' : 'list.to_number'), type: 'search',
      hint: t('list.number_hint'), attrs: { autocomplete: 'off', inputmode: 'tel' } });
    const fSince = field({ name: 'since', label: t('list.since'), type: 'date' });
    const fUntil = field({ name: 'until', label: t('list.until'), type: 'date' });
    const csv = el('button', { type: 'button', class: 'secondary', id: 'faxes-csv' }, t('list.csv'));
    const filters = el('form', { class: 'filters', 'aria-label': t('list.filters') }, fStatus.wrap, fVfax.wrap,
      fNumber.wrap, fSince.wrap, fUntil.wrap,
      el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'secondary' }, t('list.filter')), csv));
    const count = el('p', { class: 'count muted', id: 'faxes-count', role: 'status' });
    const sortNote = el('p', { class: 'muted sort-note', id: 'faxes-sort-note' });
    const message = el('div', { class: 'list-message' });
    const pager = new Pager(() => reload());
    const restart = () => { pager.reset(); reload(); };
    filters.addEventListener('submit', (ev) => { ev.preventDefault(); restart(); });
    for (const f of [fStatus, fVfax, fSince, fUntil]) f.input.addEventListener('change', restart);

    // Columns: [key, heading key, cell(fax) -> [content, attrs], sort key(fax)]
    const numberOf = (f) => (inbound ? f.from : f.to) || '';
    const columns = [
      ['number', inbound ? 'field.from' : 'field.to', (f) => el('a', { href: `#/fax/${f.id}` }, numberOf(f) || t('fax.unknown_number')), numberOf],
      ['vfax', 'field.virtual_fax', (f) => vById[f.virtual_fax_id]?.name ?? '', (f) => vById[f.virtual_fax_id]?.name ?? ''],
      ['status', 'field.status', (f) => [statusBadge(f),
        f.failure ? el('span', { class: 'reason' }, ` ${failureSentence(f.failure)}`) : null,
        f.status === 'queued' && f.next_attempt_at ? el('span', { class: 'reason' }, ` ${t('fax.next_try_at', { time: formatTime(f.next_attempt_at) })}`) : null],
      (f) => statusText(f.status)],
      ['pages', 'field.pages', (f) => pagesText(f), (f) => f.pages ?? 0],
      ['time', 'field.time', (f) => formatTime(f.created_at), null],
    ];
    // The sort: {key: 'time', dir} (faxd's order) or a column of the page; timeDir is the order
    // faxd pages in (-1 newest first, 1 oldest first), which the other columns sort within.
    let timeDir = -1;
    let sort = { key: 'time', dir: timeDir };
    const headButtons = {};
    const headCells = columns.map(([key, label]) => {
      const button = el('button', { type: 'button', class: 'sort', 'data-sort': key }, t(label),
        el('span', { 'aria-hidden': 'true', class: 'sort-mark' }));
      button.addEventListener('click', () => {
        if (key === 'time' && sort.key === 'time') {  // the other way round: from the first page
          timeDir = -timeDir;
          sort = { key, dir: timeDir };
          drawHeads();
          restart();
          return;
        }
        sort = key === 'time' ? { key, dir: timeDir } : { key, dir: sort.key === key ? -sort.dir : 1 };
        drawHeads();
        drawRows(true);
      });
      headButtons[key] = button;
      return el('th', { scope: 'col', 'data-col': key }, button);
    });
    const drawHeads = () => {
      columns.forEach(([key], i) => {
        const active = sort.key === key;
        headCells[i].setAttribute('aria-sort', active ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none');
        headButtons[key].querySelector('.sort-mark').textContent = active ? (sort.dir > 0 ? ' ▲' : ' ▼') : '';
      });
      const paged = pager.stack.length > 0 || !!pager.next;
      const label = t(columns.find(([k]) => k === sort.key)[1]);
      sortNote.textContent = sort.key !== 'time' && paged
        ? t('list.sorted_in_page', { column: label, time: t('field.time'),
          order: t(timeDir > 0 ? 'list.oldest_first' : 'list.newest_first') })
        : '';
    };
    const tbody = el('tbody');
    const table = el('table', { class: 'list', id: 'faxes-table' },
      el('caption', { class: 'sr-only' }, t(inbound ? 'inbox.caption' : 'sent.caption')),
      el('thead', {}, el('tr', {}, headCells)), tbody);
    const tableWrap = el('div', { hidden: true }, table);

    // The API's filters: the number as typed without spaces or dashes, days in the shown time
    // zone (until: the end of that day).
    const query = () => {
      const q = { ...firstQuery, status: fStatus.input.value, virtual_fax_id: fVfax.input.value,
        order: timeDir > 0 ? 'asc' : undefined };
      const number = fNumber.input.value.replace(/[\s\-().]/g, '');
      if (number) q[inbound ? 'from' : 'to'] = number;
      if (fSince.input.value) q.since = dayStart(fSince.input.value).toISOString().replace(/\.\d{3}Z$/, 'Z');
      if (fUntil.input.value) {
        const end = dayStart(fUntil.input.value);
        q.until = dayStart(isoDay(new Date(end.getTime() + 36 * 3600 * 1000))).toISOString().replace(/\.\d{3}Z$/, 'Z');
      }
      return q;
    };
    csv.addEventListener('click', async () => {
      csv.disabled = true;
      try {
        const rows = [];
        let cursor = null;
        do {
          const page = await api.get('/faxes', { ...query(), count: undefined, limit: 500, cursor });
          rows.push(...page.data);
          cursor = page.next_cursor;
        } while (cursor && rows.length < 10000);
        const heads = [inbound ? 'field.from' : 'field.to', 'field.virtual_fax', 'field.status', 'field.pages', 'field.time', 'fax.why'];
        download(`${inbound ? 'inbox' : 'sent'}.csv`, csvText(heads.map((h) => t(h)), rows.map((f) => [
          (inbound ? f.from : f.to) || '', vById[f.virtual_fax_id]?.name ?? '', statusText(f.status), pagesText(f),
          formatTime(f.created_at), f.failure ? failureSentence(f.failure) : ''])));
      } catch (e) { message.replaceChildren(el('p', { class: 'error' }, errorText(e))); }
      csv.disabled = false;
    });

    let shown = [];        // the faxes of the page, as faxd ordered them
    let drawnKey = '';     // what the rows show, to redraw only on a change
    const drawRows = (force = false) => {
      let faxes = shown;
      const col = columns.find(([k]) => k === sort.key);
      if (sort.key !== 'time' && col[3]) {
        const collator = new Intl.Collator(language(), { numeric: true, sensitivity: 'base' });
        const key = col[3];
        faxes = [...shown].sort((a, b) => {
          const x = key(a);
          const y = key(b);
          return sort.dir * (typeof x === 'number' ? x - y : collator.compare(String(x), String(y)));
        });
      }
      const k = JSON.stringify([sort, faxes.map((f) => [f.id, f.status, f.pages, f.pages_total, f.next_attempt_at, f.failure?.code])]);
      if (!force && k === drawnKey) return;
      drawnKey = k;
      tbody.replaceChildren(...faxes.map((f) => el('tr', { 'data-fax': f.id, 'data-status': f.status },
        columns.map(([key, label, cell], i) => el(i === 0 ? 'th' : 'td', { ...(i === 0 ? { scope: 'row' } : {}), 'data-label': t(label) }, cell(f))))));
    };

    // Answers can come back out of order (a filter changed while the live refresh was on its
    // way): only the answer to the newest request is drawn.
    let requestSeq = 0;
    const filtered = () => [fStatus, fVfax, fNumber, fSince, fUntil].some((f) => f.input.value);
    const reload = async () => {
      const seq = ++requestSeq;
      const early = firstPage;
      firstPage = null;
      let page;
      try {
        page = await (early || api.get('/faxes', { ...query(), ...pager.params() }));
      } catch (e) {
        if (seq !== requestSeq) return true;
        message.replaceChildren(el('p', { class: 'error' }, errorText(e)));
        throw e;
      }
      if (seq !== requestSeq) return true;  // a newer request is on its way; it draws
      message.replaceChildren();
      if (typeof page.total === 'number') {
        count.textContent = page.total_capped ? t('list.count_more', { count: page.total }) : t('list.count', { count: page.total });
      }
      pager.next = page.next_cursor;
      pager.update();
      shown = page.data;
      drawHeads();
      if (page.data.length === 0) {
        tableWrap.hidden = true;
        drawnKey = '';
        message.replaceChildren(el('p', { class: 'muted' }, t(filtered() ? 'list.no_match' : inbound ? 'inbox.empty' : 'sent.empty')));
        return false;
      }
      tableWrap.hidden = false;
      drawRows();
      return page.data.some((f) => activeStatuses.has(f.status));
    };

    main.replaceChildren(el('section', { class: 'page' },
      el('div', { class: 'page-head' }, el('h1', {}, t(inbound ? 'nav.inbox' : 'nav.sent')),
        ctx.me.role === 'brand_admin' ? null : el('a', { class: 'button', href: '#/send' }, t('nav.send'))),
      filters, count, sortNote, message, tableWrap, pager.nav()));
    const active = await reload().catch(() => false);
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
    try { await fn(); } catch (e) { status.textContent = errorText(e); }
  } }, label);
  // A queued fax can be moved to another time (PATCH send_at).
  const reschedule = () => {
    const when = el('input', { type: 'datetime-local', id: 'reschedule-at', 'aria-label': t('fax.reschedule_at') });
    return el('span', { class: 'inline' }, when, act(t('fax.reschedule'), async () => {
      if (!when.value) { status.textContent = t('fax.reschedule_choose'); return; }
      fax = await api.patch(`/faxes/${fax.id}`, { send_at: new Date(when.value).toISOString() });
      status.textContent = t('fax.rescheduled', { time: formatTime(fax.send_at) });
      await render();
    }));
  };
  let batch = [];

  const render = async () => {
    const inbound = fax.direction === 'inbound';
    // The broadcast's faxes in the order the numbers were given (ids sort by creation).
    if (fax.batch_id) batch = (await api.get('/faxes', { batch_id: fax.batch_id, limit: 100 }).catch(() => ({ data: [] }))).data
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    // [data-fact id, label, value]
    const rows = [
      ['Status', t('field.status'), [statusBadge(fax)]],
      fax.failure ? ['Why', t('fax.why'), [failureSentence(fax.failure),
        fax.failure.message ? el('details', { class: 'technical' }, el('summary', {}, t('fax.technical')),
          el('span', { class: 'muted', lang: 'en' }, fax.failure.message)) : null]] : null,
      [inbound ? 'From' : 'To', t(inbound ? 'field.from' : 'field.to'), [(inbound ? fax.from : fax.to) || t('fax.unknown_number')]],
      [inbound ? 'To' : 'From', t(inbound ? 'field.to' : 'field.from'), [(inbound ? fax.to : fax.from) || '']],
      ['Virtual fax', t('field.virtual_fax'), [vById[fax.virtual_fax_id]?.name ?? '']],
      ['Pages', t('field.pages'), [pagesText(fax)]],
      !inbound && fax.pages_total && activeStatuses.has(fax.status)
        ? ['Estimated line time', t('fax.estimated_line_time'), [aboutDuration(lineEstimate(fax))]] : null,
      ['Quality', t('field.quality'), [qualityText(fax.quality)]],
      ['Attempts', t('fax.calls_made'), [t('fax.calls_count', { count: fax.attempts ?? 0 })]],
      fax.tries !== undefined && !inbound ? ['Tries', t('fax.tries'), [t('fax.calls_count', { count: fax.tries ?? 0 })]] : null,
      fax.transport ? ['Connection', t('fax.connection'), [[transportText(fax.transport),
        fax.bit_rate ? t('fax.bit_rate', { rate: String(fax.bit_rate) }) : null, fax.ecm ? t('fax.ecm') : null].filter(Boolean).join(', ')]] : null,
      fax.remote_station_id ? ['Remote station', t('fax.remote_station'), [fax.remote_station_id]] : null,
      ['Created', t('field.created'), [formatTime(fax.created_at)]],
      fax.send_at ? ['Scheduled for', t('fax.scheduled_for'), [formatTime(fax.send_at)]] : null,
      fax.batch_id && batch.length ? ['Broadcast', t('fax.broadcast'), [el('ul', { class: 'batch', id: 'batch-faxes' }, batch.map((b) =>
        el('li', {}, el('a', { href: `#/fax/${b.id}` }, b.to), ' ', statusBadge(b))))]] : null,
      fax.next_attempt_at && fax.status === 'queued' ? ['Next try', t('fax.next_try'), [formatTime(fax.next_attempt_at)]] : null,
      fax.completed_at ? ['Completed', t('fax.completed'), [formatTime(fax.completed_at)]] : null,
    ].filter(Boolean);
    summary.replaceChildren(el('dl', { class: 'facts', id: 'fax-facts' },
      rows.map(([id, k, v]) => [el('dt', {}, k), el('dd', { 'data-fact': id }, v)])));

    // The retention policy removed the document: the fax stays, its pages do not.
    const purged = !!fax.document_purged_at;
    const n = purged ? 0 : inbound ? (fax.pages ?? 0) : (fax.pages_total ?? 0);
    if (purged && thumbCount !== -2) {
      thumbCount = -2;
      thumbs.replaceChildren(el('p', { class: 'notice purged', id: 'document-purged' },
        t('fax.document_purged', { time: formatTime(fax.document_purged_at) })));
    } else if (!purged && n !== thumbCount) {
      thumbCount = n;
      const doc = `/api/v1/faxes/${fax.id}/document`;
      // A click opens the PDF at that page.
      thumbs.replaceChildren(...Array.from({ length: Math.min(n, 50) }, (_, i) =>
        el('a', { href: `${doc}#page=${i + 1}`, target: '_blank', rel: 'noopener', class: 'thumb' },
          el('img', { src: `/api/v1/faxes/${fax.id}/pages/${i + 1}/thumbnail`, alt: t('fax.page_n', { n: i + 1 }), loading: 'lazy' }),
          el('span', {}, t('fax.page_n', { n: i + 1 })))));
    }

    const hasDoc = n > 0 && fax.status !== 'receiving';
    // Rebuilt only when they change, so a refresh never resets a half-done "Delete? Yes".
    const actionsKey = `${fax.status}/${hasDoc}/${purged}`;
    if (actionsKey !== shownActions) {
      shownActions = actionsKey;
      actions.replaceChildren(...[
        hasDoc ? el('a', { class: 'button', id: 'download-pdf', href: `/api/v1/faxes/${fax.id}/document`, download: downloadName(fax) }, t('fax.download')) : null,
        !inbound && ['delivered', 'failed', 'canceled'].includes(fax.status)
          ? el('a', { class: 'button secondary', id: 'download-report', href: `/api/v1/faxes/${fax.id}/report`, download: '' }, t('fax.report')) : null,
        !inbound && fax.status === 'queued' ? reschedule() : null,
        fax.batch_id && ['queued', 'sending'].includes(fax.status) ? act(t('fax.cancel_broadcast'), async () => {
          await api.post(`/faxes/batches/${fax.batch_id}/cancel`);
          fax = await api.get(`/faxes/${fax.id}`);
          status.textContent = t('fax.broadcast_canceled');
          await render();
        }) : null,
        !inbound && ['queued', 'sending'].includes(fax.status) ? confirmButton(t('fax.cancel'), t('fax.cancel_question'), async () => {
          try {
            fax = await api.post(`/faxes/${fax.id}/cancel`);
            status.textContent = t('fax.canceled_notice');
            await render();
          } catch (e) { status.textContent = errorText(e); }
        }, 'danger') : null,
        !inbound && !purged && ['failed', 'canceled'].includes(fax.status) ? act(t('fax.resend'), async () => {
          const again = await api.post(`/faxes/${fax.id}/resend`);
          location.hash = `#/fax/${again.id}`;
        }) : null,
        activeStatuses.has(fax.status) ? null : confirmButton(t('form.delete'), t('fax.delete_question'), async () => {
          try {
            await api.del(`/faxes/${fax.id}`);
            location.hash = inbound ? '#/inbox' : '#/sent';
          } catch (e) { status.textContent = errorText(e); }
        })].filter(Boolean));
    }

    const attempts = await api.get(`/faxes/${fax.id}/attempts`).catch(() => null);
    const list = attempts ? (attempts.data ?? attempts) : [];
    const heads = ['fax.call_started', 'field.carrier', 'fax.connection', 'fax.call_result'];
    attemptsSlot.replaceChildren(...(list.length ? [el('h2', {}, t('fax.calls')), el('table', { class: 'list', id: 'fax-calls' },
      el('thead', {}, el('tr', {}, heads.map((h) => el('th', { scope: 'col' }, t(h))))),
      el('tbody', {}, list.map((a) => el('tr', {},
        el('td', { 'data-label': t(heads[0]) }, formatTime(a.started_at)),
        el('td', { 'data-label': t(heads[1]) }, a.carrier_name || ''),
        el('td', { 'data-label': t(heads[2]) }, transportText(a.transport)),
        el('td', { 'data-label': t(heads[3]) }, resultText(a.result), a.failure ? ` — ${failureSentence(a.failure)}` : '')))))] : []));
  };

  const inbound = fax.direction === 'inbound';
  main.replaceChildren(el('section', { class: 'page' },
    el('p', {}, el('a', { href: inbound ? '#/inbox' : '#/sent' }, `← ${t(inbound ? 'nav.inbox' : 'nav.sent')}`)),
    el('h1', {}, inbound ? t('fax.title_from', { number: fax.from || t('fax.unknown_number') }) : t('fax.title_to', { number: fax.to })),
    ctx.flash ? el('p', { class: 'notice', role: 'status' }, ctx.flash) : null,
    status, summary, actions, el('h2', {}, t('fax.pages')), thumbs, attemptsSlot));
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
    main.replaceChildren(el('section', { class: 'card' }, el('h1', {}, t('nav.send')),
      el('p', {}, t('send.no_vfax')),
      ctx.me.role === 'company_admin' ? el('p', {}, el('a', { class: 'button', href: '#/virtual-faxes' }, t('send.create_vfax'))) : null));
    return;
  }
  const fVfax = field({ name: 'virtual_fax_id', label: t('send.from_vfax'), type: 'select', required: true,
    options: vfaxes.map((v) => [v.id, v.name]), problem: t('problem.send_vfax') });
  const fTo = field({ name: 'to', label: t('send.to'), type: 'textarea', required: true,
    hint: t('send.to_many_hint'), problem: t('problem.to_national'), attrs: { autocomplete: 'off', rows: 2 } });
  // Several numbers make a broadcast: one fax to each (one a line, or separated by commas or
  // semicolons; spaces stay inside a number as people write them: "+34 910 00 00 02").
  const numbers = () => fTo.input.value.split(/[\r\n,;]+/).map((n) => n.trim()).filter(Boolean);
  // National numbers are read as numbers of this country (the company's by default).
  const fCountry = field(countryField({ name: 'country', value: ctx.me.company?.country || '',
    label: t('send.country'), none: t('send.country_none'), hint: t('hint.send_country'), problem: t('problem.country') }));
  const fCoverTo = field({ name: 'cover_to', label: t('send.cover_to') });
  const fCoverSubject = field({ name: 'cover_subject', label: t('send.cover_subject') });
  const fCoverNote = field({ name: 'cover_note', label: t('send.cover_note'), type: 'textarea', attrs: { rows: 3 } });
  const cover = el('details', { class: 'cover-fields', id: 'cover-fields' },
    el('summary', {}, t('send.cover')), fCoverTo.wrap, fCoverSubject.wrap, fCoverNote.wrap);
  const fSendAt = field({ name: 'send_at', label: t('send.send_at'), type: 'datetime-local', hint: t('send.send_at_hint') });
  const fFile = field({ name: 'file', label: t('send.documents'), type: 'file', required: true,
    hint: t('hint.documents'), attrs: { multiple: true, accept: '.pdf,.tif,.tiff,application/pdf,image/tiff' } });
  const fQuality = field({ name: 'quality', label: t('field.quality'), type: 'select', value: 'fine',
    options: [['fine', t('quality.fine_long')], ['standard', t('quality.standard_long')]] });
  const fHeader = field({ name: 'header', label: t('send.header'), hint: t('hint.send_header'), problem: t('problem.header') });
  const fileList = el('div', { class: 'files', 'aria-live': 'polite' });
  const general = el('p', { class: 'error', role: 'alert' });
  const submit = el('button', { type: 'submit', id: 'send-submit' }, t('send.submit'));
  const form = el('form', { class: 'card form', id: 'send-form', 'aria-label': t('nav.send'), novalidate: true },
    el('h1', {}, t('nav.send')), fVfax.wrap, fTo.wrap, fCountry.wrap, fFile.wrap, fileList, fQuality.wrap, fHeader.wrap,
    cover, fSendAt.wrap, general, el('div', { class: 'actions sticky-send' }, submit));
  // The fields that change how the pages look (header line, cover page): previewed too.
  const shown = () => {
    const out = [['virtual_fax_id', fVfax.input.value], ['quality', fQuality.input.value]];
    if (fHeader.input.value.trim()) out.push(['header', fHeader.input.value.trim()]);
    for (const f of [fCoverTo, fCoverSubject, fCoverNote])
      if (f.input.value.trim()) out.push([f.spec.name, f.input.value.trim()]);
    return out;
  };

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
    const estimate = el('p', { class: 'estimate', id: 'estimate' }, t('send.reading'));
    fileList.setAttribute('aria-busy', 'true');
    fileList.replaceChildren(list, estimate);
    const body = new FormData();
    for (const f of files) body.append('file', f, f.name);
    for (const [k, v] of shown()) body.append(k, v);
    if (numbers().length) body.append('to', numbers()[0]);
    try {
      const p = await api.post('/faxes/preview', body);
      if (seq !== previewSeq) return;  // the files changed meanwhile: a newer preview wins
      preview = p;
      estimate.textContent = t('send.estimate', { pages: t('send.pages', { count: p.pages }), time: aboutDuration(p.line_seconds) });
      const more = p.pages - p.thumbnails.length;
      fileList.replaceChildren(...[list, estimate,
        el('div', { class: 'thumbs', id: 'preview-thumbs', role: 'group', 'aria-label': t('send.preview_label') },
          p.thumbnails.map((src, i) => el('figure', { class: 'thumb' },
            el('img', { src, alt: t('fax.page_n', { n: i + 1 }) }), el('figcaption', {}, t('fax.page_n', { n: i + 1 }))))),
        more > 0 ? el('p', { class: 'muted' }, t('send.more_pages', { count: more })) : null].filter(Boolean));
    } catch (e) {
      if (seq !== previewSeq) return;
      estimate.remove();
      // The error goes where the problem is: under the file field (a 422 names "file").
      fFile.error.textContent = e instanceof ApiError ? errorText(e) : t('send.unreadable');
      fFile.input.setAttribute('aria-invalid', 'true');
    } finally {
      if (seq === previewSeq) fileList.removeAttribute('aria-busy');
    }
  };
  fFile.input.addEventListener('change', describe);
  for (const f of [fQuality, fVfax, fHeader, fCoverTo, fCoverSubject, fCoverNote])
    f.input.addEventListener('change', () => { if (fFile.input.files.length) describe(); });

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = new FormData();
    for (const [k, v] of shown()) body.append(k, v);
    for (const n of numbers()) body.append('to', n);
    if (fCountry.input.value) body.append('country', fCountry.input.value);
    for (const f of fFile.input.files) body.append('file', f, f.name);
    if (fSendAt.input.value) body.append('send_at', new Date(fSendAt.input.value).toISOString());
    if (!fTo.input.value.trim()) {
      showError(form, general, { field: 'to', key: 'problem.to_national' });
      return;
    }
    if (fFile.input.files.length === 0) {
      showError(form, general, { field: 'file', key: 'send.choose_document' });
      return;
    }
    submit.disabled = true;
    submit.textContent = t('send.sending');
    try {
      const sent = await api.post('/faxes', body);
      if (sent.batch_id) {  // a broadcast: one fax per number; its page lists the others
        ctx.setFlash(t('send.queued_batch', { count: sent.data.length }));
        location.hash = `#/fax/${sent.data[0].id}`;
        return;
      }
      const fax = sent;
      const seconds = preview && preview.pages === fax.pages_total && preview.quality === fax.quality
        ? preview.line_seconds : estimateSeconds(fax.pages_total, fax.quality);
      rememberEstimate(fax.id, seconds);
      ctx.setFlash(t('send.queued', { pages: t('send.pages', { count: fax.pages_total }), time: aboutDuration(seconds) }));
      location.hash = `#/fax/${fax.id}`;
    } catch (e) {
      showError(form, general, e instanceof ApiError ? e : null);
      submit.disabled = false;
      submit.textContent = t('send.submit');
    }
  });
  main.replaceChildren(form);
  fTo.input.focus();
}
