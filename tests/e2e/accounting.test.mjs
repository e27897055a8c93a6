// Lists, accounting, retention and the audit trail in a real browser against one faxd (issues
// #21 and #19):
//  - Sent says how many faxes the filters match and sorts by a click on a column heading
//    (Time orders every fax through faxd, the other headings the page shown);
//  - a brand admin sees its brand's calls (not another brand's), downloads them as CSV, schedules
//    a call report, sets a company's retention to 0, and the fax page then says the document was
//    removed by the retention policy (410 for the document);
//  - the audit log shows a carrier's password as changed without its value, and none of another
//    brand's events; the same pages in Spanish have no English left; axe finds no serious issue.
// The tenant "Sur" routes its faxes to faxd itself, which has no such numbers: each fax fails at
// once after one call. Set FAXD_SCREENSHOTS=DIR to also save screenshots (docs/screenshots/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startFaxd, launchBrowser, onePagePdf } from './lib/faxd.mjs';
import { call, login, provision, sendFax } from './lib/tenant.mjs';
import { catalogue, englishMatchers, englishLeft } from './lib/english.mjs';
import { axeFindings } from './lib/axe.mjs';
import { browserLogin, nav, shot, until as waitUntil } from './lib/browser.mjs';

let d;
let browser;
let sur;  // the provisioned tenant (company admin "archivist")
const final = new Set(['delivered', 'failed', 'canceled', 'received']);

const until = (what, check, ms = 90000) =>
  waitUntil(what, check, { ms, every: 300, detail: () => `\nfaxd log:\n${d.log.join('').slice(-4000)}` });

const BILLING_PASSWORD = 'Nd8-Ledger-Kite-41';  // meets the password policy

before(async () => {
  d = await startFaxd({ demo: true });
  ({ browser } = await launchBrowser());
  sur = await provision(d, { name: 'Sur', peerSipPort: d.sipPort, ddi: '+15550003000', vfaxName: 'Vault', user: 'archivist' });
  for (const [username, language] of [['surbilling', 'en'], ['surfactura', 'es']]) {
    await call(d, 'POST', '/users', { token: sur.admin, body: { username, password: BILLING_PASSWORD,
      role: 'brand_admin', brand_id: sur.brand.id, language } });
  }
});

after(async () => {
  if (browser) await browser.close();
  if (d) await d.stop();
});

const loginAs = (username, { locale = 'en-US' } = {}) =>
  browserLogin(browser, d, username, username === 'archivist' ? sur.password : BILLING_PASSWORD,
    { viewport: { width: 1280, height: 900 }, acceptDownloads: true, locale, consoleErrors: true });

// Two faxes that fail at once (one call each), to different numbers.
let failed;
async function failedFaxes() {
  if (failed) return failed;
  const sent = [];
  for (const to of ['+15550009002', '+15550009001']) sent.push(await sendFax(d, sur.token, sur.vfax.id, to, onePagePdf(to)));
  failed = [];
  for (const f of sent) {
    failed.push(await until(`fax ${f.id} to end`, async () => {
      const now = await call(d, 'GET', `/faxes/${f.id}`, { token: sur.token });
      return final.has(now.status) && now;
    }));
  }
  return failed;
}

