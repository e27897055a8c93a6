// Inbox page time for bench/api.bench.sh: Debian's chromium through playwright-core (from
// tests/e2e/node_modules). Logs in once through the login form, then RUNS times loads
// about:blank and navigates to /#/inbox; an init script's MutationObserver records
// performance.now() (milliseconds since navigation start) when the list's rows are in the DOM.
//   node bench/api_web.mjs BASE_URL USER PASSWORD RUNS
//   -> {"rows": N, "times": [ms, ...], "listStarts": [...], "listTook": [...]}
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'tests', 'e2e', 'package.json'));
const { chromium } = require('playwright-core');

const [base, user, password, runsText] = process.argv.slice(2);
const runs = Number(runsText || 20);

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
  await page.goto(`${base}/`);
  await page.fill('#username', user);
  await page.fill('#password', password);
  await page.click('#login-form button[type=submit]');
  await page.waitForFunction(() => window.__inboxAt !== undefined || document.querySelector('#logout'));
  const times = [];
  const listStarts = []; // when the page asked for /api/v1/faxes (ms since navigation start)
  const listTook = [];    // and how long that request took
  let rows = 0;
  for (let i = 0; i < runs; i++) {
    await page.goto('about:blank');
    await page.goto(`${base}/#/inbox`);
    await page.waitForFunction(() => window.__inboxAt !== undefined, null, { timeout: 30000 });
    const r = await page.evaluate(() => {
      const list = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/v1/faxes?'));
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
}
