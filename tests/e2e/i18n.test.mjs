// The web UI's catalogues (web/i18n/*.js): every language has the keys English has, with the
// same variables and plural forms, and every key the UI's code names exists in English.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');
const load = async (code) => (await import(pathToFileURL(path.join(web, 'i18n', `${code}.js`)).href)).default;
const codes = readdirSync(path.join(web, 'i18n')).filter((f) => f.endsWith('.js') && f !== 'index.js').map((f) => f.slice(0, -3));
const vars = (m) => [...new Set(JSON.stringify(m).match(/\{\w+\}/g) || [])].sort();

test('English and Spanish are shipped', () => {
  assert.ok(codes.includes('en') && codes.includes('es'), codes.join(','));
});

test('every language has every English key, with the same variables and forms', async () => {
  const en = await load('en');
  for (const code of codes.filter((c) => c !== 'en')) {
    const other = await load(code);
    assert.deepEqual(Object.keys(en).filter((k) => !(k in other)), [], `${code}: missing keys`);
    assert.deepEqual(Object.keys(other).filter((k) => !(k in en)), [], `${code}: keys English does not have`);
    for (const [k, v] of Object.entries(en)) {
      assert.deepEqual(vars(other[k]), vars(v), `${code} ${k}: variables`);
      assert.equal(typeof other[k], typeof v, `${code} ${k}: plural forms or plain text`);
      if (typeof v === 'object') assert.ok('other' in other[k], `${code} ${k}: has "other"`);
    }
  }
});

test('every key named in the UI code is in the English catalogue', async () => {
  const en = await load('en');
  const files = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) { if (e.name !== 'i18n') walk(p); } else if (p.endsWith('.js')) files.push(p);
    }
  };
  walk(web);
  const missing = [];
  for (const f of files) {
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/\bt\('([a-z_0-9]+(?:\.[a-z_0-9]+)+)'/g)) if (!(m[1] in en)) missing.push(`${path.relative(web, f)}: ${m[1]}`);
  }
  assert.deepEqual(missing, []);
});
