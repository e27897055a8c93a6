// The mechanical check that a page speaks another language: every visible text node (and every
// text a screen reader or a tooltip shows: aria-label, alt, title, placeholder, <option>s and
// the document title) is matched against the English catalogue (web/i18n/en.js); a text that is
// an English message (variables as wildcards), or holds a sentence-long piece of one, is an
// English string left on the page. Messages that read the same in both languages ("Webhooks",
// "T.38") are not evidence and are skipped.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web');

export async function catalogue(code) {
  return (await import(pathToFileURL(path.join(web, 'i18n', `${code}.js`)).href)).default;
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// [{key, whole: RegExp, pieces: [string]}] for the English messages that differ in `other`.
export function englishMatchers(en, other) {
  const out = [];
  for (const [key, value] of Object.entries(en)) {
    const forms = typeof value === 'object' ? Object.values(value) : [value];
    const theirs = typeof other[key] === 'object' ? Object.values(other[key]) : [other[key]];
    for (const form of forms) {
      if (theirs.includes(form)) continue;
      const literal = form.split(/\{\w+\}/);
      if (literal.join('').replace(/[^A-Za-z]/g, '').length < 2) continue;  // "{n} s", "{count}"
      const whole = new RegExp(`^${literal.map(escape).join('.+?')}$`);
      const pieces = literal.map((p) => p.trim()).filter((p) => p.length >= 14 && /[a-z] [a-z]/i.test(p));
      out.push({ key, form, whole, pieces });
    }
  }
  return out;
}

export async function visibleTexts(page) {
  return page.evaluate(() => {
    const texts = [document.title];
    const shown = (e) => e && (e.checkVisibility ? e.checkVisibility() : e.offsetParent !== null);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const parent = n.parentElement;
      if (!parent || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(parent.tagName)) continue;
      if (parent.tagName === 'OPTION' ? shown(parent.closest('select')) : shown(parent)) texts.push(n.textContent);
    }
    for (const e of document.body.querySelectorAll('[aria-label], [alt], [title], [placeholder]')) {
      if (!shown(e) && !e.closest('[aria-hidden="true"]') && e.tagName !== 'IMG') continue;
      for (const a of ['aria-label', 'alt', 'title', 'placeholder']) if (e.getAttribute(a)) texts.push(e.getAttribute(a));
    }
    return texts.map((s) => s.replace(/\s+/g, ' ').trim()).filter(Boolean);
  });
}

// The English strings left on the page: [{text, key}].
export async function englishLeft(page, matchers) {
  const found = [];
  for (const text of await visibleTexts(page)) {
    const hit = matchers.find((m) => m.whole.test(text) || m.pieces.some((p) => text.includes(p)));
    if (hit) found.push({ text, key: hit.key });
  }
  return found;
}

// Common English words that no Spanish UI text has: catches a string that never went through
// the catalogue at all. data: texts the test itself put there (names, numbers), not UI words.
const ENGLISH_WORDS = /\b(the|your|yet|with|this|that|there|which|will|have|has|been|please|page|pages|send|sent|received|failed|delivered|queued|inbox|none|any|about|line|number|from|to|of|and|or)\b/i;

export async function englishWords(page, data = []) {
  const found = [];
  for (const text of await visibleTexts(page)) {
    let rest = text;
    for (const d of data) rest = rest.split(d).join(' ');
    if (ENGLISH_WORDS.test(rest)) found.push(text);
  }
  return found;
}
