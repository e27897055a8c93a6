// The web UI in a real browser against two faxd on loopback (lib/web_pair.mjs), for everyone:
// in Spanish (by the user's setting, the company's, the browser's) the inbox, the send form, a
// failed fax and the webhook deliveries have no English string left; axe-core finds no serious
// issue on any page of any role, on a desk and on a phone.
// Set FAXD_SCREENSHOTS=DIR to also save screenshots of the main pages (docs/screenshots/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { onePagePdf, textPdf } from './lib/faxd.mjs';
import { call, sendFax } from './lib/tenant.mjs';
import { catalogue, englishMatchers, englishLeft, englishWords } from './lib/english.mjs';
import { axeFindings } from './lib/axe.mjs';
import { nav, navLinks, shot } from './lib/browser.mjs';
import { useWebPair, waitForStatus } from './lib/web_pair.mjs';

let tx, rx, txTenant, rxTenant, browser, loginAs;
useWebPair((w) => ({ tx, rx, txTenant, rxTenant, browser, loginAs } = w));

test('languages and accessibility', { concurrency: true }, async (t) => {
  await Promise.all([
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
  ]);
});
