// Numbers, caller id, routes and tenant switches in the web UI (issue #17), in Chromium against
// one faxd: a brand admin gives a company its country and default caller id, tells a carrier it
// wants national numbers behind a tech prefix, is refused a route prefix without "+", and asks
// the route tester which carrier a national number would use; the company's user sends to a
// national number with the country picker on the company's country and sees it in E.164; a
// switched-off company's user is told why from the login on, and cannot send.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFaxd, launchBrowser, onePagePdf } from './lib/faxd.mjs';
import { call, login, provision, blackHole } from './lib/tenant.mjs';
import { browserLogin, nav } from './lib/browser.mjs';

let faxd;
let browser;
let hole;
let tenant;

before(async () => {
  faxd = await startFaxd({ demo: false });
  ({ browser } = await launchBrowser());
  hole = await blackHole();  // the carrier: calls to it ring until they time out
  tenant = await provision(faxd, { name: 'Numbers', peerSipPort: hole.port, ddi: '+34910000001', vfaxName: 'Front desk', user: 'office' });
  const admin = await login(faxd, 'admin', 'admin-e2e');
  await call(faxd, 'POST', '/users', { token: admin, body: { username: 'reseller', password: 'Rs5-Vela-Mora-38', role: 'brand_admin', brand_id: tenant.brand.id } });
});

after(async () => {
  if (browser) await browser.close();
  if (faxd) await faxd.stop();
  if (hole) hole.close();
});

const loginAs = (username, password) => browserLogin(browser, faxd, username, password);

test('a brand admin sets country, caller id, number format and tests a route; the user sends to a national number', async () => {
  const { page, context, problems } = await loginAs('reseller', 'Rs5-Vela-Mora-38');
  try {
    // The company: Spain, and its own number as the default caller id.
    await nav(page, 'Companies');
    const row = page.locator('tbody tr', { hasText: 'Numbers company' });
    await row.getByRole('button', { name: /^Edit/ }).click();
    const form = page.getByRole('form', { name: 'Edit company' });
    await form.getByLabel('Country', { exact: true }).selectOption('ES');
    await form.getByLabel(/^Default caller id/).selectOption({ label: '+34910000001' });
    await form.getByRole('button', { name: 'Save' }).click();
    await row.locator('td[data-label="Country"]', { hasText: 'Spain' }).waitFor();
    assert.equal(await row.locator('td[data-label="Caller id"]').textContent(), '+34910000001');
    assert.equal(await row.locator('td[data-label="Switched on"]').textContent(), 'Yes');

    // The carrier: national numbers of Spain behind the tech prefix 1234#; 0 calls = unlimited.
    await nav(page, 'Carriers');
    const carrier = page.locator('tbody tr', { hasText: 'Numbers peer' });
    assert.equal(await carrier.locator('td[data-label="Max calls"]').textContent(), 'Unlimited');
    await carrier.getByRole('button', { name: /^Edit/ }).click();
    const cform = page.getByRole('form', { name: 'Edit carrier' });
    await cform.getByLabel('Number format').selectOption('national');
    await cform.getByLabel('Tech prefix').fill('1234#');
    await cform.getByLabel('Country', { exact: true }).selectOption('ES');
    await cform.getByRole('button', { name: 'Save' }).click();
    await carrier.locator('td[data-label="Number format"]', { hasText: 'National (ES) · 1234#' }).waitFor();

    // A route prefix without "+" can never match: refused, with the rule next to the field.
    await nav(page, 'Routes');
    await page.getByRole('button', { name: 'New route' }).click();
    const rform = page.getByRole('form', { name: 'New route' });
    await rform.getByLabel('Number prefix').fill('0034');
    await rform.getByLabel('Carrier').selectOption({ label: 'Numbers peer' });
    await rform.getByRole('button', { name: 'Create' }).click();
    await rform.getByText(/A prefix without \+ never matches/).waitFor();
    await rform.getByLabel('Number prefix').fill('+34');
    await rform.getByLabel('For', { exact: true }).selectOption({ label: 'Numbers company' });
    await rform.getByRole('button', { name: 'Create' }).click();
    const own = page.locator('tbody tr', { hasText: '+34' });
    await own.waitFor();
    assert.equal(await own.locator('td[data-label="For"]').textContent(), 'Numbers company');

    // The tester: a national number of the company goes to its own route first.
    const tester = page.getByRole('form', { name: 'Which carrier would this number use?' });
    await tester.getByLabel('Number', { exact: true }).fill('910 000 002');
    await tester.getByLabel('Sent by').selectOption({ label: 'Numbers company' });
    await tester.getByRole('button', { name: 'Test' }).click();
    const result = page.locator('#route-test-result');
    await result.getByText('The number is +34 910 00 00 02.').waitFor();
    const items = result.locator('li');
    assert.equal(await items.count(), 2);
    assert.match(await items.nth(0).textContent(), /Numbers peer — company route \+34, priority 1, 100% of first calls/);
    // The Request-URI as the INVITE carries it: the tech prefix's '#' escaped (RFC 3261).
    assert.equal(await items.nth(0).locator('code').textContent(), `sip:1234%23910000002@127.0.0.1:${hole.port}`);
    assert.match(await items.nth(1).textContent(), /brand route \(any number\)/);
    // What people type goes to the server as typed: a '+' stays a '+' (not a space); the old
    // answer is replaced by the new one.
    await tester.getByLabel('Number', { exact: true }).fill('+34 (91) 000-00-03');
    await tester.getByRole('button', { name: 'Test' }).click();
    await result.getByText('The number is +34 910 00 00 03.').waitFor();
    assert.equal(await result.locator('li').nth(0).locator('code').textContent(), `sip:1234%23910000003@127.0.0.1:${hole.port}`);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }

  // The company's user types the number as dialled in Spain; the picker starts on Spain.
  const user = await loginAs(tenant.user, tenant.password);
  try {
    const p = user.page;
    await nav(p, 'Send a fax');
    const country = p.getByLabel('Country of the number');
    assert.equal(await country.inputValue(), 'ES');
    await p.getByLabel('To (fax number)').fill('12');
    await p.getByLabel('Documents (PDF or TIFF, one or more)').setInputFiles({ name: 'letter.pdf', mimeType: 'application/pdf', buffer: onePagePdf() });
    await p.locator('#send-submit').click();
    await p.getByText('Enter a fax number of the chosen country, or + and the country code').waitFor();
    await p.getByLabel('To (fax number)').fill('910 000 002');
    await p.locator('#send-submit').click();
    await p.getByRole('heading', { name: /\+34910000002/ }).waitFor();
    assert.deepEqual(user.problems, []);
  } finally {
    await user.context.close();
  }
});

