// The web UI in a real browser against two faxd on loopback (lib/web_pair.mjs), sending: a PDF
// sent through the form from one faxd to the other and opened by the receiver (on a desk and a
// phone), the Sent list's pages, filters and CSV, a ringing and a queued fax canceled, a fax
// that fails with a reason, resent and deleted.
// Set FAXD_SCREENSHOTS=DIR to also save screenshots of the main pages (docs/screenshots/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { onePagePdf, textPdf } from './lib/faxd.mjs';
import { call, sendFax } from './lib/tenant.mjs';
import { nav, shot } from './lib/browser.mjs';
import { useWebPair, waitForStatus, pdfPages, RX_DDI, TX_DDI } from './lib/web_pair.mjs';

let tx, rx, txTenant, rxTenant, loginAs;
useWebPair((w) => ({ tx, rx, txTenant, rxTenant, loginAs } = w));

test('sending and the fax lists', { concurrency: true }, async (t) => {
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
      await waitForStatus(page, 'Delivered', 170_000, tx);
      assert.equal(await page.locator('[data-fact="Pages"]').textContent(), '2 of 2');
      assert.match(await page.locator('[data-fact="Connection"]').textContent(), /^T\.38, 14400 bit\/s/);
      assert.equal(await page.locator('[data-fact="From"]').textContent(), TX_DDI);
      assert.doesNotMatch(await page.locator('#main').innerText(), /null|undefined|\[object/);
      assert.equal(await page.getByRole('button', { name: 'Cancel' }).count(), 0, 'a delivered fax cannot be canceled');
      await shot(page, 'fax-delivered');
      await nav(page, 'Sent');
      await page.getByRole('heading', { name: 'Sent', exact: true }).waitFor();
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
      // The Sent list, not the send form it replaces (whose "From virtual fax" would match).
      await page.getByRole('heading', { name: 'Sent', exact: true }).waitFor();
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
      await waitForStatus(page, 'Sending', 15_000, tx);
      // Cancel asks first: "No" leaves the call alone.
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByText('Cancel this fax? A call in progress is hung up.').waitFor();
      await page.getByRole('button', { name: 'No', exact: true }).click();
      assert.equal((await call(tx, 'GET', `/faxes/${ringing.id}`, { token: txTenant.token })).status, 'sending');
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'Yes, cancel' }).click();
      await waitForStatus(page, 'Canceled', 40_000, tx);
      assert.equal(await page.getByRole('button', { name: 'Cancel' }).count(), 0);
      await page.getByRole('button', { name: 'Resend' }).waitFor();

      // A queued one (waiting for the carrier's only line): canceled at once.
      const queued = (await bulkFaxes()).find((f) => f.status === 'queued');
      await page.goto(`${tx.base}/#/fax/${queued.id}`);
      await waitForStatus(page, 'Queued', 5_000, tx);
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'Yes, cancel' }).click();
      await waitForStatus(page, 'Canceled', 10_000, tx);
      assert.equal((await call(tx, 'GET', `/faxes/${queued.id}`, { token: txTenant.token })).status, 'canceled');
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
  ]);
});