test('Sent counts every fax the filters match and sorts by a click on a column heading', async () => {
  await failedFaxes();
  // 26 more, scheduled a week ahead (they stay queued), to numbers out of time order.
  const numbers = Array.from({ length: 26 }, (_, i) => `+1555010${String((i * 7) % 26).padStart(4, '0')}`);
  const body = new FormData();
  body.append('virtual_fax_id', sur.vfax.id);
  for (const n of numbers) body.append('to', n);
  body.append('send_at', new Date(Date.now() + 7 * 86400e3).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  body.append('file', new Blob([onePagePdf('scheduled')], { type: 'application/pdf' }), 'later.pdf');
  await call(d, 'POST', '/faxes', { body, token: sur.token, expect: 202 });
  const newest = (await call(d, 'GET', `/faxes?direction=outbound&limit=100&virtual_fax_id=${sur.vfax.id}`, { token: sur.token })).data.map((f) => f.id);
  assert.equal(newest.length, 28);
  const oldest = [...newest].reverse();

  const { context, page, problems } = await loginAs('archivist');
  await nav(page, 'Sent');
  await page.getByRole('heading', { name: 'Sent', exact: true }).waitFor();
  // The total is Sent's own (the Inbox before it counts none), and the rows its first page.
  await page.locator('#faxes-count').getByText('28 in all').waitFor();
  const rowIds = () => page.locator('#faxes-table tbody tr[data-fax]').evaluateAll((trs) => trs.map((tr) => tr.dataset.fax));
  const firstRowIs = (id) => page.waitForFunction((want) => document.querySelector('#faxes-table tbody tr[data-fax]')?.dataset.fax === want, id);
  await firstRowIs(newest[0]);
  assert.deepEqual(await rowIds(), newest.slice(0, 25));
  const timeHead = page.locator('#faxes-table th[data-col="time"]');
  const toHead = page.locator('#faxes-table th[data-col="number"]');
  assert.equal(await timeHead.getAttribute('aria-sort'), 'descending');
  assert.equal(await toHead.getAttribute('aria-sort'), 'none');

  // Time: faxd pages oldest first, across all 28.
  await timeHead.getByRole('button', { name: 'Time' }).click();
  await firstRowIs(oldest[0]);
  assert.equal(await timeHead.getAttribute('aria-sort'), 'ascending');
  assert.deepEqual(await rowIds(), oldest.slice(0, 25));
  await page.getByRole('button', { name: 'Next page' }).click();
  await page.waitForFunction(() => document.querySelectorAll('#faxes-table tbody tr[data-fax]').length === 3);
  assert.deepEqual(await rowIds(), oldest.slice(25));
  await page.getByRole('button', { name: 'Previous page' }).click();
  await firstRowIs(oldest[0]);
  await page.waitForFunction(() => document.querySelectorAll('#faxes-table tbody tr[data-fax]').length === 25);

  // To: the page's faxes by number, then the other way round.
  const shownNumbers = () => page.locator('#faxes-table tbody th[data-label="To"]').allTextContents();
  const timeOrder = await shownNumbers();
  const ascending = [...timeOrder].sort();
  assert.notDeepEqual(timeOrder, ascending, 'time order is not number order (the sort has work to do)');
  await toHead.getByRole('button', { name: 'To' }).click();
  assert.equal(await toHead.getAttribute('aria-sort'), 'ascending');
  assert.equal(await timeHead.getAttribute('aria-sort'), 'none');
  assert.deepEqual(await shownNumbers(), ascending);
  assert.match(await page.locator('#faxes-sort-note').textContent(), /^Sorted by To within this page; the pages go oldest first/);
  await toHead.getByRole('button', { name: 'To' }).click();
  assert.equal(await toHead.getAttribute('aria-sort'), 'descending');
  assert.deepEqual(await shownNumbers(), [...ascending].reverse());
  await shot(page, 'sent-sorted');
  // Back to Time (oldest first, as faxd paged), then newest first again.
  await timeHead.getByRole('button', { name: 'Time' }).click();
  assert.equal(await page.locator('#faxes-sort-note').textContent(), '');
  assert.deepEqual(await rowIds(), oldest.slice(0, 25));
  await timeHead.getByRole('button', { name: 'Time' }).click();
  await firstRowIs(newest[0]);
  assert.equal(await timeHead.getAttribute('aria-sort'), 'descending');

  // A filter counts what it matches.
  await page.getByLabel('To number').fill('+15550009001');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.locator('#faxes-count').getByText('1 in all').waitFor();
  assert.deepEqual(await rowIds(), [failed[1].id]);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a brand admin: its calls and their CSV, a call report, retention 0, and an audit log with no secret and no other brand', async () => {
  const [mine] = await failedFaxes();
  const admin = sur.admin;
  // Another brand (the demo tenant's) makes a call and a change.
  const demo = await login(d, 'demo', 'demo');
  const demoVfax = (await call(d, 'GET', '/virtual-faxes', { token: demo })).data[0];
  const theirs = await sendFax(d, demo, demoVfax.id, '+15550000198', onePagePdf('demo'));
  await call(d, 'POST', '/webhooks', { token: demo, body: { url: 'https://demo.example.com/hook', events: ['fax.failed'] } });
  // The platform admin changes the Sur carrier's password.
  await call(d, 'PATCH', `/carriers/${sur.carrier.id}`, { token: admin, body: { password: 'Sip-Pass-Kept-Secret-9' } });
  const callOf = async (fax) => (await call(d, 'GET', '/calls?limit=500', { token: admin })).data
    .find((c) => c.fax_id === fax.id && c.result !== 'running');
  const myCall = await until('the Sur call', () => callOf(mine));
  const theirCall = await until('the demo call', () => callOf(theirs));

  const { context, page, problems } = await loginAs('surbilling');
  await nav(page, 'Calls');
  await page.getByRole('heading', { name: 'Calls', exact: true }).waitFor();
  const myRow = page.locator(`#calls-table tr[data-id="${myCall.id}"]`);
  await myRow.waitFor();
  const shownCalls = await page.locator('#calls-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.id));
  const everyCall = new Map((await call(d, 'GET', '/calls?limit=500', { token: admin })).data.map((c) => [c.id, c]));
  for (const id of shownCalls) assert.equal(everyCall.get(id)?.brand_id, sur.brand.id, `call ${id} is the brand's`);
  assert.equal(await page.locator(`#calls-table tr[data-id="${theirCall.id}"]`).count(), 0, 'another brand\'s call is not shown');
  assert.equal(await myRow.locator('td[data-label="Company"]').textContent(), 'Sur company');
  assert.equal(await myRow.locator('td[data-label="To"]').textContent(), mine.to);
  assert.match(await myRow.locator('td[data-label="Result"]').textContent(), /^Failed/);
  assert.doesNotMatch(await page.locator('#main').innerText(), /null|undefined|\[object/);
  // A filter narrows the list and the CSV link alike.
  await page.getByLabel('Result').selectOption({ label: 'Failed' });
  await page.getByLabel('Company').selectOption({ label: 'Sur company' });
  await until('the CSV link to follow the filters', async () => /company_id=/.test(await page.locator('#calls-csv').getAttribute('href')));
  const href = await page.locator('#calls-csv').getAttribute('href');
  assert.match(href, new RegExp(`^/api/v1/calls\\?.*company_id=${sur.company.id}.*format=csv`));
  assert.match(href, /result=failed/);
  await myRow.waitFor();
  await shot(page, 'calls');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
  const csv = readFileSync(await download.path(), 'utf8').replace(/^\ufeff/, '').trim().split(/\r\n/);
  assert.equal(csv[0], 'id,fax_id,direction,brand_id,company_id,virtual_fax_id,from,to,carrier_id,started_at,answered_at,ended_at,duration_s,billable_s,transport,bit_rate,pages,result,failure_code');
  const rows = csv.slice(1).map((l) => l.split(','));
  const expected = [...everyCall.values()].filter((c) => c.company_id === sur.company.id && c.result === 'failed').map((c) => c.id).sort();
  assert.deepEqual(rows.map((r) => r[0]).sort(), expected, 'the CSV holds exactly the filtered calls');
  assert.ok(rows.some((r) => r[0] === myCall.id));

  // Call reports: refused with the rule, made, listed, deleted.
  await nav(page, 'Call reports');
  await page.getByRole('heading', { name: 'Call reports', exact: true }).waitFor();
  await page.getByRole('button', { name: 'New call report' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Monthly billing');
  await page.getByLabel('Mail to').fill('not-an-address');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.locator('.field[data-field="email"] .field-error').getByText('Enter one email address like billing@example.com.').waitFor();
  await page.getByLabel('Mail to').fill('billing@example.com');
  await page.getByLabel('Calls of').selectOption({ label: 'Sur company' });
  await page.getByRole('button', { name: 'Create' }).click();
  const report = page.locator('tbody tr', { hasText: 'Monthly billing' });
  await report.waitFor();
  assert.equal(await report.locator('td[data-label="Sent"]').textContent(), 'Monthly');
  assert.equal(await report.locator('td[data-label="Calls of"]').textContent(), 'Sur company');
  assert.equal(await report.locator('td[data-label="Last sent"]').textContent(), 'Never');
  const [schedule] = (await call(d, 'GET', '/call-csv-schedules', { token: sur.token })).data;
  assert.equal(schedule.company_id, sur.company.id, 'the company admin sees its company\'s report');
  await shot(page, 'call-reports');
  await page.getByRole('button', { name: 'Delete call report Monthly billing' }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await report.waitFor({ state: 'detached' });
  assert.equal((await call(d, 'GET', '/call-csv-schedules', { token: sur.token })).data.length, 0);

  // Retention: the field says what empty and 0 mean; 0 removes the failed fax's document.
  await nav(page, 'Companies');
  await page.getByRole('heading', { name: 'Companies', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Edit company Sur company' }).click();
  const keep = page.getByLabel('Keep fax documents for (days)');
  assert.equal(await keep.inputValue(), '');
  await page.locator('.field[data-field="retention_days"] .hint').getByText(/^Leave empty to keep documents for ever\. 0 removes/).waitFor();
  await keep.fill('0');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Saved company Sur company.').waitFor();
  await page.locator('tbody tr', { hasText: 'Sur company' }).locator('td[data-label="Documents kept"]').getByText('Until mailed').waitFor();
  assert.equal((await call(d, 'GET', `/companies/${sur.company.id}`, { token: admin })).retention_days, 0);
  await until('the purge', async () => (await call(d, 'GET', `/faxes/${mine.id}`, { token: sur.token })).document_purged_at);
  await page.goto(`${d.base}/#/fax/${mine.id}`);
  await page.getByRole('heading', { name: `Fax to ${mine.to}` }).waitFor();
  await page.locator('#document-purged').getByText(/^The document was removed by the retention policy on /).waitFor();
  assert.equal(await page.locator('.thumb').count(), 0, 'no thumbnails');
  assert.equal(await page.locator('#download-pdf').count(), 0, 'no download');
  assert.equal(await page.getByRole('button', { name: 'Resend' }).count(), 0, 'nothing to resend');
  assert.equal(await page.locator('[data-fact="Status"]').textContent(), 'Failed');
  assert.equal(await page.evaluate(async (id) => (await fetch(`/api/v1/faxes/${id}/document`)).status, mine.id), 410);
  await shot(page, 'fax-purged');

  // The audit log: the password only as changed; the brand's own events only.
  await nav(page, 'Audit log');
  await page.getByRole('heading', { name: 'Audit log', exact: true }).waitFor();
  await page.getByLabel('What').selectOption({ label: 'Carrier' });
  const pwRow = page.locator('#audit-table tbody tr', { has: page.locator('li[data-field="password"]') }).first();
  await pwRow.waitFor();
  assert.equal(await pwRow.locator('li[data-field="password"]').textContent(), 'Password: changed (not shown)');
  assert.equal(await pwRow.locator('td[data-label="Action"]').textContent(), 'Changed');
  assert.equal(await pwRow.locator('td[data-label="Who"]').textContent(), 'admin');
  assert.match(await pwRow.locator('td[data-label="What"]').textContent(), /^Carrier /);
  await page.getByLabel('What').selectOption({ label: 'Company' });
  const retentionRow = page.locator('#audit-table tbody tr', { has: page.locator('li[data-field="retention_days"]') }).first();
  await retentionRow.waitFor();
  assert.equal(await retentionRow.locator('li[data-field="retention_days"]').textContent(), 'Documents kept (days): (none) → 0');
  assert.equal(await retentionRow.locator('td[data-label="Who"]').textContent(), 'surbilling');
  await page.getByLabel('What').selectOption({ label: 'Anything' });
  await page.waitForFunction(() => [...document.querySelectorAll('#audit-table tbody tr')].some((tr) => /Logged in/.test(tr.textContent)));
  await shot(page, 'audit');
  const who = await page.locator('#audit-table tbody td[data-label="Who"]').allTextContents();
  assert.ok(who.includes('surbilling') && who.includes('admin'), who.join());
  assert.ok(!who.includes('demo'), 'none of the demo brand\'s events in the list');
  const text = await page.locator('#main').innerText();
  assert.doesNotMatch(text, /Sip-Pass-Kept-Secret-9/);
  assert.doesNotMatch(text, /demo\.example\.com/);
  const events = await page.evaluate(async () => (await (await fetch('/api/v1/audit-events?limit=500')).json()).data);
  assert.ok(events.length > 0);
  for (const e of events) assert.equal(e.brand_id, sur.brand.id, `event ${e.action} ${e.resource} is the brand's`);
  assert.ok(!events.some((e) => e.username === 'demo'), 'none of the demo brand\'s events');
  assert.ok((await call(d, 'GET', '/audit-events?limit=500', { token: admin })).data.some((e) => e.username === 'demo' && e.resource === 'webhooks'),
    'the platform admin sees the demo brand\'s webhook');
  for (const f of await axeFindings(page)) problems.push(`axe audit: ${f}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('in Spanish: the Calls and Audit log pages and a purged fax have no English left', async () => {
  const [mine] = await failedFaxes();
  await until('the purge', async () => (await call(d, 'GET', `/faxes/${mine.id}`, { token: sur.token })).document_purged_at, 120000);
  const matchers = englishMatchers(await catalogue('en'), await catalogue('es'));
  const { context, page, problems } = await loginAs('surfactura', { locale: 'es-ES' });
  await nav(page, 'Llamadas');
  await page.getByRole('heading', { name: 'Llamadas', exact: true }).waitFor();
  await page.locator('#calls-table tbody tr').first().waitFor();
  assert.deepEqual(await englishLeft(page, matchers), [], 'calls');
  await nav(page, 'Registro de auditoría');
  await page.getByRole('heading', { name: 'Registro de auditoría', exact: true }).waitFor();
  await page.locator('#audit-table tbody tr').first().waitFor();
  assert.deepEqual(await englishLeft(page, matchers), [], 'audit log');
  await page.getByLabel('Qué').selectOption({ label: 'Operador' });
  await page.locator('#audit-table li[data-field="password"]').first().getByText('Contraseña: cambiado (no se muestra)').waitFor();
  await nav(page, 'Informes de llamadas');
  await page.getByRole('heading', { name: 'Informes de llamadas', exact: true }).waitFor();
  assert.deepEqual(await englishLeft(page, matchers), [], 'call reports');
  await page.goto(`${d.base}/#/fax/${mine.id}`);
  await page.locator('#document-purged').getByText(/^La política de conservación eliminó el documento/).waitFor();
  assert.deepEqual(await englishLeft(page, matchers), [], 'purged fax');
  for (const f of await axeFindings(page)) problems.push(`axe purged fax: ${f}`);
  assert.deepEqual(problems, []);
  await context.close();
});
