// Mail templates in the browser (issue #18): a company admin whose company speaks Spanish writes
// a template, is told in Spanish which variable is unknown, previews the mail with sample values,
// sends a test mail that a real SMTP server (Debian's aiosmtpd) receives, and saves it; a brand
// admin sets the brand's mail language. No English string is left on the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFaxd, launchBrowser, freePort } from './lib/faxd.mjs';
import { call, login } from './lib/tenant.mjs';
import { catalogue, englishMatchers, englishLeft } from './lib/english.mjs';
import { browserLogin, until } from './lib/browser.mjs';

const sink = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../unit/mail/smtp_sink.py');
let d;
let smtp;
let browser;
let maildir;
let company;
let brand;

before(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'faxd-e2e-mail-'));
  maildir = path.join(dir, 'inbox');
  const port = await freePort();
  const portFile = path.join(dir, 'smtp.port');
  mkdirSync(maildir, { recursive: true });
  smtp = spawn('/usr/bin/python3', [sink, '--port', String(port), '--out', maildir, '--port-file', portFile],
    { stdio: 'ignore' });
  await until('the SMTP server', () => existsSync(portFile));
  d = await startFaxd({ demo: false, extra: `[smtp]\nurl = "smtp://127.0.0.1:${port}"\nstarttls = "never"\nfrom = "Fax <fax@provider.example>"\n` });
  const admin = await login(d, 'admin', 'admin-e2e');
  brand = await call(d, 'POST', '/brands', { token: admin, body: { name: 'Telefonía Sur' } });
  company = await call(d, 'POST', '/companies', { token: admin,
    body: { brand_id: brand.id, name: 'Clínica Norte', timezone: 'Europe/Madrid', language: 'es' } });
  await call(d, 'POST', '/users', { token: admin, body: { username: 'clinica', password: 'Cl3-Sauce-Tejo-42',
    role: 'company_admin', brand_id: brand.id, company_id: company.id } });
  await call(d, 'POST', '/users', { token: admin, body: { username: 'marca', password: 'Mk6-Olmo-Ruta-95',
    role: 'brand_admin', brand_id: brand.id } });
  ({ browser } = await launchBrowser());
});

after(async () => {
  if (browser) await browser.close();
  if (d) await d.stop();
  if (smtp) smtp.kill();
});

const loginAs = (username, password) => browserLogin(browser, d, username, password, { locale: 'es-ES' });

test('a company admin writes, previews and tests a template in Spanish', async () => {
  const { context, page, problems } = await loginAs('clinica', 'Cl3-Sauce-Tejo-42');
  await page.locator('#nav').getByRole('link', { name: 'Plantillas de correo', exact: true }).click();
  await page.getByRole('heading', { name: 'Plantillas de correo' }).waitFor();
  await page.getByRole('button', { name: 'Nueva plantilla de correo' }).click();
  const form = page.getByRole('form', { name: 'Nueva plantilla de correo' });
  await form.getByLabel('Correo', { exact: true }).selectOption('fax_received');
  await form.getByLabel('Asunto').fill('Fax de {remitente}');
  await form.getByLabel('Texto', { exact: true }).fill('Páginas: {pages}\nDe: {from}');
  await form.getByRole('button', { name: 'Crear' }).click();
  // The unknown variable is named beside the subject, in Spanish.
  const subjectError = form.locator('.field[data-field="subject"] .field-error');
  await until('the error', async () => /\{remitente\} no es una variable/.test(await subjectError.textContent()));

  await form.getByLabel('Asunto').fill('Fax de {from} para {company}');
  await form.getByLabel('HTML (opcional)').fill('<p>Hola <b>{company}</b>: {pages} páginas</p>');
  await form.getByRole('button', { name: 'Vista previa' }).click();
  const preview = form.locator('.template-preview');
  await preview.getByText('Fax de +34910000001 para Clínica Norte').waitFor();
  assert.match(await preview.locator('pre.mail-text').textContent(), /Páginas: 2\nDe: \+34910000001/);
  const html = await preview.locator('iframe.mail-html').getAttribute('srcdoc');
  assert.equal(html, '<p>Hola <b>Clínica Norte</b>: 2 páginas</p>');
  assert.equal(await preview.locator('iframe.mail-html').getAttribute('sandbox'), '');

  const [en, es] = [await catalogue('en'), await catalogue('es')];
  assert.deepEqual(await englishLeft(page, englishMatchers(en, es)), [], 'templates page');

  await form.getByLabel('Correo de prueba a').fill('yo@clinica.example');
  await form.getByRole('button', { name: 'Enviar un correo de prueba' }).click();
  await form.getByText('Se ha enviado un correo de prueba a yo@clinica.example.').waitFor();
  const mails = await until('the test mail', () => readdirSync(maildir).filter((f) => f.endsWith('.eml')));
  const raw = readFileSync(path.join(maildir, mails[0]), 'latin1');
  assert.match(raw, /^Subject: Fax de \+34910000001 /m);
  assert.match(raw, /^To: yo@clinica\.example\r$/m);
  assert.match(raw, /multipart\/alternative/);
  assert.match(raw, /application\/pdf/);

  await form.getByRole('button', { name: 'Crear' }).click();
  await page.locator('.status').getByText('Plantilla Fax recibido creada.').waitFor();
  const saved = await call(d, 'GET', '/notification-templates', { token: await login(d, 'clinica', 'Cl3-Sauce-Tejo-42') });
  assert.equal(saved.data.length, 1);
  assert.equal(saved.data[0].company_id, company.id);
  assert.equal(saved.data[0].subject, 'Fax de {from} para {company}');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a brand admin sets the language its mails fall back to', async () => {
  const { context, page, problems } = await loginAs('marca', 'Mk6-Olmo-Ruta-95');
  await page.locator('#nav').getByRole('link', { name: 'Plantillas de correo', exact: true }).click();
  const form = page.getByRole('form', { name: 'Idioma de los correos de la marca' });
  await form.getByLabel('Idioma de los correos de la marca').selectOption('pt-BR');
  await form.getByRole('button', { name: 'Guardar' }).click();
  await form.getByText('El idioma de correo de la marca se ha guardado.').waitFor();
  const b = await call(d, 'GET', `/brands/${brand.id}`, { token: await login(d, 'admin', 'admin-e2e') });
  assert.equal(b.language, 'pt-BR');
  assert.deepEqual(problems, []);
  await context.close();
});
