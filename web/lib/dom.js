// DOM helpers: build elements without HTML strings (the CSP forbids inline code and styles),
// labelled form fields whose API errors show next to them, and small formatting helpers.
import { t, language } from './i18n.js';
import { errorText, fieldErrorText } from './errors.js';

export { formatBytes, formatTime, formatDuration } from './i18n.js';
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) if (c !== undefined && c !== null && c !== false) e.append(c);
  return e;
}

let fieldSeq = 0;

// A labelled input (or select/textarea/checkbox) with a slot for its error message.
// spec: {name, label, type, options: [[value, text]], required, value, hint, attrs}
export function field(spec) {
  const id = `f-${spec.name}-${++fieldSeq}`;
  const errId = `${id}-error`;
  const common = { id, name: spec.name, 'aria-describedby': errId, ...(spec.attrs || {}) };
  if (spec.required) common.required = true;
  let input;
  if (spec.type === 'select') {
    input = el('select', common, (spec.options || []).map(([v, t]) => el('option', { value: v }, t)));
    if (Array.isArray(spec.value)) for (const o of input.options) o.selected = spec.value.includes(o.value);
    else if (spec.value !== undefined && spec.value !== null) input.value = String(spec.value);
  } else if (spec.type === 'checkbox') {
    input = el('input', { ...common, type: 'checkbox' });
    input.checked = !!spec.value;
  } else if (spec.type === 'textarea') {
    input = el('textarea', common);
    input.value = spec.value ?? '';
  } else {
    input = el('input', { ...common, type: spec.type || 'text' });
    if (spec.value !== undefined && spec.value !== null) input.value = String(spec.value);
  }
  const error = el('p', { class: 'field-error', id: errId, 'aria-live': 'polite' });
  const clear = () => { error.textContent = ''; input.removeAttribute('aria-invalid'); };
  input.addEventListener('input', clear);
  input.addEventListener('change', clear);
  const hint = spec.hint ? el('p', { class: 'hint' }, spec.hint) : null;
  const wrap = spec.type === 'checkbox'
    ? el('div', { class: 'field check' }, input, el('label', { for: id }, spec.label), hint, error)
    : el('div', { class: 'field' }, el('label', { for: id }, spec.label), input, hint, error);
  wrap.dataset.field = spec.name;
  wrap.fieldSpec = spec;
  return { wrap, input, error, spec };
}

// Shows an error next to the field it names (in that field's own words: what to do), or in the
// form's general error slot. e: an ApiError, or {field, message} from a check in the page.
export function showError(form, generalSlot, e) {
  for (const p of form.querySelectorAll('.field-error')) p.textContent = '';
  for (const i of form.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
  generalSlot.textContent = '';
  const box = e && e.field ? form.querySelector(`.field[data-field="${CSS.escape(e.field)}"]`) : null;
  if (box) {
    box.querySelector('.field-error').textContent = fieldErrorText(e, box.fieldSpec);
    const input = box.querySelector('input, select, textarea');
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  } else {
    generalSlot.textContent = errorText(e);
  }
}

// Two-step button: the first click asks, the second (on "Yes") acts. No window.confirm().
// ariaLabel names what it acts on when many rows have the same button ("Delete token CI").
export function confirmButton(label, question, action, cls = 'danger', ariaLabel = null) {
  const box = el('span', { class: 'confirm' });
  const start = el('button', { type: 'button', class: cls, 'aria-label': ariaLabel }, label);
  const reset = () => box.replaceChildren(start);
  start.addEventListener('click', () => {
    const yes = el('button', { type: 'button', class: cls }, t('confirm.yes', { action: label.toLocaleLowerCase(language()) }));
    yes.addEventListener('click', action);
    const no = el('button', { type: 'button', class: 'secondary', onclick: reset }, t('confirm.no'));
    box.replaceChildren(el('span', { class: 'question' }, question), yes, no);
    yes.focus();
  });
  reset();
  return box;
}
