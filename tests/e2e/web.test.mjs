// The web UI in a real browser against real faxd processes on loopback:
//  - tx, the sender, with the demo tenant (company admin demo/demo, virtual fax "Demo fax" whose
//    DDI +15550000100 routes back to itself) and a provisioned tenant "tx" whose faxes go over a
//    carrier to rx (and numbers +1999... to a carrier that never answers);
//  - rx, the receiver, whose tenant "rx" has the DDI +15550002000 on the virtual fax "Reception".
// Set FAXD_SCREENSHOTS=DIR to also save screenshots of the main pages (docs/screenshots/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { startFaxd, launchBrowser, onePagePdf, textPdf } from './lib/faxd.mjs';
import { call, provision, blackHole, addRoute, sendFax } from './lib/tenant.mjs';
import { catalogue, englishMatchers, englishLeft, englishWords } from './lib/english.mjs';
import { axeFindings } from './lib/axe.mjs';

const RX_DDI = '+15550002000';
// A 16x16 PNG (a brand's logo).
const LOGO_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFklEQVR4nGPoErUgCTGMahjVMHw1AACgV9cBst8YlAAAAABJRU5ErkJggg==', 'base64');
const TX_DDI = '+15550001000';
let tx;
let rx;
let txTenant;
let rxTenant;
let hole;
let browser;
const shots = process.env.FAXD_SCREENSHOTS ? path.resolve(process.env.FAXD_SCREENSHOTS) : null;

before(async () => {
  [tx, rx] = await Promise.all([startFaxd({ demo: true }), startFaxd({ demo: false })]);
  ({ browser } = await launchBrowser());
  if (shots) mkdirSync(shots, { recursive: true });
  rxTenant = await provision(rx, { name: 'Receiver', peerSipPort: tx.sipPort, ddi: RX_DDI, vfaxName: 'Reception', user: 'rx' });
  txTenant = await provision(tx, { name: 'Sender', peerSipPort: rx.sipPort, ddi: '+15550001999', outgoingDdi: TX_DDI,
    vfaxName: 'Front office', user: 'tx' });
  hole = await blackHole();
  await addRoute(tx, txTenant, { prefix: '+1999', port: hole.port, name: 'Silent trunk', maxCalls: 1 });
});

after(async () => {
  if (browser) await browser.close();
  await Promise.all([tx, rx].filter(Boolean).map((d) => d.stop()));
  if (hole) hole.close();
});

