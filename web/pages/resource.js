// A generic page for one REST collection: a table with paging, a form to create or edit
// one object (fields labelled, API errors shown next to the field they name), delete with
// a confirmation. Each admin page (brands, companies, users, carriers, routes, DDIs,
// virtual faxes) is a description passed to resourcePage().
import { api, ApiError } from '../lib/api.js';
import { el, field, showError, confirmButton } from '../lib/dom.js';
import { Pager } from '../lib/pager.js';

// def: {path, title, singular, intro, columns: [[label, (obj, lookups) => text|Node]],
//       load(me) -> lookups, fields(lookups, obj|null, me) -> [field spec],
//       canCreate(me), canEdit(me), canDelete(me),
//       empty: text of an empty list,
//       created(saved) -> Node shown after a create (e.g. a secret the API shows only once)}
// field spec extras: number (send a number), nullable ('' means null), multiple (select
// multiple: an array), skipEmpty (leave out when empty, e.g. a password on edit).
export function resourcePage(def) {
  return async (main, ctx) => {
    const me = ctx.me;
    const lookups = def.load ? await def.load(me) : {};
    const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
    const formSlot = el('div');
    const tableSlot = el('div');
    const pager = new Pager(() => reload());
    const canCreate = def.canCreate ? def.canCreate(me) : true;
    const canDelete = def.canDelete ? def.canDelete(me) : true;
    const canEdit = def.canEdit ? def.canEdit(me) : true;

    const openForm = (obj) => {
      const specs = def.fields(lookups, obj, me);
      const fields = specs.map((s) => field({ ...s, value: obj ? (s.get ? s.get(obj) : obj[s.name]) : s.value }));
      const general = el('p', { class: 'error', role: 'alert' });
      const title = obj ? `Edit ${def.singular}` : `New ${def.singular}`;
      const form = el('form', { class: 'card form', 'aria-label': title, novalidate: true },
        el('h2', {}, title), fields.map((f) => f.wrap), general,
        el('div', { class: 'actions' },
          el('button', { type: 'submit' }, obj ? 'Save' : 'Create'),
          el('button', { type: 'button', class: 'secondary', onclick: () => formSlot.replaceChildren() }, 'Cancel')));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const body = {};
        for (const f of fields) {
          const s = f.spec;
          if (s.readonly) continue;
          let v;
          if (s.type === 'checkbox') v = f.input.checked;
          else if (s.multiple) v = [...f.input.selectedOptions].map((o) => o.value);
          else v = f.input.value.trim();
          if (s.skipEmpty && v === '') continue;
          if (s.nullable && v === '') v = null;
          else if (s.number && v !== '') v = Number(v);
          body[s.name] = v;
        }
        try {
          const saved = obj ? await api.patch(`${def.path}/${obj.id}`, body) : await api.post(def.path, body);
          formSlot.replaceChildren();
          status.textContent = `${obj ? 'Saved' : 'Created'} ${def.singular} ${saved.name || saved.username || saved.number || saved.url || ''}.`;
          const once = !obj && def.created ? def.created(saved, () => formSlot.replaceChildren()) : null;
          if (once) {
            formSlot.replaceChildren(once);
            once.querySelector('input, button')?.focus();
          }
          if (def.after) await def.after(lookups);
          await reload();
        } catch (e) {
          showError(form, general, e instanceof ApiError ? e : null);
        }
      });
      formSlot.replaceChildren(form);
      const first = form.querySelector('input:not([readonly]), select, textarea');
      if (first) first.focus();
    };

    const reload = async () => {
      try {
        const page = await api.get(def.path, { limit: 50, ...pager.params() });
        pager.next = page.next_cursor;
        if (page.data.length === 0) {
          tableSlot.replaceChildren(el('p', { class: 'muted' }, def.empty ?? `No ${def.title.toLowerCase()} yet.`));
          return;
        }
        const rows = page.data.map((obj) => el('tr', {},
          def.columns.map(([label, value], i) => el(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row', 'data-label': label } : { 'data-label': label },
            value(obj, lookups) ?? '')),
          el('td', { class: 'row-actions' },
            canEdit ? el('button', { type: 'button', class: 'secondary', 'aria-label': `Edit ${def.singular} ${def.columns[0][1](obj, lookups)}`, onclick: () => openForm(obj) }, 'Edit') : null,
            canDelete ? confirmButton('Delete', 'Delete it?', async () => {
              try {
                await api.del(`${def.path}/${obj.id}`);
                status.textContent = `Deleted ${def.singular}.`;
                if (def.after) await def.after(lookups);
                await reload();
              } catch (e) { status.textContent = e.message; }
            }, 'danger', `Delete ${def.singular} ${def.columns[0][1](obj, lookups)}`) : null)));
        tableSlot.replaceChildren(el('table', { class: 'list' },
          el('caption', { class: 'sr-only' }, def.title),
          el('thead', {}, el('tr', {}, def.columns.map(([label]) => el('th', { scope: 'col' }, label)),
            el('th', { scope: 'col' }, el('span', { class: 'sr-only' }, 'Actions')))),
          el('tbody', {}, rows)), pager.controls());
      } catch (e) {
        tableSlot.replaceChildren(el('p', { class: 'error' }, e.message));
      }
    };

    main.replaceChildren(el('section', { class: 'page' },
      el('div', { class: 'page-head' }, el('h1', {}, def.title),
        canCreate ? el('button', { type: 'button', onclick: () => openForm(null) }, `New ${def.singular}`) : null),
      def.intro ? el('p', { class: 'muted' }, def.intro) : null,
      status, formSlot, tableSlot));
    await reload();
  };
}

// Helpers for pick-lists.
export const byId = (items) => Object.fromEntries(items.map((i) => [i.id, i]));
export const options = (items, label, none) =>
  [...(none !== undefined ? [['', none]] : []), ...items.map((i) => [i.id, label(i)])];
