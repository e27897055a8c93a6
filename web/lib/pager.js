// Cursor paging for list replies {data, next_cursor}: remembers the cursors of earlier pages
// so "Previous" works. nav() is built once and update() changes it in place after each answer,
// so a live refresh never replaces the buttons under the pointer.
import { el } from './dom.js';
import { t } from './i18n.js';

export class Pager {
  constructor(onChange) {
    this.stack = [];      // cursors of the pages before the current one
    this.cursor = null;   // cursor of the current page (null = first)
    this.next = null;     // next_cursor of the current reply
    this.onChange = onChange;
    this.node = null;
  }

  reset() { this.stack = []; this.cursor = null; this.next = null; }

  params() { return this.cursor ? { cursor: this.cursor } : {}; }

  // The Previous / Next buttons (hidden while everything fits on one page).
  nav() {
    if (this.node) return this.node;
    this.prev = el('button', { type: 'button', class: 'secondary' }, t('pager.previous'));
    this.prev.addEventListener('click', () => {
      if (this.stack.length === 0) return;
      this.cursor = this.stack.pop() ?? null;
      this.update();
      this.onChange();
    });
    this.fwd = el('button', { type: 'button', class: 'secondary' }, t('pager.next'));
    this.fwd.addEventListener('click', () => {
      if (!this.next) return;
      this.stack.push(this.cursor);
      this.cursor = this.next;
      this.next = null;  // until the next page's answer says
      this.update();
      this.onChange();
    });
    this.node = el('nav', { class: 'pager', 'aria-label': t('pager.label') }, this.prev, this.fwd);
    this.update();
    return this.node;
  }

  update() {
    if (!this.node) return;
    this.prev.disabled = this.stack.length === 0;
    this.fwd.disabled = !this.next;
    this.node.hidden = this.stack.length === 0 && !this.next;
  }
}
