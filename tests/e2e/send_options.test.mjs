// How offices send (issue #20) through the send form, in a real browser between two faxd: a
// broadcast to two numbers with a cover page is previewed with the cover (one more page), queued
// as one batch, shown on the fax page with both numbers, delivered to both, and each fax offers
// its delivery report.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFaxd, launchBrowser, onePagePdf } from './lib/faxd.mjs';
import { call, provision } from './lib/tenant.mjs';
import { axeFindings } from './lib/axe.mjs';
import { browserLogin } from './lib/browser.mjs';

const RX_DDIS = ['+15550002000', '+15550002001'];
const TX_DDI = '+15550001000';
let tx;
let rx;
let txTenant;
let rxTenant;
let browser;

before(async () => {
  [tx, rx] = await Promise.all([startFaxd({ demo: false }), startFaxd({ demo: false })]);
  ({ browser } = await launchBrowser());
  rxTenant = await provision(rx, { name: 'Receiver', peerSipPort: tx.sipPort, ddi: RX_DDIS[0], vfaxName: 'Reception', user: 'rx' });
  // The receiver's second number lands on the same virtual fax.
  const ddi = await call(rx, 'POST', '/ddis', { token: rxTenant.admin,
    body: { brand_id: rxTenant.brand.id, company_id: rxTenant.company.id, number: RX_DDIS[1] } });
  await call(rx, 'PATCH', `/ddis/${ddi.id}`, { token: rxTenant.token, body: { virtual_fax_id: rxTenant.vfax.id } });
  txTenant = await provision(tx, { name: 'Sender', peerSipPort: rx.sipPort, ddi: '+15550001999', outgoingDdi: TX_DDI,
    vfaxName: 'Front office', user: 'tx' });
});

after(async () => {
  if (browser) await browser.close();
  await Promise.all([tx, rx].filter(Boolean).map((d) => d.stop()));
});

test('a broadcast with a cover page sent through the form: previewed, one batch on the fax page, delivered to each number', async () => {
  const { context, page, problems } = await browserLogin(browser, tx, 'tx', txTenant.password,
    { acceptDownloads: true, consoleErrors: true });
  await page.getByRole('link', { name: 'Send a fax' }).first().click();

  // Two numbers, one a line: a broadcast.
  await page.getByLabel('To (fax number)').fill(`${RX_DDIS[0]}\n${RX_DDIS[1]}`);
  await page.getByLabel('From virtual fax').selectOption(txTenant.vfax.id);
  await page.getByLabel('Documents (PDF or TIFF, one or more)').setInputFiles(
    { name: 'letter.pdf', mimeType: 'application/pdf', buffer: onePagePdf('Broadcast letter') });
  const previewDone = () => page.waitForFunction(() => !document.querySelector('.files[aria-busy]') &&
    /on the line\.$/.test(document.querySelector('#estimate')?.textContent ?? ''));
  await previewDone();
  assert.match(await page.locator('#estimate').textContent(), /^1 page: /);

  // A cover page: the preview shows it as one more page before the document.
  await page.locator('#cover-fields summary').click();
  await page.getByLabel('Cover page: to (name)').fill('Dr. Muñoz');
  await page.getByLabel('Cover page: subject').fill('Quarterly figures');
  await page.getByLabel('Cover page: note').fill('Two pages in all, this one included.');
  await page.getByLabel('Cover page: note').blur();
  await page.waitForFunction(() => /^2 pages: /.test(document.querySelector('#estimate')?.textContent ?? '') &&
    !document.querySelector('.files[aria-busy]'));
  await page.getByRole('img', { name: 'Page 2' }).waitFor();
  assert.deepEqual(await axeFindings(page), []);

  await page.getByRole('button', { name: 'Send fax' }).click();
  // The first fax of the batch opens, naming the broadcast and listing both numbers.
  await page.getByRole('heading', { name: `Fax to ${RX_DDIS[0]}` }).waitFor();
  assert.equal(await page.locator('.notice').textContent(), 'Queued 2 faxes, one to each number.');
  const batchList = page.locator('[data-fact="Broadcast"] #batch-faxes li');
  await batchList.nth(1).waitFor();
  assert.deepEqual(await batchList.locator('a').allTextContents(), RX_DDIS);
  assert.equal(await page.locator('[data-fact="Pages"]').textContent().then((s) => /of 2$/.test(s)), true);

  // The API agrees: one batch of two faxes of two pages each (the cover and the document).
  const id = await page.evaluate(() => location.hash.split('/')[2]);
  const first = await call(tx, 'GET', `/faxes/${id}`, { token: txTenant.token });
  assert.ok(first.batch_id, 'the fax belongs to a batch');
  const batch = (await call(tx, 'GET', `/faxes?batch_id=${first.batch_id}`, { token: txTenant.token })).data;
  assert.deepEqual(batch.map((f) => f.to).sort(), RX_DDIS);
  assert.deepEqual(batch.map((f) => f.pages_total), [2, 2]);

  // Both delivered: the receiver gets two faxes of two pages, one on each number.
  const deadline = Date.now() + 240_000;
  let received = [];
  while (Date.now() < deadline) {
    received = (await call(rx, 'GET', '/faxes?direction=inbound', { token: rxTenant.token })).data
      .filter((f) => ['received', 'failed'].includes(f.status));
    if (received.length >= 2) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  assert.deepEqual(received.map((f) => [f.to, f.status, f.pages]).sort(),
    RX_DDIS.map((n) => [n, 'received', 2]));
  for (const f of batch) {
    for (let i = 0; ; i++) {
      const now = await call(tx, 'GET', `/faxes/${f.id}`, { token: txTenant.token });
      if (now.status === 'delivered') break;
      assert.ok(i < 120 && ['queued', 'sending'].includes(now.status), `${f.to}: ${JSON.stringify(now)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  // The fax page shows the whole batch delivered and offers the delivery report.
  await page.reload();
  await page.locator('[data-fact="Status"]').getByText('Delivered').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('#batch-faxes li').length === 2 &&
    [...document.querySelectorAll('#batch-faxes li')].every((li) => /Delivered/.test(li.textContent)));
  assert.equal(await page.getByRole('button', { name: 'Cancel the whole broadcast' }).count(), 0);
  const [download] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('link', { name: 'Delivery report (PDF)' }).click()]);
  assert.match(download.suggestedFilename(), /^fax-\d{8}-\d{6}-\+15550002000-report\.pdf$/);
  // The other number's fax, opened from the list, belongs to the same batch.
  await page.locator('#batch-faxes a', { hasText: RX_DDIS[1] }).click();
  await page.getByRole('heading', { name: `Fax to ${RX_DDIS[1]}` }).waitFor();
  await page.locator('#batch-faxes li').nth(1).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});
