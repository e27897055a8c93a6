// Cursor paging for list replies {data, next_cursor}: remembers the cursors of earlier pages
// so "Previous" works, and renders the two buttons.
import { el } from './dom.js';
import { t } from './i18n.js';

export class Pager {
  constructor(onChange) {
    this.stack = [];      // cursors of the pages before the current one
    this.cursor = null;   // cursor of the current page (null = first)
    this.next = null;     // next_cursor of the current reply
    this.onChange = onChange;
  }

  reset() { this.stack = []; this.cursor = null; this.next = null; }

  params() { return this.cursor ? { cursor: this.cursor } : {}; }

  controls() {
    if (this.stack.length === 0 && !this.next) return '';
    const prev = el('button', { type: 'button', class: 'secondary', disabled: this.stack.length === 0 },
      t('pager.previous'));
    prev.addEventListener('click', () => { this.cursor = this.stack.pop() ?? null; this.onChange(); });
    const next = el('button', { type: 'button', class: 'secondary', disabled: !this.next }, t('pager.next'));
    next.addEventListener('click', () => { this.stack.push(this.cursor); this.cursor = this.next; this.onChange(); });
    return el('nav', { class: 'pager', 'aria-label': t('pager.label') }, prev, next);
  }
}
