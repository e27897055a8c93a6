// The UI's words and formats. Every user-visible string is looked up by key:
//
//   t('fax.pages_of', { done: 2, total: 5 })      -> "2 of 5"
//   t('send.pages', { count: 3 })                 -> "3 pages" (plural forms by Intl.PluralRules)
//
// One catalogue per language in web/i18n/<code>.js (export default { key: text | {one, other} }),
// English complete, the others falling back to English key by key; adding a language is adding
// one file (faxd lists web/i18n/*.js in the generated module /i18n/index.js).
// The language is the user's own setting, else the company's language, else the browser's first
// language there is a catalogue for, else English. Dates and times are shown in the user's time
// zone, else the company's, else the browser's, in the chosen language's conventions (Intl).
import en from '../i18n/en.js';
import { languages as shipped } from '../i18n/index.js';

const state = {
  lang: 'en',
  messages: en,
  timeZone: undefined,  // undefined: the browser's
  plural: new Intl.PluralRules('en'),
};

// The languages there is a catalogue for (codes, "en" first).
export const languages = ['en', ...shipped.filter((c) => c !== 'en')];

// The best of the candidates (user's, company's, browser's), matched on the full tag and then
// on its first part ("es-MX" -> "es").
export function chooseLanguage(...candidates) {
  for (const list of candidates) {
    for (const tag of [].concat(list || [])) {
      if (!tag) continue;
      const lower = String(tag).toLowerCase();
      const exact = languages.find((l) => l.toLowerCase() === lower);
      if (exact) return exact;
      const base = languages.find((l) => l.toLowerCase() === lower.split('-')[0]);
      if (base) return base;
    }
  }
  return 'en';
}

export function browserLanguages() {
  return typeof navigator === 'undefined' ? [] : (navigator.languages || [navigator.language]);
}

export async function setLanguage(code) {
  const lang = chooseLanguage(code);
  let messages = en;
  if (lang !== 'en') {
    try {
      messages = (await import(`../i18n/${lang}.js`)).default;
    } catch {
      messages = en;
    }
  }
  state.lang = messages === en ? 'en' : lang;
  state.messages = messages;
  state.plural = new Intl.PluralRules(state.lang);
  if (typeof document !== 'undefined') document.documentElement.lang = state.lang;
  return state.lang;
}

// The signed-in user's language, else the company's, else the browser's; the user's time zone,
// else the company's, else the browser's. who: GET /me.
export async function applySettings(who) {
  const company = who.company || {};
  await setLanguage(chooseLanguage(who.language, company.language, browserLanguages()));
  setTimeZone(who.timezone || company.timezone || null);
}

export function language() {
  return state.lang;
}

// An IANA zone ("Europe/Madrid"); an unknown or empty one keeps the browser's.
export function setTimeZone(zone) {
  state.timeZone = undefined;
  if (!zone) return;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    state.timeZone = zone;
  } catch { /* not a zone this browser knows */ }
}

export function timeZone() {
  return state.timeZone || Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function lookup(key) {
  const m = state.messages[key];
  return m !== undefined ? m : en[key];
}

// True when the catalogue (or English) has the key.
export function has(key) {
  return lookup(key) !== undefined;
}

export function t(key, vars = {}) {
  let m = lookup(key);
  if (m === undefined) return key;
  if (typeof m === 'object') {
    const n = Number(vars.count ?? 0);
    m = (n === 0 && m.zero !== undefined) ? m.zero : (m[state.plural.select(n)] ?? m.other);
  }
  return m.replace(/\{(\w+)\}/g, (all, name) => {
    const v = vars[name];
    if (v === undefined || v === null) return all;
    return typeof v === 'number' ? formatNumber(v) : String(v);
  });
}

export function formatNumber(n, options = {}) {
  return new Intl.NumberFormat(state.lang, options).format(n);
}

// A date and time in the chosen zone: "5 dic 2026, 14:03".
export function formatTime(iso, options = { dateStyle: 'medium', timeStyle: 'short' }) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(state.lang, { ...options, timeZone: state.timeZone }).format(d);
}

export function formatDate(iso) {
  return formatTime(iso, { dateStyle: 'medium' });
}

// YYYY-MM-DD of an instant in the chosen zone (for <input type=date>).
export function isoDay(date) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: state.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(date);
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

// The UTC instant at which day YYYY-MM-DD starts in the chosen zone (for since/until filters).
export function dayStart(day) {
  const [y, mo, d] = day.split('-').map(Number);
  const guess = Date.UTC(y, mo - 1, d);
  // The zone's offset at that moment, found by formatting it there.
  const offset = (ms) => {
    const p = new Intl.DateTimeFormat('en-US', { timeZone: state.timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric',
      day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(ms));
    const g = (type) => Number(p.find((x) => x.type === type).value);
    return Date.UTC(g('year'), g('month') - 1, g('day'), g('hour') % 24, g('minute'), g('second')) - ms;
  };
  let ms = guess - offset(guess);
  ms = guess - offset(ms);
  return new Date(ms);
}

export function formatBytes(n) {
  if (n < 1024) return t('unit.bytes', { n: formatNumber(n) });
  if (n < 1024 * 1024) return t('unit.kb', { n: formatNumber(n / 1024, { maximumFractionDigits: 1 }) });
  return t('unit.mb', { n: formatNumber(n / 1024 / 1024, { maximumFractionDigits: 1 }) });
}

export function formatDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t('unit.seconds', { n: s });
  const m = Math.floor(s / 60);
  return s % 60 ? t('unit.min_seconds', { m, s: s % 60 }) : t('unit.minutes', { n: m });
}

// "about 45 s", "about 3 min": an estimate is not precise to the second.
export function aboutDuration(seconds) {
  return seconds < 60 ? t('unit.about_seconds', { n: Math.max(1, Math.round(seconds)) })
    : t('unit.about_minutes', { n: Math.round(seconds / 60) });
}

// A language's name in that language ("español"), for pickers.
export function languageName(code, inLang = code) {
  try {
    const name = new Intl.DisplayNames([inLang], { type: 'language' }).of(code);
    return name ? name.charAt(0).toLocaleUpperCase(inLang) + name.slice(1) : code;
  } catch {
    return code;
  }
}

// A country's name in the current language ("España"), for pickers.
export function countryName(code) {
  try {
    return new Intl.DisplayNames([state.lang], { type: 'region' }).of(code) || code;
  } catch {
    return code;
  }
}
