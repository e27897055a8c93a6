// A list of objects as operators use one every day: a search box (matches any column's text and
// the numbers and names behind it), a total count, sort by any column (click its heading),
// CSV export of what is shown, and rows redrawn in place (a reload keeps the search, the sort
// and the scroll position). Used by every admin list; other engineers' pages reuse it.
//
//   const table = new DataTable({ columns, rowKey, rowActions, caption, csvName, searchText });
//   slot.replaceChildren(table.node);  table.setRows(objects);
// columns: [{ key, label, value: (obj) => text | Node, sort?: (obj) => string | number,
//             text?: (obj) => string (CSV and search; default: the value's text) }]
import { el } from './dom.js';
import { t, language, formatNumber } from './i18n.js';

let tableSeq = 0;

function textOf(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (v instanceof Node) return v.textContent;
  return String(v);
}

export function csvText(headers, rows) {
  const cell = (s) => (/[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${String(s).replace(/"/g, '""')}"` : s);
  return [headers, ...rows].map((r) => r.map((c) => cell(String(c ?? ''))).join(',')).join('\r\n') + '\r\n';
}

export function download(name, text, type = 'text/csv;charset=utf-8') {
  const url = URL.createObjectURL(new Blob(['\ufeff', text], { type }));
  const a = el('a', { href: url, download: name, class: 'sr-only' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export class DataTable {
  constructor({ columns, rowKey = (o) => o.id, rowActions = null, caption = '', csvName = 'list.csv',
    searchText = () => '', empty = '', noMatch = '' }) {
    this.columns = columns;
    this.rowKey = rowKey;
    this.rowActions = rowActions;
    this.caption = caption;
    this.csvName = csvName;
    this.searchText = searchText;
    this.empty = empty || t('list.empty');
    this.noMatch = noMatch || t('list.no_match');
    this.rows = [];
    this.query = '';
    this.sortKey = null;
    this.sortDir = 1;
    const id = `search-${++tableSeq}`;
    this.search = el('input', { id, type: 'search', autocomplete: 'off', class: 'search' });
    this.search.addEventListener('input', () => { this.query = this.search.value.trim(); this.draw(); });
    this.count = el('p', { class: 'count muted', role: 'status', 'aria-live': 'polite' });
    this.csv = el('button', { type: 'button', class: 'secondary', onclick: () => this.exportCsv() }, t('list.csv'));
    this.body = el('div', { class: 'table-slot' });
    this.node = el('div', { class: 'data-table' },
      el('div', { class: 'list-tools' },
        el('div', { class: 'field search-field' }, el('label', { for: id }, t('list.search')), this.search),
        this.count, this.csv),
      this.body);
  }

  setRows(rows) {
    this.rows = rows;
    const y = window.scrollY;
    this.draw();
    window.scrollTo(0, y);  // a reload keeps the place in the list
  }

  // Rows after the search and the sort.
  shown() {
    const q = this.query.toLocaleLowerCase(language());
    // "+34 91 000" finds +3491000…: spaces, dashes and brackets in numbers do not count.
    const squeeze = (s) => s.replace(/[\s\-().]/g, '');
    const compact = squeeze(q);
    let rows = this.rows;
    if (q) {
      rows = rows.filter((o) => {
        const hay = [...this.columns.map((c) => (c.text ? c.text(o) : textOf(c.value(o)))), this.searchText(o)]
          .join(' | ').toLocaleLowerCase(language());
        return hay.includes(q) || (compact.length >= 3 && squeeze(hay).includes(compact));
      });
    }
    if (this.sortKey) {
      const col = this.columns.find((c) => c.key === this.sortKey);
      const key = (o) => (col.sort ? col.sort(o) : textOf(col.value(o)));
      const collator = new Intl.Collator(language(), { numeric: true, sensitivity: 'base' });
      rows = [...rows].sort((a, b) => {
        const x = key(a);
        const y = key(b);
        return this.sortDir * (typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y)));
      });
    }
    return rows;
  }

  draw() {
    const rows = this.shown();
    this.count.textContent = this.query
      ? t('list.count_matching', { count: rows.length, total: formatNumber(this.rows.length) })
      : t('list.count', { count: this.rows.length });
    this.csv.disabled = rows.length === 0;
    if (this.rows.length === 0) { this.body.replaceChildren(el('p', { class: 'muted' }, this.empty)); return; }
    if (rows.length === 0) { this.body.replaceChildren(el('p', { class: 'muted' }, this.noMatch)); return; }
    const head = this.columns.map((c) => {
      const sorted = this.sortKey === c.key;
      const button = el('button', { type: 'button', class: 'sort' }, c.label,
        el('span', { 'aria-hidden': 'true', class: 'sort-mark' }, sorted ? (this.sortDir > 0 ? ' ▲' : ' ▼') : ''));
      button.addEventListener('click', () => {
        if (this.sortKey === c.key) this.sortDir = -this.sortDir;
        else { this.sortKey = c.key; this.sortDir = 1; }
        this.draw();
        this.body.querySelector(`th[data-col="${c.key}"] button`)?.focus();
      });
      return el('th', { scope: 'col', 'data-col': c.key, 'aria-sort': sorted ? (this.sortDir > 0 ? 'ascending' : 'descending') : null }, button);
    });
    const body = rows.map((o) => el('tr', { 'data-key': this.rowKey(o) },
      this.columns.map((c, i) => el(i === 0 ? 'th' : 'td', { ...(i === 0 ? { scope: 'row' } : {}), 'data-label': c.label }, c.value(o) ?? '')),
      this.rowActions ? el('td', { class: 'row-actions' }, this.rowActions(o)) : null));
    this.body.replaceChildren(el('table', { class: 'list' },
      this.caption ? el('caption', { class: 'sr-only' }, this.caption) : null,
      el('thead', {}, el('tr', {}, head, this.rowActions ? el('th', { scope: 'col' }, el('span', { class: 'sr-only' }, t('form.actions'))) : null)),
      el('tbody', {}, body)));
  }

  // The row of an object, to come back to it after editing.
  row(key) {
    return this.body.querySelector(`tr[data-key="${CSS.escape(key)}"]`);
  }

  exportCsv() {
    const rows = this.shown();
    download(this.csvName, csvText(this.columns.map((c) => c.label),
      rows.map((o) => this.columns.map((c) => (c.text ? c.text(o) : textOf(c.value(o)))))));
  }
}