async function shot(page, name) {
  if (shots) await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

async function loginAs(username, password, { on = tx, viewport = { width: 1200, height: 800 }, locale = 'en-US' } = {}) {
  const context = await browser.newContext({ viewport, acceptDownloads: true, locale });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`); });
  await page.goto(on.base + '/');
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  if (username === 'demo') await shot(page, 'login');
  await page.locator('#login-form button[type=submit]').click();
  await page.locator('#logout').waitFor();
  return { context, page, problems };
}

const navLinks = async (page) => page.locator('#nav a').allTextContents();
// Follows a menu link (on a phone, the menu opens first).
const nav = async (page, name) => {
  const toggle = page.locator('#menu-toggle');
  if (await toggle.isVisible()) await toggle.click();
  await page.locator('#nav').getByRole('link', { name, exact: true }).click();
};
const pdfPages = (bytes) => (bytes.toString('latin1').match(/\/Type\s*\/Page(?![a-z])/g) || []).length;

async function waitForStatus(page, text, timeout, d = tx) {
  try {
    await page.locator('[data-fact="Status"]').getByText(text).waitFor({ timeout });
  } catch (e) {
    console.log(`fax page: ${await page.locator('#main').innerText()}\nfaxd log:\n${d.log.join('').slice(-6000)}`);
    throw e;
  }
}

test('UI files: versioned URLs cached for good, everything else revalidates, so an upgrade never mixes old and new modules', { skip: !!process.env.E2E_WEB_DIR }, async () => {
  const revalidates = async (url) => {
    const first = await fetch(tx.base + url);
    assert.equal(first.status, 200, url);
    assert.equal(first.headers.get('cache-control'), 'no-cache', url);
    const etag = first.headers.get('etag');
    assert.match(etag ?? '', /^"[0-9a-f]+-[0-9a-f]+"$/, url);
    const body = await first.text();
    const again = await fetch(tx.base + url, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304, url);
    assert.equal((await again.arrayBuffer()).byteLength, 0);
    const other = await fetch(tx.base + url, { headers: { 'If-None-Match': '"0-0"' } });
    assert.equal(other.status, 200, `${url}: an old tag gets the new file`);
    return { body, headers: first.headers };
  };
  // index.html names every file by a versioned URL and maps the modules' plain imports to them.
  const { body: html, headers } = await revalidates('/');
  const map = html.match(/<script type="importmap">(.*?)<\/script>/s);
  assert.ok(map, 'index.html carries an import map');
  const imports = JSON.parse(map[1]).imports;
  for (const file of ['/app.js', '/lib/api.js', '/pages/faxes.js']) assert.match(imports[file] ?? '', new RegExp(`^${file}\\?v=[0-9a-f]{12}$`));
  assert.ok(html.includes(`<script type="module" src="${imports['/app.js']}">`), 'app.js by its versioned URL');
  assert.match(html, /<link rel="stylesheet" href="\/style\.css\?v=[0-9a-f]{12}">/);
  assert.ok(html.includes(`<link rel="modulepreload" href="${imports['/pages/faxes.js']}">`), 'modules preloaded at once');
  // The inline map is the only inline script the policy admits, by its hash.
  const hash = createHash('sha256').update(map[1]).digest('base64');
  assert.ok(headers.get('content-security-policy').includes(`script-src 'self' 'sha256-${hash}'`), headers.get('content-security-policy'));
  for (const url of Object.values(imports)) {
    const res = await fetch(tx.base + url);
    assert.equal(res.status, 200, url);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable', url);
    assert.match(res.headers.get('content-type'), /^text\/javascript/);
  }
  // Plain URLs and another build's versions revalidate.
  for (const url of ['/app.js', '/pages/faxes.js', '/style.css', '/app.js?v=000000000000']) await revalidates(url);
});

test('the web UI, role by role', { concurrency: true }, async (t) => {
  await Promise.all([
    t.test('a PDF sent through the form from one faxd to another: preview, delivered, opened by the receiver', async () => {
      const { page, context, problems } = await loginAs('tx', txTenant.password);
      await page.getByRole('link', { name: 'Send a fax' }).first().click();
      const files = page.getByLabel('Documents (PDF or TIFF, one or more)');
      // A broken document is named under the file field as soon as it is picked.
      await files.setInputFiles({ name: 'broken.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj\n<<') });
      const fileError = page.locator('.field[data-field="file"] .field-error');
      await fileError.getByText(/^broken\.pdf: /).waitFor();
      assert.equal(await files.getAttribute('aria-invalid'), 'true');
      assert.equal(await page.locator('#preview-thumbs').count(), 0);

      // Two pages: thumbnails and faxd's line-time estimate, before anything is sent.
      await files.setInputFiles({ name: 'report.pdf', mimeType: 'application/pdf', buffer: textPdf(['Quarterly report', 'faxd to faxd']) });
      await page.getByRole('img', { name: 'Page 2' }).waitFor();
      await page.waitForFunction(() => [...document.querySelectorAll('#preview-thumbs img')].every((i) => i.naturalWidth > 0));
      assert.equal(await page.locator('#preview-thumbs img').count(), 2);
      assert.doesNotMatch(await page.locator('#send-form').innerText(), /null|undefined|\[object/);
      assert.equal(await fileError.textContent(), '');
      assert.equal(await files.getAttribute('aria-invalid'), null);
      const estimate = await page.locator('#estimate').textContent();
      assert.match(estimate, /^2 pages: about \d+ (s|min) on the line\.$/);
      // Standard resolution: fewer coded lines, the estimate drops (or stays, rounded).
      const seconds = (text) => { const m = text.match(/about (\d+) (s|min)/); return Number(m[1]) * (m[2] === 'min' ? 60 : 1); };
      const previewDone = () => page.waitForFunction(() => !document.querySelector('.files[aria-busy]') &&
        /on the line\.$/.test(document.querySelector('#estimate')?.textContent ?? ''));
      await page.getByLabel('Quality').selectOption('standard');
      await previewDone();
      assert.ok(seconds(await page.locator('#estimate').textContent()) <= seconds(estimate));
      await page.getByLabel('Quality').selectOption('fine');
      await previewDone();
      assert.equal(await page.locator('#estimate').textContent(), estimate);

      await page.getByLabel('To (fax number)').fill('12345');
      await page.getByRole('button', { name: 'Send fax' }).click();
      // The API names the field: its message appears under "To", not somewhere else.
      const toError = page.locator('.field[data-field="to"] .field-error');
      await toError.waitFor();
      assert.match(await toError.textContent(), /^Enter a fax number of the chosen country, or \+ and the country code/);
      assert.equal(await page.getByLabel('To (fax number)').getAttribute('aria-invalid'), 'true');
      // A preview is not a fax: nothing was queued by picking files.
      assert.equal((await call(tx, 'GET', `/faxes?virtual_fax_id=${txTenant.vfax.id}`, { token: txTenant.token })).data.length, 0);

      await page.getByLabel('To (fax number)').fill(RX_DDI);
      // Named, not left at the first in the list: the Sent-list test adds a virtual fax to this
      // company meanwhile, and a fax sent from it would land in that test's list.
      await page.getByLabel('From virtual fax').selectOption(txTenant.vfax.id);
      await shot(page, 'send');
      await page.getByRole('button', { name: 'Send fax' }).click();
      await page.getByRole('heading', { name: `Fax to ${RX_DDI}` }).waitFor();
      assert.match(await page.locator('.notice').textContent(), /^Queued: 2 pages, about \d+ (s|min) on the line\.$/);
      await page.getByRole('img', { name: 'Page 2' }).waitFor();
      await page.waitForFunction(() => document.querySelector('.thumb img')?.naturalWidth > 0);
      // Live status: the page updates itself until the other faxd has taken the fax.
      await waitForStatus(page, 'Delivered', 170_000);
      assert.equal(await page.locator('[data-fact="Pages"]').textContent(), '2 of 2');
      assert.match(await page.locator('[data-fact="Connection"]').textContent(), /^T\.38, 14400 bit\/s/);
      assert.equal(await page.locator('[data-fact="From"]').textContent(), TX_DDI);
      assert.doesNotMatch(await page.locator('#main').innerText(), /null|undefined|\[object/);
      assert.equal(await page.getByRole('button', { name: 'Cancel' }).count(), 0, 'a delivered fax cannot be canceled');
      await shot(page, 'fax-delivered');
      await nav(page, 'Sent');
      await page.getByLabel('Virtual fax').selectOption({ label: 'Front office' });
      await page.locator('tr[data-status="delivered"]').first().waitFor();
      await shot(page, 'sent');
      assert.deepEqual(problems, []);
      await context.close();

      // The receiver's company admin finds it in the other faxd's inbox and opens the PDF.
      const r = await loginAs('rx', rxTenant.password, { on: rx });
      await nav(r.page, 'Inbox');
      const received = r.page.locator('tr[data-status="received"]').first();
      for (let i = 0; i < 30 && !(await received.count()); i++) {
        await r.page.waitForTimeout(1000);
        if (i % 5 === 4) await r.page.reload();
      }
      await received.waitFor();
      assert.equal(await received.locator('td[data-label="Pages"]').textContent(), '2');
      assert.equal(await received.locator('th[data-label="From"]').textContent(), TX_DDI);
      assert.equal(await received.locator('td[data-label="Virtual fax"]').textContent(), 'Reception');
      await shot(r.page, 'inbox');
      await received.getByRole('link').click();
      await r.page.getByRole('heading', { name: `Fax from ${TX_DDI}` }).waitFor();
      await r.page.waitForFunction(() => [...document.querySelectorAll('.thumb img')].length === 2 &&
        [...document.querySelectorAll('.thumb img')].every((i) => i.naturalWidth > 0));
      const [download] = await Promise.all([r.page.waitForEvent('download'),
        r.page.getByRole('link', { name: 'Download PDF' }).click()]);
      const pdf = readFileSync(await download.path());
      assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
      assert.equal(pdfPages(pdf), 2, 'the received PDF has both pages');
      const head = await r.page.evaluate(async () => {
        const id = location.hash.split('/')[2];
        const res = await fetch(`/api/v1/faxes/${id}/document`);
        return { type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition') };
      });
      assert.equal(head.type, 'application/pdf');
      assert.match(head.disposition, /^inline; filename="fax-.+\.pdf"$/);

      // Phone-sized: the inbox still reads (stacked rows) and the menu is reachable.
      const phone = await r.context.newPage();
      await phone.setViewportSize({ width: 390, height: 800 });
      await phone.goto(rx.base + '/#/inbox');
      await phone.locator('tr[data-status="received"]').first().waitFor();
      // The menu folds behind a button; the page's own Send link stays in view.
      assert.ok(await phone.locator('#main').getByRole('link', { name: 'Send a fax' }).isVisible());
      assert.equal(await phone.locator('#nav').isVisible(), false);
      await phone.getByRole('button', { name: 'Menu' }).click();
      assert.ok(await phone.locator('#nav').getByRole('link', { name: 'Sent', exact: true }).isVisible());
      await phone.locator('#nav').getByRole('link', { name: 'Sent', exact: true }).click();
      await phone.getByRole('heading', { name: 'Sent' }).waitFor();
      assert.equal(await phone.locator('#nav').isVisible(), false, 'a followed link folds the menu');
      await phone.goto(rx.base + '/#/inbox');
      await phone.locator('tr[data-status="received"]').first().waitFor();
      await shot(phone, 'inbox-phone');
      // The Send button stays in reach at the foot of the screen while the form scrolls.
      await phone.goto(rx.base + '/#/send');
      const sendButton = phone.locator('#send-submit');
      await sendButton.waitFor();
      assert.equal(await sendButton.evaluate((b) => getComputedStyle(b.parentElement).position), 'sticky');
      const box = await sendButton.boundingBox();
      assert.ok(box && box.y + box.height <= 800, `the Send button is on screen (${JSON.stringify(box)})`);
      await shot(phone, 'send-phone');
      assert.deepEqual(r.problems, []);
      await r.context.close();
    }),

    t.test('the Sent list pages through many faxes; a ringing and a queued fax are canceled', async () => {
      // 26 faxes to a carrier that never answers (one call at a time): more than a page of 25.
      const bulk = await call(tx, 'POST', '/virtual-faxes', { token: txTenant.token,
        body: { company_id: txTenant.company.id, name: 'Bulk', email: '', send_by_email: false } });
      const pdf = onePagePdf('bulk');
      const seeded = [];
      for (let i = 0; i < 26; i++) seeded.push((await sendFax(tx, txTenant.token, bulk.id, `+1999000${String(i).padStart(4, '0')}`, pdf)).id);

      const { page, context, problems } = await loginAs('tx', txTenant.password);
      await nav(page, 'Sent');
      await page.getByLabel('Virtual fax').selectOption({ label: 'Bulk' });
      const rows = page.locator('tbody tr[data-fax]');
      await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-fax]').length === 25);
      await page.locator('#faxes-count').getByText('26 in all').waitFor();
      const ids = async () => rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.fax));
      const first = await ids();
      assert.equal(await page.getByRole('button', { name: 'Previous page' }).isDisabled(), true);
      await page.getByRole('button', { name: 'Next page' }).click();
      await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-fax]').length === 1);
      const second = await ids();
      assert.equal(await page.getByRole('button', { name: 'Next page' }).isDisabled(), true);
      assert.deepEqual([...first, ...second].sort(), [...seeded].sort(), 'every fax once, newest first');
      assert.equal(second[0], seeded[0], 'the oldest is last');
      await page.getByRole('button', { name: 'Previous page' }).click();
      await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-fax]').length === 25);
      assert.deepEqual(await ids(), first);

      // The number and date filters, and CSV of everything the filters match (not one page).
      const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
      const lines = readFileSync(await csv.path(), 'utf8').replace(/^\ufeff/, '').trim().split(/\r\n/);
      assert.equal(lines[0], 'To,Virtual fax,Status,Pages,Time,Why');
      assert.equal(lines.length, 27, 'a heading and 26 faxes');
      await page.getByLabel('To number').fill('+1 999 000 0003');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-fax]').length === 1);
      assert.deepEqual(await ids(), [seeded[3]]);
      await page.locator('#faxes-count').getByText('1 in all').waitFor();
      await page.getByLabel('To number').fill('');
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC' }).format(new Date());
      await page.getByLabel('To day').fill('2020-01-01');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.getByText('Nothing matches the search.').waitFor();
      await page.getByLabel('From day').fill(today);
      await page.getByLabel('To day').fill(today);
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-fax]').length === 25);
      await page.getByLabel('From day').fill('');
      await page.getByLabel('To day').fill('');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-fax]').length === 25);

      // A ringing fax (the call is out, nobody answers): Cancel hangs up.
      const bulkFaxes = async () => (await call(tx, 'GET', `/faxes?virtual_fax_id=${bulk.id}&limit=100`, { token: txTenant.token })).data;
      // One whose call has just begun: each rings about 32 s (until SIP gives up on the silent
      // carrier), and the steps below need it ringing throughout, however slow the machine is.
      let ringing;
      for (let i = 0; i < 240 && !ringing; i++) {
        const calls = (await call(tx, 'GET', '/calls?result=running&limit=50', { token: txTenant.admin })).data;
        const fresh = calls.find((c) => c.virtual_fax_id === bulk.id && Date.now() - Date.parse(c.started_at) < 4000);
        if (fresh) ringing = (await bulkFaxes()).find((f) => f.id === fresh.fax_id && f.status === 'sending');
        if (!ringing) await page.waitForTimeout(250);
      }
      assert.ok(ringing, 'one fax is calling the silent carrier');
      await page.goto(`${tx.base}/#/fax/${ringing.id}`);
      await waitForStatus(page, 'Sending', 15_000);
      // Cancel asks first: "No" leaves the call alone.
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByText('Cancel this fax? A call in progress is hung up.').waitFor();
      await page.getByRole('button', { name: 'No', exact: true }).click();
      assert.equal((await call(tx, 'GET', `/faxes/${ringing.id}`, { token: txTenant.token })).status, 'sending');
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'Yes, cancel' }).click();
      await waitForStatus(page, 'Canceled', 40_000);
      assert.equal(await page.getByRole('button', { name: 'Cancel' }).count(), 0);
      await page.getByRole('button', { name: 'Resend' }).waitFor();

      // A queued one (waiting for the carrier's only line): canceled at once.
      const queued = (await bulkFaxes()).find((f) => f.status === 'queued');
      await page.goto(`${tx.base}/#/fax/${queued.id}`);
      await waitForStatus(page, 'Queued', 5_000);
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'Yes, cancel' }).click();
      await waitForStatus(page, 'Canceled', 10_000);
      assert.equal((await call(tx, 'GET', `/faxes/${queued.id}`, { token: txTenant.token })).status, 'canceled');
      assert.deepEqual(problems, []);
      await context.close();
    }),

    t.test('API tokens and webhooks: made with the keyboard on a phone, secrets shown once, deleted', async () => {
      const { page, context, problems } = await loginAs('rx', rxTenant.password, { on: rx, viewport: { width: 390, height: 800 } });
      assert.deepEqual(await navLinks(page), ['Send a fax', 'Inbox', 'Sent', 'Virtual faxes', 'DDIs', 'Users', 'Mail templates', 'Cover page', 'Calls', 'Call reports', 'Audit log', 'API tokens', 'Webhooks']);
      await nav(page, 'API tokens');
      await page.getByRole('heading', { name: 'API tokens' }).waitFor();
      // Keyboard only: the form opens on Enter with its field focused, Enter creates.
      await page.getByRole('button', { name: 'New token' }).focus();
      await page.keyboard.press('Enter');
      await page.getByLabel('Name').waitFor();
      await page.keyboard.type('billing script');
      await page.keyboard.press('Enter');
      const secret = page.getByLabel('Your new token');
      await secret.waitFor();
      assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label') ?? document.activeElement.labels?.[0]?.textContent), 'Your new token');
      const token = await secret.inputValue();
      assert.ok(token.length >= 20, token);
      const me = await fetch(`${rx.base}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(me.status, 200);
      assert.equal((await me.json()).username, 'rx');
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'fits a phone');
      await shot(page, 'tokens-phone');
      await page.getByRole('button', { name: 'Done' }).click();
      assert.equal(await secret.count(), 0, 'the token is not shown again');
      const row = page.locator('tbody tr', { hasText: 'billing script' });
      await row.waitFor();
      assert.doesNotMatch(await page.locator('#main').innerText(), new RegExp(token));
      await page.getByRole('button', { name: 'Delete token billing script' }).click();
      await page.getByRole('button', { name: 'Yes, delete' }).click();
      await row.waitFor({ state: 'detached' });
      assert.equal((await fetch(`${rx.base}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } })).status, 401);

      await nav(page, 'Webhooks');
      await page.getByRole('button', { name: 'New webhook' }).click();
      await page.getByLabel('URL').fill('ftp://example.com/x');
      await page.getByRole('button', { name: 'Create' }).click();
      await page.locator('.field[data-field="url"] .field-error').getByText(/http/).waitFor();
      await page.getByLabel('URL').fill('https://example.com/faxd-events');
      await page.getByLabel(/^Events/).selectOption(['fax.delivered', 'fax.failed']);
      await page.getByRole('button', { name: 'Create' }).click();
      const signing = page.getByLabel('Signing secret', { exact: true });
      await signing.waitFor();
      assert.match(await signing.inputValue(), /^whsec_/);
      await page.getByRole('button', { name: 'Done' }).click();
      const hook = page.locator('tbody tr', { hasText: 'https://example.com/faxd-events' });
      await hook.waitFor();
      assert.equal(await hook.locator('td[data-label="Events"]').textContent(), 'fax.delivered, fax.failed');
      const listed = await page.evaluate(async () => (await (await fetch('/api/v1/webhooks')).json()).data);
      assert.equal(listed.length, 1);
      assert.equal(listed[0].secret, undefined, 'the secret is write only');
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'fits a phone');
      await page.getByRole('button', { name: 'Delete webhook https://example.com/faxd-events' }).click();
      await page.getByRole('button', { name: 'Yes, delete' }).click();
      await hook.waitFor({ state: 'detached' });
      assert.deepEqual(problems, []);
      await context.close();
    }),

    t.test('a fax to a number not in service fails with a reason in plain words; resend and delete', async () => {
      const { page, context, problems } = await loginAs('demo', 'demo');
      await page.goto(`${tx.base}/#/send`);
      await page.getByLabel('To (fax number)').fill('+15550000199');
      await page.getByLabel('Quality').selectOption('standard');
      await page.getByLabel('Documents (PDF or TIFF, one or more)').setInputFiles([
        { name: 'a.pdf', mimeType: 'application/pdf', buffer: onePagePdf('first') },
        { name: 'b.pdf', mimeType: 'application/pdf', buffer: onePagePdf('second') }]);
      await page.getByRole('img', { name: 'Page 2' }).waitFor();
      assert.match(await page.locator('#estimate').textContent(), /^2 pages: about \d+ (s|min) on the line\.$/);
      await page.getByRole('button', { name: 'Send fax' }).click();
      await page.getByRole('heading', { name: 'Fax to +15550000199' }).waitFor();
      await page.locator('[data-fact="Status"]').getByText('Failed').waitFor({ timeout: 120_000 });
      const why = await page.locator('[data-fact="Why"]').textContent();
      assert.match(why, /^The call was refused by the other side or the carrier\./);
      assert.equal(await page.getByRole('img', { name: /^Page / }).count(), 2);
      // The old fax's page stays until the new one renders: wait for it to go, or "Failed"
      // below would be read off the first fax and the Delete clicked on a page about to vanish.
      const firstPage = await page.locator('h1').elementHandle();
      await page.getByRole('button', { name: 'Resend' }).click();
      await page.waitForFunction((h) => !h.isConnected, firstPage);
      await page.locator('[data-fact="Status"]').getByText('Failed').waitFor({ timeout: 120_000 });
      await shot(page, 'fax-failed');
      await page.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('button', { name: 'Yes, delete' }).click();
      await page.getByRole('heading', { name: 'Sent' }).waitFor();
      await page.getByLabel('Status').selectOption('failed');
      await page.locator('tr[data-status="failed"]').first().waitFor();
      assert.equal(await page.locator('tr[data-status="failed"]').count(), 1, 'the resent fax is gone, the first is kept');
      assert.deepEqual(problems, []);
      await context.close();
    }),

    t.test('in Spanish: the inbox, the send form and a failed fax, no English string left; languages by user, company, browser', async () => {
      const [en, es] = [await catalogue('en'), await catalogue('es')];
      const english = englishMatchers(en, es);
      // On rx: a virtual fax "Recepción" with its own DDI, and a plain user linked to it (so the
      // other tests' faxes stay out of her lists).
      const RX_ES_DDI = '+15550002001';
      const admin = (method, p, body) => call(rx, method, p, { token: rxTenant.admin, body });
      const vfax = await call(rx, 'POST', '/virtual-faxes', { token: rxTenant.token,
        body: { company_id: rxTenant.company.id, name: 'Recepción', email: '', send_by_email: false } });
      const ddi = await admin('POST', '/ddis', { brand_id: rxTenant.brand.id, company_id: rxTenant.company.id, number: RX_ES_DDI });
      await call(rx, 'PATCH', `/ddis/${ddi.id}`, { token: rxTenant.token, body: { virtual_fax_id: vfax.id } });
      await call(rx, 'PATCH', `/virtual-faxes/${vfax.id}`, { token: rxTenant.token, body: { outgoing_ddi_id: ddi.id } });
      await call(rx, 'POST', '/users', { token: rxTenant.token,
        body: { username: 'maria', password: 'Qv7-Lupa-Nox-83', role: 'user', virtual_fax_ids: [vfax.id] } });
      // Her webhook: a receiver that takes the first POST and answers 500 to the rest.
      let posts = 0;
      const hookServer = http.createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(posts++ === 0 ? 200 : 500); res.end(); }); });
      await new Promise((r) => hookServer.listen(0, '127.0.0.1', r));
      const mariaToken = await call(rx, 'POST', '/login', { body: { username: 'maria', password: 'Qv7-Lupa-Nox-83' } });
      await call(rx, 'POST', '/webhooks', { token: mariaToken.token, body: { url: `http://127.0.0.1:${hookServer.address().port}/hook` } });
      // A fax for her, from tx's tenant (its own virtual fax, so tx's lists stay as the other tests expect).
      const txOffice = await call(tx, 'POST', '/virtual-faxes', { token: txTenant.token,
        body: { company_id: txTenant.company.id, name: 'Oficina', email: '', send_by_email: false } });
      await sendFax(tx, txTenant.token, txOffice.id, RX_ES_DDI, textPdf(['Factura', 'Recibo']));

      // The browser's language comes first on the login page; Spanish browser, Spanish page.
      const guest = await browser.newContext({ locale: 'es-ES' });
      const login = await guest.newPage();
      await login.goto(rx.base + '/');
      await login.getByRole('heading', { name: 'Entrar en faxd' }).waitFor();
      assert.equal(await login.evaluate(() => document.documentElement.lang), 'es');
      assert.deepEqual(await englishLeft(login, english), []);
      await guest.close();

      // Her own setting, chosen in My account, wins over the company's English.
      const { page, context, problems } = await loginAs('maria', 'Qv7-Lupa-Nox-83', { on: rx });
      assert.deepEqual(await navLinks(page), ['Send a fax', 'Inbox', 'Sent', 'API tokens', 'Webhooks']);
      await page.locator('#my-account').click();
      await page.getByRole('heading', { name: 'My account' }).waitFor();
      await page.getByLabel('Language', { exact: true }).selectOption('es');
      await page.getByLabel('Time zone', { exact: true }).selectOption('America/Mexico_City');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('heading', { name: 'Mi cuenta' }).waitFor();
      await page.getByText('Sus ajustes se han guardado.').waitFor();
      await shot(page, 'account-es');
      assert.deepEqual(await navLinks(page), ['Enviar un fax', 'Recibidos', 'Enviados', 'Tokens de API', 'Webhooks']);
      const me = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
      assert.equal(me.language, 'es');
      assert.equal(me.timezone, 'America/Mexico_City');

      // The inbox: the received fax, its date in her locale and time zone.
      await nav(page, 'Recibidos');
      await page.getByRole('heading', { name: 'Recibidos' }).waitFor();
      const row = page.locator('tr[data-status="received"]').first();
      for (let i = 0; i < 60 && !(await row.count()); i++) {
        await page.waitForTimeout(1000);
        if (i % 5 === 4) await page.reload();
      }
      await row.waitFor();
      const fax = (await page.evaluate(async () => (await fetch('/api/v1/faxes?direction=inbound')).json())).data[0];
      const when = new Intl.DateTimeFormat('es', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'America/Mexico_City' })
        .format(new Date(fax.created_at));
      assert.equal(await row.locator('td[data-label="Fecha"]').textContent(), when);
      assert.equal(await row.locator('.badge').textContent(), 'Recibido');
      assert.deepEqual(await englishLeft(page, english), [], 'inbox');
      assert.deepEqual(await englishWords(page, ['Recepción', 'faxd', 'maria']), [], 'inbox');
      await shot(page, 'inbox-es');

      // The send form: hints, the preview's estimate and an error, all Spanish.
      await nav(page, 'Enviar un fax');
      await page.getByLabel('Para (número de fax)').fill('12345');
      await page.getByLabel('Documentos (PDF o TIFF, uno o varios)').setInputFiles([
        { name: 'uno.pdf', mimeType: 'application/pdf', buffer: onePagePdf('uno') },
        { name: 'dos.pdf', mimeType: 'application/pdf', buffer: onePagePdf('dos') }]);
      await page.getByRole('img', { name: 'Página 2' }).waitFor();
      assert.match(await page.locator('#estimate').textContent(), /^2 páginas: unos \d+ (s|min) de línea\.$/);
      await page.getByRole('button', { name: 'Enviar fax' }).click();
      const toError = page.locator('.field[data-field="to"] .field-error');
      await toError.waitFor();
      assert.match(await toError.textContent(), /^Escriba un número de fax del país elegido, o \+ y el prefijo del país/);
      assert.deepEqual(await englishLeft(page, english), [], 'send form');
      // '(TO)': the country picker's Tonga, whose code reads as the English 'to'.
      assert.deepEqual(await englishWords(page, ['Recepción', 'faxd', 'maria', 'uno.pdf', 'dos.pdf', '(TO)']), [], 'send form');
      await shot(page, 'send-es');

      // A fax to a number tx does not have: refused, and the page says why in Spanish.
      await page.getByLabel('Para (número de fax)').fill('+15550001555');
      await page.getByRole('button', { name: 'Enviar fax' }).click();
      await page.getByRole('heading', { name: 'Fax a +15550001555' }).waitFor();
      await waitForStatus(page, 'Fallido', 120_000, rx);
      assert.match(await page.locator('[data-fact="Why"]').textContent(), /^El otro extremo o el operador rechazó la llamada\./);
      await page.locator('#fax-calls').waitFor();
      assert.deepEqual(await englishLeft(page, english), [], 'failed fax');
      assert.deepEqual(await englishWords(page, ['Recepción', 'faxd', 'maria', 'Receiver peer']), [], 'failed fax');
      await shot(page, 'fax-failed-es');

      // Her webhook page says what reached her server and what did not, with the answer.
      for (let i = 0; i < 60 && posts < 2; i++) await page.waitForTimeout(500);
      await nav(page, 'Webhooks');
      const hook = page.locator('tbody tr').first();
      await hook.locator('details.deliveries summary').getByText(/^1 entregada, /).waitFor();
      assert.equal(await hook.locator('details.deliveries').getAttribute('class'), 'deliveries failing');
      await hook.locator('details.deliveries summary').click();
      await hook.locator('li[data-status="pending"]').first().getByText(/HTTP 500/).waitFor();
      assert.deepEqual(await englishLeft(page, english), [], 'webhooks');
      hookServer.close();
      assert.deepEqual(problems, []);
      await context.close();

      // No setting of her own: the company's language (a Spanish company, an English browser).
      const clinic = await admin('POST', '/companies', { brand_id: rxTenant.brand.id, name: 'Clínica Recepción Nº 5',
        timezone: 'Europe/Madrid', language: 'es' });
      await admin('POST', '/users', { username: 'jose', password: 'Jx4-Pelo-Nube-29', role: 'company_admin',
        brand_id: rxTenant.brand.id, company_id: clinic.id });
      const jose = await loginAs('jose', 'Jx4-Pelo-Nube-29', { on: rx });
      await jose.page.getByRole('heading', { name: 'Enviar un fax' }).waitFor();
      await jose.page.getByRole('link', { name: 'Crear un fax virtual' }).click();
      await jose.page.getByRole('heading', { name: 'Faxes virtuales' }).waitFor();
      assert.deepEqual(jose.problems, []);
      await jose.context.close();
    }),

    t.test('axe-core finds no serious or critical issue on any page of any role, on a desk and on a phone', async () => {
      // A brand admin and a plain user of the tx tenant, and a fax to look at.
      await call(tx, 'POST', '/users', { token: txTenant.admin,
        body: { username: 'txbrand', password: 'Tb8-brand-Roca-51', role: 'brand_admin', brand_id: txTenant.brand.id } });
      const checks = await call(tx, 'POST', '/virtual-faxes', { token: txTenant.token,
        body: { company_id: txTenant.company.id, name: 'Checks', email: '', send_by_email: false } });
      await call(tx, 'POST', '/users', { token: txTenant.token,
        body: { username: 'txclerk', password: 'Tc2-clerk-Pino-64', role: 'user', virtual_fax_ids: [checks.id] } });
      // rx has no such number: the fax fails at once, with a reason and a call to show.
      const fax = await sendFax(tx, txTenant.token, checks.id, '+15550001777', onePagePdf('axe'));
      const findings = [];
      const check = async (page, where) => {
        for (const f of await axeFindings(page)) findings.push(`${where}: ${f}`);
      };
      const guest = await browser.newContext();
      const login = await guest.newPage();
      await login.goto(tx.base + '/');
      await login.locator('#login-form').waitFor();
      await check(login, 'login');
      await guest.close();
      const roles = [['admin', 'admin-e2e'], ['txbrand', 'Tb8-brand-Roca-51'], ['tx', txTenant.password], ['txclerk', 'Tc2-clerk-Pino-64']];
      for (const [user, password] of roles) {
        for (const viewport of [{ width: 1200, height: 800 }, { width: 390, height: 800 }]) {
          const { page, context, problems } = await loginAs(user, password, { viewport });
          const routes = await page.locator('#nav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
          routes.push('#/account');
          if (user !== 'admin') routes.push(`#/fax/${fax.id}`);
          for (const route of routes) {
            await page.goto(`${tx.base}/${route}`);
            await page.locator('#main h1').first().waitFor();
            await page.waitForLoadState('networkidle').catch(() => {});
            await check(page, `${user} ${viewport.width}px ${route}`);
          }
          if (viewport.width < 500) {
            await page.getByRole('button', { name: 'Menu' }).click();
            await check(page, `${user} phone menu`);
          }
          assert.deepEqual(problems, []);
          await context.close();
        }
      }
      assert.deepEqual(findings, []);
    }),

    t.test('a company admin edits a virtual fax, adds a user and sees no brand pages', async () => {
      const { page, context, problems } = await loginAs('demo', 'demo');
      const links = await navLinks(page);
      assert.deepEqual(links, ['Send a fax', 'Inbox', 'Sent', 'Virtual faxes', 'DDIs', 'Users', 'Mail templates', 'Cover page', 'Calls', 'Call reports', 'Audit log', 'API tokens', 'Webhooks']);
      for (const brandPage of ['carriers', 'routes', 'companies', 'brands']) {
        await page.goto(`${tx.base}/#/${brandPage}`);
        await page.getByRole('heading', { name: 'Not available' }).waitFor();
      }
      // The API agrees: carriers are not the company admin's business.
      assert.equal(await page.evaluate(async () => (await fetch('/api/v1/carriers')).status), 403);

      await page.locator('#nav').getByRole('link', { name: 'Virtual faxes', exact: true }).click();
      await page.getByRole('button', { name: 'Edit virtual fax Demo fax' }).click();
      await page.getByLabel('Email address').fill('not-an-address');
      await page.getByRole('button', { name: 'Save' }).click();
      const emailError = page.locator('.field[data-field="email"] .field-error');
      await emailError.waitFor();
      await page.getByLabel('Name', { exact: true }).fill('Front desk');
      await page.getByLabel('Email address').fill('frontdesk@example.com');
      await page.getByLabel('Email received faxes to this address').check();
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('cell', { name: 'frontdesk@example.com' }).waitFor();
      const row = page.locator('tbody tr', { hasText: 'Front desk' });
      assert.equal(await row.locator('td[data-label="Send by email"]').textContent(), 'Yes');
      assert.equal(await row.locator('td[data-label="Receives on"]').textContent(), '+15550000100');
      const saved = await page.evaluate(async () => (await (await fetch('/api/v1/virtual-faxes')).json()).data[0]);
      assert.equal(saved.name, 'Front desk');
      assert.equal(saved.email, 'frontdesk@example.com');
      assert.equal(saved.send_by_email, true);
      await shot(page, 'virtual-faxes');

      await page.locator('#nav').getByRole('link', { name: 'DDIs', exact: true }).click();
      await page.getByRole('cell', { name: 'Front desk' }).waitFor();

      // A plain user linked to the virtual fax: sends and receives, manages nothing.
      await page.locator('#nav').getByRole('link', { name: 'Users', exact: true }).click();
      await page.getByRole('button', { name: 'New user' }).click();
      await page.getByLabel('Username').fill('clerk');
      await page.getByLabel('Password').fill('Kx4-Vorn-Tepa-61');
      await page.getByLabel('Role').selectOption('user');
      await page.getByLabel(/^Virtual faxes/).selectOption({ label: 'Front desk' });
      await page.getByRole('button', { name: 'Create' }).click();
      await page.getByRole('rowheader', { name: 'clerk' }).waitFor();
      const clerk = await loginAs('clerk', 'Kx4-Vorn-Tepa-61');
      assert.deepEqual(await navLinks(clerk.page), ['Send a fax', 'Inbox', 'Sent', 'API tokens', 'Webhooks']);
      await clerk.page.goto(`${tx.base}/#/virtual-faxes`);
      await clerk.page.getByRole('heading', { name: 'Not available' }).waitFor();
      await clerk.page.goto(`${tx.base}/#/send`);
      await clerk.page.getByRole('heading', { name: 'Send a fax' }).waitFor();
      assert.equal(await clerk.page.getByText('You have no virtual fax to send from yet.').count(), 0);
      assert.deepEqual(await clerk.page.getByLabel('From virtual fax').locator('option').allTextContents(), ['Front desk']);
      // The session ends (cookie gone): the next page asks to log in again.
      await clerk.context.clearCookies();
      await clerk.page.locator('#nav').getByRole('link', { name: 'Inbox', exact: true }).click();
      await clerk.page.getByRole('heading', { name: 'Log in to faxd' }).waitFor();
      assert.equal(await clerk.page.locator('#login-error').textContent(), 'Your session ended. Log in again.');
      assert.equal(await clerk.page.locator('#nav a').count(), 0);
      assert.deepEqual(clerk.problems, []);
      await clerk.context.close();

      await page.locator('#logout').click();
      await page.getByRole('heading', { name: 'Log in to faxd' }).waitFor();
      assert.equal(await page.evaluate(async () => (await fetch('/api/v1/me')).status), 401);
      assert.deepEqual(problems, []);
      await context.close();
    }),

    t.test('the platform admin creates a brand and its admin, who sets up carriers and routes', async () => {
      const admin = await loginAs('admin', 'admin-e2e');
      assert.deepEqual(await navLinks(admin.page), ['Brands', 'Companies', 'Carriers', 'Routes', 'DDIs', 'Users', 'Mail templates', 'Calls', 'Audit log', 'API tokens', 'Webhooks']);
      await admin.page.getByRole('button', { name: 'New brand' }).click();
      await admin.page.getByLabel('Name', { exact: true }).fill('Acme Fax');
      await admin.page.getByRole('button', { name: 'Create' }).click();
      await admin.page.getByRole('rowheader', { name: 'Acme Fax' }).waitFor();
      await shot(admin.page, 'brands');
      await admin.page.locator('#nav').getByRole('link', { name: 'Users', exact: true }).click();
      await admin.page.getByRole('button', { name: 'New user' }).click();
      await admin.page.getByLabel('Username').fill('acme');
      await admin.page.getByLabel('Password').fill('Zq9-Brel-Omad-27');
      await admin.page.getByLabel('Brand', { exact: true }).selectOption({ label: 'Acme Fax' });
      await admin.page.getByRole('button', { name: 'Create' }).click();
      await admin.page.getByRole('rowheader', { name: 'acme' }).waitFor();
      assert.deepEqual(admin.problems, []);
      await admin.context.close();

      const { page, context, problems } = await loginAs('acme', 'Zq9-Brel-Omad-27');
      assert.deepEqual(await navLinks(page), ['Companies', 'Virtual faxes', 'Carriers', 'Routes', 'DDIs', 'Users', 'Inbox', 'Sent', 'Look', 'Mail templates', 'Calls', 'Call reports', 'Audit log', 'API tokens', 'Webhooks']);
      await page.goto(`${tx.base}/#/brands`);
      await page.getByRole('heading', { name: 'Not available' }).waitFor();

      await page.locator('#nav').getByRole('link', { name: 'Companies', exact: true }).click();
      await page.getByRole('button', { name: 'New company' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Smith & Co');
      await page.getByRole('button', { name: 'Create' }).click();
      await page.getByRole('rowheader', { name: 'Smith & Co' }).waitFor();

      await page.locator('#nav').getByRole('link', { name: 'Carriers', exact: true }).click();
      await page.getByRole('button', { name: 'New carrier' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Audio only trunk');
      await page.getByLabel('Host').fill('192.0.2.10');
      await page.getByLabel(/Supports T\.38/).uncheck();
      await page.getByRole('button', { name: 'Create' }).click();
      const carrier = page.locator('tbody tr', { hasText: 'Audio only trunk' });
      await carrier.waitFor();
      assert.equal(await carrier.locator('td[data-label="T.38"]').textContent(), 'No');
      assert.equal(await carrier.locator('td[data-label="Address"]').textContent(), '192.0.2.10:5060 (UDP)');
      await shot(page, 'carriers');

      await page.locator('#nav').getByRole('link', { name: 'Routes', exact: true }).click();
      await page.getByRole('button', { name: 'New route' }).click();
      await page.getByLabel('Number prefix').fill('+49');
      await page.getByLabel('Carrier', { exact: true }).selectOption({ label: 'Audio only trunk' });
      await page.getByLabel(/^Priority/).fill('2');
      await page.getByLabel(/^Weight/).fill('30');
      await page.getByRole('button', { name: 'Create' }).click();
      const route = page.locator('tbody tr', { hasText: '+49' });
      await route.waitFor();
      assert.equal(await route.locator('td[data-label="Carrier"]').textContent(), 'Audio only trunk');
      assert.equal(await route.locator('td[data-label="Weight"]').textContent(), '30');
      await shot(page, 'routes');

      await page.locator('#nav').getByRole('link', { name: 'DDIs', exact: true }).click();
      await page.getByRole('button', { name: 'New DDI' }).click();
      await page.getByLabel(/^Number/).fill('+4930123456');
      await page.getByLabel('Company').selectOption({ label: 'Smith & Co' });
      await page.getByRole('button', { name: 'Create' }).click();
      const ddi = page.locator('tbody tr', { hasText: '+4930123456' });
      await ddi.waitFor();
      assert.equal(await ddi.locator('td[data-label="Company"]').textContent(), 'Smith & Co');

      // The brand admin reaches a company's virtual faxes from its row.
      await page.locator('#nav').getByRole('link', { name: 'Companies', exact: true }).click();
      await page.getByRole('link', { name: 'Virtual faxes: Smith & Co' }).click();
      await page.getByText('The virtual faxes of company Smith & Co.').waitFor();
      await page.getByText('No virtual faxes yet.').waitFor();
      assert.deepEqual(problems, []);
      await context.close();

      // No dead ends for the platform admin: deleting a brand that still has companies says so
      // in red beside the row, and the row links to them.
      const again = await loginAs('admin', 'admin-e2e');
      const ap = again.page;
      const acmeRow = ap.locator('tbody tr', { hasText: 'Acme Fax' });
      await ap.getByRole('button', { name: 'Delete brand Acme Fax' }).click();
      await ap.getByRole('button', { name: 'Yes, delete' }).click();
      const rowError = acmeRow.locator('.row-error');
      await rowError.getByText('This brand still has companies: delete them first.').waitFor();
      assert.equal(await rowError.evaluate((e) => getComputedStyle(e).color), 'rgb(180, 35, 24)');
      await acmeRow.getByRole('link', { name: 'Companies: Acme Fax' }).click();
      await ap.getByText('The companies of brand Acme Fax.').waitFor();
      await ap.getByRole('rowheader', { name: 'Smith & Co' }).waitFor();
      assert.deepEqual(await ap.locator('tbody th').allTextContents(), ['Smith & Co']);
      await shot(ap, 'companies-of-brand');
      await ap.getByRole('link', { name: 'Show all' }).click();
      await ap.waitForFunction(() => document.querySelectorAll('tbody th').length > 1);  // all brands' companies

      // Lists: search by name or number, a count, sort by a column, CSV of what is shown.
      await ap.locator('#nav').getByRole('link', { name: 'Users', exact: true }).click();
      await ap.getByRole('rowheader', { name: 'acme' }).waitFor();
      const total = await ap.locator('tbody tr').count();
      assert.match(await ap.locator('.count').textContent(), new RegExp(`^${total} in all$`));
      await ap.getByLabel('Search').fill('ACME');
      await ap.locator('.count').getByText(`1 of ${total} match`).waitFor();
      assert.deepEqual(await ap.locator('tbody th').allTextContents(), ['acme']);
      assert.equal(await ap.locator('tbody td[data-label="Belongs to"]').textContent(), 'Acme Fax');
      assert.equal(await ap.locator('tbody td[data-label="May use"]').textContent(), 'Everything of the brand');
      await ap.getByLabel('Search').fill('');
      await ap.getByRole('button', { name: 'Username' }).click();
      assert.equal(await ap.locator('th[data-col="c0"]').getAttribute('aria-sort'), 'ascending');
      const names = await ap.locator('tbody th').allTextContents();
      assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base', numeric: true })));
      await ap.getByRole('button', { name: 'Username' }).click();
      assert.deepEqual(await ap.locator('tbody th').allTextContents(), [...names].reverse());
      const [csv] = await Promise.all([ap.waitForEvent('download'), ap.getByRole('button', { name: 'Download CSV' }).click()]);
      const lines = readFileSync(await csv.path(), 'utf8').replace(/^\ufeff/, '').trim().split(/\r\n/);
      assert.equal(lines[0], 'Username,Role,Belongs to,May use');
      assert.equal(lines.length, total + 1);
      assert.equal(csv.suggestedFilename(), 'users.csv');
      await shot(ap, 'users');

      // Editing a company admin keeps its role (shown, not offered as something else), and the
      // list keeps its place: back at the row, its Edit button focused.
      await ap.getByRole('button', { name: 'Edit user tx', exact: true }).click();
      assert.equal(await ap.getByLabel('Role').inputValue(), 'company_admin');
      assert.equal(await ap.getByLabel('Role').isDisabled(), true);
      await ap.getByRole('button', { name: 'Save' }).click();
      await ap.getByText('Saved user tx.').waitFor();
      assert.equal(await ap.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Edit user tx');
      assert.equal((await call(tx, 'GET', '/users?limit=500', { token: txTenant.admin })).data.find((u) => u.username === 'tx').role, 'company_admin');

      // The brand's own look, on its own host name: product name, logo and colours.
      await ap.locator('#nav').getByRole('link', { name: 'Brands', exact: true }).click();
      await ap.getByRole('link', { name: 'Look: Acme Fax' }).click();
      await ap.getByRole('heading', { name: 'How Acme Fax looks' }).waitFor();
      await ap.getByLabel('Product name').fill('Acme Fax Online');
      await ap.getByLabel('Host names').fill('acme.faxd.test');
      await ap.getByLabel('Logo').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: LOGO_PNG });
      await ap.locator('.look-preview img.logo[src^="data:image/png"]').waitFor();
      await ap.getByLabel('Use our own colours').check();
      await ap.getByLabel('Buttons and links').fill('#ffee00');
      await ap.getByRole('button', { name: 'Save' }).click();
      await ap.locator('.field[data-field="accent_color"] .field-error').getByText(/darker colour/).waitFor();
      await ap.getByLabel('Buttons and links').fill('#8a1538');
      await ap.getByLabel('Header').fill('#2b0a12');
      await ap.getByRole('button', { name: 'Save' }).click();
      await ap.getByText('The look is saved.').waitFor();
      await shot(ap, 'brand-look');
      assert.deepEqual(again.problems, []);
      await again.context.close();
      const port = new URL(tx.base).port;
      const branded = await browser.newContext();
      const bp = await branded.newPage();
      await bp.goto(`http://acme.faxd.test:${port}/`);
      await bp.getByRole('heading', { name: 'Log in to Acme Fax Online' }).waitFor();
      assert.equal(await bp.title(), 'Acme Fax Online');
      assert.ok(await bp.locator('.top .brand img.logo').isVisible());
      assert.equal(await bp.locator('.top').evaluate((e) => getComputedStyle(e).backgroundColor), 'rgb(43, 10, 18)');
      assert.equal(await bp.locator('#login-form button[type=submit]').evaluate((e) => getComputedStyle(e).backgroundColor), 'rgb(138, 21, 56)');
      assert.deepEqual(await axeFindings(bp), []);
      await shot(bp, 'login-brand');
      await branded.close();
      const plain = await browser.newContext();
      const pp = await plain.newPage();
      await pp.goto(`${tx.base}/`);
      await pp.getByRole('heading', { name: 'Log in to faxd' }).waitFor();
      await plain.close();
    }),
  ]);
});
