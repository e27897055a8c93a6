// The web UI in a real browser against a real faxd (demo tenant: the company admin demo/demo
// has the virtual fax "Demo fax" whose DDI +15550000100 routes back to itself over T.38).
// Set FAXD_SCREENSHOTS=DIR to also save screenshots of the main pages (docs/screenshots/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { startFaxd, launchBrowser, onePagePdf } from './lib/faxd.mjs';

let faxd;
let browser;
const shots = process.env.FAXD_SCREENSHOTS ? path.resolve(process.env.FAXD_SCREENSHOTS) : null;

before(async () => {
  faxd = await startFaxd();
  ({ browser } = await launchBrowser());
  if (shots) mkdirSync(shots, { recursive: true });
});

after(async () => {
  if (browser) await browser.close();
  if (faxd) await faxd.stop();
});

async function shot(page, name) {
  if (shots) await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

async function loginAs(username, password, viewport = { width: 1200, height: 800 }) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`); });
  await page.goto(faxd.base + '/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  if (username === 'demo') await shot(page, 'login');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#logout').waitFor();
  return { context, page, problems };
}

const navLinks = async (page) => page.locator('#nav a').allTextContents();

test('the web UI, role by role', { concurrency: true }, async (t) => {
  await Promise.all([
    t.test('a company admin sends a PDF, watches it get delivered and opens the received fax', async () => {
      const { page, context, problems } = await loginAs('demo', 'demo');
      await page.getByRole('link', { name: 'Send a fax' }).first().click();
      await page.getByLabel('To (fax number)').fill('12345');
      await page.getByLabel('Documents (PDF or TIFF, one or more)').setInputFiles({
        name: 'letter.pdf', mimeType: 'application/pdf', buffer: onePagePdf() });
      await assert.doesNotReject(page.locator('.file-list').getByText('letter.pdf').waitFor());
      assert.match(await page.locator('#estimate').textContent(), /^1 page: about \d+ s on the line\.$/);
      await page.getByRole('button', { name: 'Send fax' }).click();
      // The API names the field: its message appears under "To", not somewhere else.
      const toError = page.locator('.field[data-field="to"] .field-error');
      await toError.waitFor();
      assert.match(await toError.textContent(), /E\.164/);
      assert.equal(await page.getByLabel('To (fax number)').getAttribute('aria-invalid'), 'true');

      await page.getByLabel('To (fax number)').fill('+15550000100');
      await shot(page, 'send');
      await page.getByRole('button', { name: 'Send fax' }).click();
      await page.getByRole('heading', { name: 'Fax to +15550000100' }).waitFor();
      assert.match(await page.locator('.notice').textContent(), /Queued: 1 page, about \d+ s on the line\./);
      const thumb = page.getByRole('img', { name: 'Page 1' });
      await thumb.waitFor();
      await page.waitForFunction(() => document.querySelector('.thumb img')?.naturalWidth > 0);
      // Live status: the page updates itself until the fax is delivered.
      const status = page.locator('[data-fact="Status"]');
      try {
        await status.getByText('Delivered').waitFor({ timeout: 170_000 });
      } catch (e) {
        console.log(`fax page: ${await page.locator('#main').innerText()}\nfaxd log:\n${faxd.log.join('').slice(-6000)}`);
        throw e;
      }
      assert.equal(await page.locator('[data-fact="Pages"]').textContent(), '1 of 1');
      assert.doesNotMatch(await page.locator('#main').innerText(), /null|undefined|\[object/);
      assert.equal(await page.getByRole('button', { name: 'Cancel' }).count(), 0, 'a delivered fax cannot be canceled');
      await shot(page, 'fax-delivered');

      await page.locator('#nav').getByRole('link', { name: 'Sent', exact: true }).click();
      await page.locator('tr[data-status="delivered"]').first().waitFor();
      await shot(page, 'sent');

      await page.locator('#nav').getByRole('link', { name: 'Inbox', exact: true }).click();
      const received = page.locator('tr[data-status="received"]').first();
      for (let i = 0; i < 40 && !(await received.count()); i++) {
        await page.waitForTimeout(1000);
        if (i % 5 === 4) await page.reload();
      }
      await received.waitFor();
      assert.equal(await received.locator('td[data-label="Pages"]').textContent(), '1');
      await shot(page, 'inbox');
      await received.getByRole('link').click();
      await page.getByRole('heading', { name: /^Fax from/ }).waitFor();
      await page.waitForFunction(() => document.querySelector('.thumb img')?.naturalWidth > 0);
      const [download] = await Promise.all([page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download PDF' }).click()]);
      const pdf = readFileSync(await download.path());
      assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
      assert.ok(pdf.length > 1000, `a real PDF, got ${pdf.length} bytes`);

      // Filters: only received faxes, then only failed ones (none).
      await page.locator('#nav').getByRole('link', { name: 'Inbox', exact: true }).click();
      await page.getByLabel('Status').selectOption('failed');
      await page.getByText('No faxes received yet.').waitFor();
      await page.getByLabel('Status').selectOption('received');
      await received.waitFor();

      // Phone-sized: the inbox still reads (stacked rows) and the menu is reachable.
      const phone = await context.newPage();
      await phone.setViewportSize({ width: 390, height: 800 });
      await phone.goto(faxd.base + '/#/inbox');
      await phone.locator('tr[data-status="received"]').first().waitFor();
      assert.ok(await phone.getByRole('link', { name: 'Send a fax' }).first().isVisible());
      await shot(phone, 'inbox-phone');
      assert.deepEqual(problems, []);
      await context.close();
    }),

    t.test('a fax to a number not in service fails with a reason in plain words; resend and delete', async () => {
      const { page, context, problems } = await loginAs('demo', 'demo');
      await page.goto(`${faxd.base}/#/send`);
      await page.getByLabel('To (fax number)').fill('+15550000199');
      await page.getByLabel('Quality').selectOption('standard');
      await page.getByLabel('Documents (PDF or TIFF, one or more)').setInputFiles([
        { name: 'a.pdf', mimeType: 'application/pdf', buffer: onePagePdf('first') },
        { name: 'b.pdf', mimeType: 'application/pdf', buffer: onePagePdf('second') }]);
      assert.match(await page.locator('#estimate').textContent(), /^2 pages: about \d+ s on the line\.$/);
      await page.getByRole('button', { name: 'Send fax' }).click();
      await page.getByRole('heading', { name: 'Fax to +15550000199' }).waitFor();
      await page.locator('[data-fact="Status"]').getByText('Failed').waitFor({ timeout: 120_000 });
      const why = await page.locator('[data-fact="Why"]').textContent();
      assert.match(why, /^The call was refused by the other side or the carrier\./);
      assert.equal(await page.getByRole('img', { name: /^Page / }).count(), 2);
      const firstUrl = page.url();
      await page.getByRole('button', { name: 'Resend' }).click();
      await page.waitForURL((u) => u.toString() !== firstUrl);
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

    t.test('a company admin edits a virtual fax, adds a user and sees no brand pages', async () => {
      const { page, context, problems } = await loginAs('demo', 'demo');
      const links = await navLinks(page);
      assert.deepEqual(links, ['Send a fax', 'Inbox', 'Sent', 'Virtual faxes', 'DDIs', 'Users']);
      for (const brandPage of ['carriers', 'routes', 'companies', 'brands']) {
        await page.goto(`${faxd.base}/#/${brandPage}`);
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
      await page.getByLabel('Password').fill('clerk-secret-1');
      await page.getByLabel('Role').selectOption('user');
      await page.getByLabel(/^Virtual faxes/).selectOption({ label: 'Front desk' });
      await page.getByRole('button', { name: 'Create' }).click();
      await page.getByRole('rowheader', { name: 'clerk' }).waitFor();
      const clerk = await loginAs('clerk', 'clerk-secret-1');
      assert.deepEqual(await navLinks(clerk.page), ['Send a fax', 'Inbox', 'Sent']);
      await clerk.page.goto(`${faxd.base}/#/virtual-faxes`);
      await clerk.page.getByRole('heading', { name: 'Not available' }).waitFor();
      await clerk.page.goto(`${faxd.base}/#/send`);
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
      assert.deepEqual(await navLinks(admin.page), ['Brands', 'Users']);
      await admin.page.getByRole('button', { name: 'New brand' }).click();
      await admin.page.getByLabel('Name', { exact: true }).fill('Acme Fax');
      await admin.page.getByRole('button', { name: 'Create' }).click();
      await admin.page.getByRole('rowheader', { name: 'Acme Fax' }).waitFor();
      await shot(admin.page, 'brands');
      await admin.page.locator('#nav').getByRole('link', { name: 'Users', exact: true }).click();
      await admin.page.getByRole('button', { name: 'New user' }).click();
      await admin.page.getByLabel('Username').fill('acme');
      await admin.page.getByLabel('Password').fill('acme-secret-1');
      await admin.page.getByLabel('Brand').selectOption({ label: 'Acme Fax' });
      await admin.page.getByRole('button', { name: 'Create' }).click();
      await admin.page.getByRole('rowheader', { name: 'acme' }).waitFor();
      assert.deepEqual(admin.problems, []);
      await admin.context.close();

      const { page, context, problems } = await loginAs('acme', 'acme-secret-1');
      assert.deepEqual(await navLinks(page), ['Companies', 'Carriers', 'Routes', 'DDIs', 'Users', 'Inbox', 'Sent']);
      await page.goto(`${faxd.base}/#/brands`);
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
      await page.getByLabel('Carrier').selectOption({ label: 'Audio only trunk' });
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
      assert.deepEqual(problems, []);
      await context.close();
    }),
  ]);
});
