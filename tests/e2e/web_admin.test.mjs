// The web UI in a real browser against two faxd on loopback (lib/web_pair.mjs), the UI files'
// caching and what each role manages: API tokens and webhooks made with the keyboard on a phone,
// a company admin's virtual faxes and users (and no brand pages), the platform admin's brands and
// users, a brand admin's companies, carriers, routes and DDIs, and a brand's own look.
// Set FAXD_SCREENSHOTS=DIR to also save screenshots of the main pages (docs/screenshots/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { call } from './lib/tenant.mjs';
import { axeFindings } from './lib/axe.mjs';
import { nav, navLinks, shot, until } from './lib/browser.mjs';
import { useWebPair } from './lib/web_pair.mjs';

// A 16x16 PNG (a brand's logo).
const LOGO_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFklEQVR4nGPoErUgCTGMahjVMHw1AACgV9cBst8YlAAAAABJRU5ErkJggg==', 'base64');
let tx, rx, txTenant, rxTenant, browser, loginAs;
useWebPair((w) => ({ tx, rx, txTenant, rxTenant, browser, loginAs } = w));

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

test('a page whose data comes late never draws over the page the user went on to', async () => {
  const { page, context, problems } = await loginAs('demo', 'demo');
  try {
    // My account's data (/me) is held until the user has gone on to Sent.
    let release;
    const held = new Promise((r) => { release = r; });
    let asked = false;
    await page.route('**/api/v1/me', async (r) => { asked = true; await held; await r.continue(); });
    await page.evaluate(() => { location.hash = '#/account'; });
    await until('My account to ask for its data', () => asked);
    await page.evaluate(() => { location.hash = '#/sent'; });
    await page.locator('#main h1', { hasText: 'Sent' }).waitFor();
    const late = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/me');
    release();
    await late;
    // The late answer is read and handled within a few event-loop turns; give it plenty.
    await page.evaluate(() => new Promise((r) => setTimeout(r, 1000)));
    assert.deepEqual(await page.locator('#main h1').allTextContents(), ['Sent'],
      'My account, drawn late, does not replace the Sent page');
    assert.equal(await page.locator('#nav a[aria-current=page]').textContent(), 'Sent');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the web UI, role by role', { concurrency: true }, async (t) => {
  await Promise.all([
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
