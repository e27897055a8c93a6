// A company's cover page template in the browser (issue #20): a company admin whose company
// speaks Spanish opens it from the menu, is told beside the field that a file that is no PNG is
// refused, uploads a PNG logo (its size shown), saves title and footer, reloads and finds them
// kept (and the API returns them), previews a sample cover; the page passes axe-core and has no
// English string left. A brand admin reaches the same page from the company's row.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFaxd, launchBrowser } from './lib/faxd.mjs';
import { call, login } from './lib/tenant.mjs';
import { catalogue, englishMatchers, englishLeft } from './lib/english.mjs';
import { axeFindings } from './lib/axe.mjs';
import { browserLogin } from './lib/browser.mjs';

// A 1x1 PNG (red, opaque).
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
const COMPANY_ADMIN = ['portada', 'Kq4-Violet-Lamp-58'];
const BRAND_ADMIN = ['marcasur', 'Zt7-Amber-Kite-31'];
let d;
let browser;
let company;

before(async () => {
  d = await startFaxd({ demo: false });
  const admin = await login(d, 'admin', 'admin-e2e');
  const brand = await call(d, 'POST', '/brands', { token: admin, body: { name: 'Telefonía Sur' } });
  company = await call(d, 'POST', '/companies', { token: admin,
    body: { brand_id: brand.id, name: 'Clínica Norte', timezone: 'Europe/Madrid', language: 'es' } });
  await call(d, 'POST', '/users', { token: admin, body: { username: COMPANY_ADMIN[0], password: COMPANY_ADMIN[1],
    role: 'company_admin', brand_id: brand.id, company_id: company.id } });
  await call(d, 'POST', '/users', { token: admin, body: { username: BRAND_ADMIN[0], password: BRAND_ADMIN[1],
    role: 'brand_admin', brand_id: brand.id } });
  await call(d, 'POST', '/virtual-faxes', { token: admin,
    body: { company_id: company.id, name: 'Recepción', email: '', send_by_email: false } });
  ({ browser } = await launchBrowser());
});

after(async () => {
  if (browser) await browser.close();
  if (d) await d.stop();
});

const loginAs = ([username, password], locale) => browserLogin(browser, d, username, password, { locale });

test('a company admin sets the cover page, in Spanish', async () => {
  const { context, page, problems } = await loginAs(COMPANY_ADMIN, 'es-ES');
  await page.locator('#nav').getByRole('link', { name: 'Portada', exact: true }).click();
  await page.getByRole('heading', { name: 'Portada de Clínica Norte' }).waitFor();
  const form = page.getByRole('form', { name: 'Portada' });
  await form.getByLabel('Título').fill('Fax urgente');
  await form.getByLabel('Pie de página').fill('Confidencial: solo para el destinatario.');

  // A file that is no PNG: refused beside the field, in plain words.
  const logoError = form.locator('.field[data-field="logo"] .field-error');
  await form.getByLabel('Logotipo').setInputFiles({ name: 'logo.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not an image at all') });
  await logoError.getByText('logo.jpg no es una imagen PNG.', { exact: false }).waitFor();
  assert.equal(await form.getByLabel('Logotipo').getAttribute('aria-invalid'), 'true');

  await form.getByLabel('Logotipo').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG });
  await page.locator('#cover-logo-info').getByText(/^logo\.png, \d+ B: se usará cuando guarde\.$/).waitFor();
  assert.equal(await logoError.textContent(), '');
  await form.getByRole('button', { name: 'Guardar' }).click();
  await form.getByText('La portada se ha guardado.').waitFor();

  // Kept: after a reload (the new page's own heading first) and in the API.
  await page.reload();
  await page.getByRole('heading', { name: 'Portada de Clínica Norte' }).waitFor();
  assert.equal(await form.getByLabel('Título').inputValue(), 'Fax urgente');
  assert.equal(await form.getByLabel('Pie de página').inputValue(), 'Confidencial: solo para el destinatario.');
  await page.locator('#cover-logo-info').getByText('El logotipo guardado:').waitFor();
  assert.match(await page.locator('img.cover-logo').getAttribute('src'), /^data:image\/png;base64,/);
  const saved = await call(d, 'GET', `/companies/${company.id}/cover-template`, { token: await login(d, ...COMPANY_ADMIN) });
  assert.equal(saved.title, 'Fax urgente');
  assert.equal(saved.footer, 'Confidencial: solo para el destinatario.');
  assert.equal(saved.logo, `data:image/png;base64,${PNG.toString('base64')}`);

  // A sample cover page drawn by faxd from the saved template.
  await page.getByRole('button', { name: 'Vista previa' }).click();
  const thumb = page.locator('.cover-preview img.cover-thumb');
  await thumb.waitFor();
  assert.match(await thumb.getAttribute('src'), /^data:image\/png;base64,/);
  assert.equal(await thumb.getAttribute('alt'), 'La portada de ejemplo');

  const [en, es] = [await catalogue('en'), await catalogue('es')];
  assert.deepEqual(await englishLeft(page, englishMatchers(en, es)), [], 'cover page');
  assert.deepEqual(await axeFindings(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a brand admin opens a company\'s cover page from its row', async () => {
  const { context, page, problems } = await loginAs(BRAND_ADMIN, 'en-US');
  await page.locator('#nav').getByRole('link', { name: 'Companies', exact: true }).click();
  await page.getByRole('heading', { name: 'Companies', exact: true }).waitFor();
  await page.getByRole('link', { name: 'Cover page: Clínica Norte' }).click();
  await page.getByRole('heading', { name: 'Cover page of Clínica Norte' }).waitFor();
  const form = page.getByRole('form', { name: 'Cover page' });
  await form.getByLabel('Company name').fill('Clínica Norte S.L.');
  await form.getByRole('button', { name: 'Save' }).click();
  await form.getByText('The cover page is saved.').waitFor();
  const saved = await call(d, 'GET', `/companies/${company.id}/cover-template`, { token: await login(d, ...BRAND_ADMIN) });
  assert.equal(saved.company_name, 'Clínica Norte S.L.');
  assert.equal(saved.title, 'Fax urgente');
  assert.deepEqual(await axeFindings(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});
