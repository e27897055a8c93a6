// A generic page for one REST collection: the whole list (search, count, sort, CSV: DataTable),
// a form to create or edit one object (fields labelled, every rule in the hint, API errors in
// the field's own words next to it), delete with a confirmation and its error in red beside the
// row. Each admin page (brands, companies, users, carriers, routes, DDIs, virtual faxes) is a
// description passed to resourcePage().
import { api, ApiError } from '../lib/api.js';
import { el, field, showError, confirmButton } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { errorText } from '../lib/errors.js';
import { DataTable } from '../lib/table.js';

// Every text of a def is a catalogue key (web/i18n/en.js), looked up when the page is drawn:
// def: {path, key (the catalogue prefix: KEY.title, KEY.new, KEY.edit, KEY.empty, KEY.saved,
//       KEY.created, KEY.deleted, KEY.edit_named, KEY.delete_named), intro (a key),
//       columns: [[label key, (obj, lookups) => text|Node, sort?(obj, lookups)]],
//       load(me, params) -> lookups, fields(lookups, obj|null, me, params) -> [field spec (texts already t()'d)],
//       canCreate(me), canEdit(me, obj), canDelete(me, obj),
//       filters: ['brand_id' | 'company_id'] the list may be narrowed by (#/companies?brand_id=…),
//       children(obj, me) -> [[label key, href]]: links to the lists its deletion needs emptied,
//       empty(lookups, me) -> Node|null shown above an empty list (a next step),
//       created(saved) -> Node shown after a create (e.g. a secret the API shows only once),
//       extra({obj, me, lookups, collect, fail}) -> Node added to the form (collect(): the body
//         the form would send; fail(e): show an error as the form does),
//       mapError(apiError) -> the error to show (e.g. {field, key, vars} for a sharper sentence),
//       above(lookups, me, narrow) -> Node|null shown above the list (e.g. the route tester)}
// field spec extras: number (send a number), nullable ('' means null), multiple (select
// multiple: an array), skipEmpty (leave out when empty, e.g. a password on edit), readonly
// (shown, never sent), showIf(values) (shown and sent only when it says so).
export function resourcePage(def) {
  return async (main, ctx) => {
    const me = ctx.me;
    const params = ctx.params || {};
    const narrow = Object.fromEntries((def.filters || []).filter((k) => params[k]).map((k) => [k, params[k]]));
    const lookups = def.load ? await def.load(me, narrow) : {};
    const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
    const formSlot = el('div');
    const canCreate = def.canCreate ? def.canCreate(me) : true;
    const canDelete = (obj) => (def.canDelete ? def.canDelete(me, obj) : true);
    const canEdit = (obj) => (def.canEdit ? def.canEdit(me, obj) : true);
    const nameOf = (obj) => {
      const v = def.columns[0][1](obj, lookups);
      return v instanceof Node ? v.textContent : String(v ?? '');
    };

    // Back to the row that was edited (or just created), its Edit button focused.
    const backTo = (key) => {
      const row = key && table.row(key);
      if (!row) return;
      row.scrollIntoView({ block: 'center' });
      (row.querySelector('.row-actions button') || row.querySelector('a'))?.focus();
    };

    const openForm = (obj) => {
      const specs = def.fields(lookups, obj, me, narrow);
      const fields = specs.map((s) => field({ ...s, value: obj && !s.keepValue ? (s.get ? s.get(obj) : obj[s.name]) : s.value }));
      const general = el('p', { class: 'error', role: 'alert' });
      const title = t(obj ? `${def.key}.edit` : `${def.key}.new`);
      const close = () => { formSlot.replaceChildren(); if (obj) backTo(obj.id); };
      // A page's own tools under the fields (a template's preview and test mail, say): they get
      // the body the form would send and a way to show an error like the form does.
      const extra = def.extra ? def.extra({ obj, me, lookups, collect: () => collect(),
        fail: (e) => showError(form, general, def.mapError ? def.mapError(e) : e) }) : null;
      const form = el('form', { class: 'card form', 'aria-label': title, novalidate: true },
        el('h2', {}, title), fields.map((f) => f.wrap), extra, general,
        el('div', { class: 'actions' },
          el('button', { type: 'submit' }, t(obj ? 'form.save' : 'form.create')),
          el('button', { type: 'button', class: 'secondary', onclick: close }, t('form.cancel'))));
      const values = () => Object.fromEntries(fields.map((f) => [f.spec.name,
        f.spec.type === 'checkbox' ? f.input.checked : f.spec.multiple ? [...f.input.selectedOptions].map((o) => o.value) : f.input.value]));
      const showOnly = () => {
        const v = values();
        for (const f of fields) if (f.spec.showIf) f.wrap.hidden = !f.spec.showIf(v);
      };
      form.addEventListener('change', showOnly);
      showOnly();
      // The body the API gets from this form.
      const collect = () => {
        const body = {};
        for (const f of fields) {
          const s = f.spec;
          if (s.readonly || f.wrap.hidden) continue;
          let v;
          if (s.type === 'checkbox') v = f.input.checked;
          else if (s.multiple) v = [...f.input.selectedOptions].map((o) => o.value);
          else v = f.input.value.trim();
          if (s.skipEmpty && v === '') continue;
          if (s.nullable && v === '') v = null;
          else if (s.number && v !== '') v = Number(v);
          body[s.name] = s.send ? s.send(v) : v;
        }
        return body;
      };
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const body = collect();
        try {
          const saved = obj ? await api.patch(`${def.path}/${obj.id}`, body) : await api.post(def.path, body);
          formSlot.replaceChildren();
          const once = !obj && def.created ? def.created(saved, () => formSlot.replaceChildren()) : null;
          if (def.after) await def.after(lookups);
          await reload();
          status.textContent = t(obj ? `${def.key}.saved` : `${def.key}.created`, { name: nameOf(saved) });
          if (once) {
            formSlot.replaceChildren(once);
            once.querySelector('input, button')?.focus();
          } else backTo(saved.id);
        } catch (e) {
          const err = e instanceof ApiError ? e : null;
          showError(form, general, err && def.mapError ? def.mapError(err) : err);
        }
      });
      formSlot.replaceChildren(form);
      form.scrollIntoView({ block: 'nearest' });
      const first = form.querySelector('input:not([readonly]), select, textarea');
      if (first) first.focus();
    };

    const rowActions = (obj) => {
      const name = nameOf(obj);
      const rowError = el('p', { class: 'error row-error', role: 'alert' });
      const children = def.children ? def.children(obj, me) : [];
      return [
        children.length ? el('span', { class: 'children' }, children.map(([label, href]) =>
          el('a', { href, 'aria-label': `${t(label)}: ${name}` }, t(label)))) : null,
        canEdit(obj) ? el('button', { type: 'button', class: 'secondary', 'aria-label': t(`${def.key}.edit_named`, { name }), onclick: () => openForm(obj) }, t('form.edit')) : null,
        canDelete(obj) ? confirmButton(t('form.delete'), t('form.delete_question'), async () => {
          try {
            await api.del(`${def.path}/${obj.id}`);
            status.textContent = t(`${def.key}.deleted`, { name });
            if (def.after) await def.after(lookups);
            await reload();
          } catch (e) { rowError.textContent = errorText(e); }
        }, 'danger', t(`${def.key}.delete_named`, { name })) : null,
        rowError];
    };

    const table = new DataTable({
      columns: def.columns.map(([label, value, sort], i) => ({ key: `c${i}`, label: t(label),
        value: (o) => value(o, lookups), sort: sort ? (o) => sort(o, lookups) : undefined })),
      rowActions: rowActions,
      caption: t(`${def.key}.title`),
      csvName: `${def.path.slice(1)}.csv`,
      searchText: (o) => [o.number, o.name, o.username, o.host, o.prefix, o.email].filter(Boolean).join(' '),
      empty: t(`${def.key}.empty`),
    });
    const nextStep = el('div');

    const reload = async () => {
      try {
        const items = await api.all(def.path, narrow);
        table.setRows(items);
        const step = items.length === 0 && def.empty ? def.empty(lookups, me) : null;
        nextStep.replaceChildren(...(step ? [step] : []));
      } catch (e) {
        table.body.replaceChildren(el('p', { class: 'error' }, errorText(e)));
      }
    };

    // "The companies of brand Acme — show all"
    const scopeNote = def.scopeNote ? def.scopeNote(narrow, lookups) : null;
    main.replaceChildren(el('section', { class: 'page' },
      el('div', { class: 'page-head' }, el('h1', {}, t(`${def.key}.title`)),
        canCreate ? el('button', { type: 'button', onclick: () => openForm(null) }, t(`${def.key}.new`)) : null),
      def.intro ? el('p', { class: 'muted' }, t(def.intro)) : null,
      scopeNote ? el('p', { class: 'notice scope-note' }, scopeNote, ' ',
        el('a', { href: `#/${def.route || def.path.slice(1)}` }, t('list.show_all'))) : null,
      def.above ? def.above(lookups, me, narrow) : null,
      status, nextStep, formSlot, table.node));
    await reload();
  };
}

// Helpers for pick-lists.
export const byId = (items) => Object.fromEntries(items.map((i) => [i.id, i]));
export const options = (items, label, none) =>
  [...(none !== undefined ? [['', none]] : []), ...items.map((i) => [i.id, label(i)])];