test("a switched-off company's user is told why at login and cannot send", async () => {
  const admin = await login(faxd, 'admin', 'admin-e2e');
  await call(faxd, 'PATCH', `/companies/${tenant.company.id}`, { token: admin, body: { enabled: false } });
  try {
    const { page, context, problems } = await loginAs(tenant.user, tenant.password);
    try {
      const banner = page.locator('#tenant-disabled');
      await banner.waitFor();
      assert.match(await banner.textContent(), /^Your company is switched off by its provider/);
      await nav(page, 'Send a fax');
      await page.locator('#tenant-disabled').waitFor();
      await page.getByLabel('To (fax number)').fill('+34910000002');
      await page.getByLabel('Documents (PDF or TIFF, one or more)').setInputFiles({ name: 'letter.pdf', mimeType: 'application/pdf', buffer: onePagePdf() });
      await page.locator('#send-submit').click();
      await page.getByText('Your company is switched off by its provider: faxes cannot be sent').waitFor();  // the send's error (the banner above says 'are not sent')
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  } finally {
    await call(faxd, 'PATCH', `/companies/${tenant.company.id}`, { token: admin, body: { enabled: true } });
  }
});

test("the platform admin switches a brand off on the Brands page; its company's Spanish user is told why", async () => {
  const admin = await login(faxd, 'admin', 'admin-e2e');
  await call(faxd, 'PATCH', `/companies/${tenant.company.id}`, { token: admin, body: { language: 'es' } });
  try {
    const { page, context, problems } = await loginAs('admin', 'admin-e2e');
    try {
      await nav(page, 'Brands');
      const row = page.locator('tbody tr', { hasText: 'Numbers brand' });
      assert.equal(await row.locator('td[data-label="Switched on"]').textContent(), 'Yes');
      await row.getByRole('button', { name: /^Edit/ }).click();
      const form = page.getByRole('form', { name: 'Edit brand' });
      await form.getByLabel(/^Switched on/).uncheck();
      await form.getByRole('button', { name: 'Save' }).click();
      await row.locator('td[data-label="Switched on"]', { hasText: 'No' }).waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
    const brand = await call(faxd, 'GET', `/brands/${tenant.brand.id}`, { token: admin });
    assert.equal(brand.enabled, false);

    // The company speaks Spanish: the notice is in Spanish from the first page on.
    const user = await loginAs(tenant.user, tenant.password);
    try {
      const banner = user.page.locator('#tenant-disabled');
      await banner.waitFor();
      // All of it in Spanish (the API's English reason is not shown): the brand is what is off.
      assert.equal(await banner.textContent(), 'La marca de su proveedor está desactivada: no se envían ni se reciben faxes. Sus faxes se conservan; pida a su proveedor que la vuelva a activar.');
      await nav(user.page, 'Enviar un fax');
      await user.page.getByLabel('Para (número de fax)').fill('+34910000002');
      await user.page.getByLabel(/^Documentos/).setInputFiles({ name: 'carta.pdf', mimeType: 'application/pdf', buffer: onePagePdf() });
      await user.page.locator('#send-submit').click();
      await user.page.getByText('Su proveedor ha desactivado su empresa').waitFor();
      assert.deepEqual(user.problems, []);
    } finally {
      await user.context.close();
    }
  } finally {
    await call(faxd, 'PATCH', `/brands/${tenant.brand.id}`, { token: admin, body: { enabled: true } });
    await call(faxd, 'PATCH', `/companies/${tenant.company.id}`, { token: admin, body: { language: 'en' } });
  }
});
