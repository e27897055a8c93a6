// Inbox page time for bench/api.bench.sh: Debian's chromium through playwright-core (from
// tests/e2e/node_modules). Logs in once through the login form, then RUNS times loads
// about:blank and navigates to /#/inbox; an init script's MutationObserver records
// performance.now() (milliseconds since navigation start) when the list's rows are in the DOM.
//   node bench/api_web.mjs BASE_URL USER PASSWORD RUNS
//   -> {"rows": N, "times": [ms, ...], "listStarts": [...], "listTook": [...]}
// With BASE_URL "floor" it measures the same way a page that is as small as a page can be: one
// cached module that fetches 25 rows of JSON from a local Node server and puts them in a table.
// That is the browser's own cost on this machine, the anchor for faxd's inbox figure.
//   node bench/api_web.mjs floor - - RUNS
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'tests', 'e2e', 'package.json'));
const { chromium } = require('playwright-core');

const [baseArg, user, password, runsText] = process.argv.slice(2);
const runs = Number(runsText || 20);

// The floor page: index.html revalidates (like faxd's), the module is cached for good.
function floorServer() {
  const rows = JSON.stringify({ data: Array.from({ length: 25 }, (_, i) => ({ id: `fax${i}`, from: '+15550001000' })) });
  const files = {
    '/': ['text/html', 'no-cache', '<!doctype html><html><head><meta charset="utf-8"><title>floor</title>'
      + '<script type="module" src="/floor.js?v=1"></script></head><body><main id="main"></main></body></html>'],
    '/floor.js': ['text/javascript', 'public, max-age=31536000, immutable',
      "const page = await (await fetch('/rows.json')).json();\n"
      + "const table = document.createElement('table'); table.className = 'list';\n"
      + "const body = table.createTBody();\n"
      + "for (const f of page.data) { const tr = body.insertRow(); tr.dataset.fax = f.id; tr.insertCell().textContent = f.from; }\n"
      + "document.getElementById('main').replaceChildren(table);\n"],
    '/rows.json': ['application/json', 'no-store', rows],
  };
  const server = http.createServer((req, res) => {
    const [type, cache, body] = files[new URL(req.url, 'http://x').pathname] || [];
    if (!body) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': cache });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const floor = baseArg === 'floor' ? await floorServer() : null;
const base = floor ? `http://127.0.0.1:${floor.address().port}` : baseArg;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    const seen = () => {
      const rows = document.querySelectorAll('table.list tbody tr[data-fax]').length;
      if (rows > 0 && window.__inboxAt === undefined) {
        window.__inboxAt = performance.now();
        window.__inboxRows = rows;
      }
    };
    new MutationObserver(seen).observe(document, { childList: true, subtree: true });
  });
  if (floor) {
    await page.goto(`${base}/`);  // first load, so the module is in the cache as faxd's are
  } else {
    await page.goto(`${base}/`);
    await page.fill('#username', user);
    await page.fill('#password', password);
    await page.click('#login-form button[type=submit]');
    await page.waitForFunction(() => window.__inboxAt !== undefined || document.querySelector('#logout'));
  }
  const times = [];
  const listStarts = []; // when the page asked for /api/v1/faxes (ms since navigation start)
  const listTook = [];    // and how long that request took
  let rows = 0;
  for (let i = 0; i < runs; i++) {
    await page.goto('about:blank');
    await page.goto(`${base}/#/inbox`);
    await page.waitForFunction(() => window.__inboxAt !== undefined, null, { timeout: 30000 });
    const r = await page.evaluate(() => {
      const list = performance.getEntriesByType('resource').find((e) => /\/api\/v1\/faxes\?|rows\.json/.test(e.name));
      return { at: window.__inboxAt, rows: window.__inboxRows,
        listStart: list ? list.requestStart : null, listTook: list ? list.responseEnd - list.requestStart : null };
    });
    times.push(r.at);
    listStarts.push(r.listStart);
    listTook.push(r.listTook);
    rows = r.rows;
  }
  process.stdout.write(JSON.stringify({ rows, times, listStarts, listTook }));
} finally {
  await browser.close();
  if (floor) floor.close();
}
