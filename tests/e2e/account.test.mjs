// My account in a real browser against one faxd (issues #21 and #23), as one company admin:
//  - signed in in two browsers, she sees both sessions (this one marked), logs the other out,
//    and the other browser's next click lands on the login page;
//  - a weak new password (her user name with digits, 'password1234') is refused with the
//    policy's reason at the field, and changes nothing;
//  - a good one is taken: her other sessions (a browser, an API login) end, the new password
//    logs in and the old one is refused;
//  - her language and time zone, chosen on the page, hold after a reload; in Spanish the page
//    has no English left, errors and questions included; axe finds no serious issue.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFaxd, launchBrowser } from './lib/faxd.mjs';
import { call, login } from './lib/tenant.mjs';
import { catalogue, englishMatchers, englishLeft } from './lib/english.mjs';
import { axeFindings } from './lib/axe.mjs';
import { browserLogin } from './lib/browser.mjs';

const USER = 'rosalind';
const FIRST = 'Kq4-Violet-Lamp-58';   // both meet the password policy
const SECOND = 'Wb7-Amber-Fjord-31';
let d;
let browser;
let password = FIRST;
let mine;  // her first browser: { context, page, problems }

before(async () => {
  d = await startFaxd({ demo: false });
  ({ browser } = await launchBrowser());
  const admin = await login(d, 'admin', 'admin-e2e');
  const brand = await call(d, 'POST', '/brands', { token: admin, body: { name: 'Norte brand' } });
  const company = await call(d, 'POST', '/companies', { token: admin,
    body: { brand_id: brand.id, name: 'Norte company', timezone: 'UTC', language: 'en' } });
  await call(d, 'POST', '/users', { token: admin, body: { username: USER, password: FIRST, role: 'company_admin',
    brand_id: brand.id, company_id: company.id } });
});

after(async () => {
  if (browser) await browser.close();
  if (d) await d.stop();
});

// Her current password.
const signIn = () => browserLogin(browser, d, USER, password, { viewport: { width: 1280, height: 900 }, consoleErrors: true });

// My account, drawn whole (its session list is the last part it fetches). After a reload the
// page is drawn anew at #/account: only wait for it.
async function openAccount(page, heading = 'My account') {
  if (!page.url().endsWith('#/account')) await page.locator('#my-account').click();
  await page.getByRole('heading', { name: heading, exact: true }).waitFor();
  await page.locator('#sessions li').first().waitFor();
}

const sessionNames = (page) => page.locator('#sessions li strong').allTextContents();
const fieldError = (page, name) => page.locator(`.field[data-field="${name}"] .field-error`);

// An API answer's status, for logins expected to fail.
async function loginStatus(pw) {
  const res = await fetch(`${d.base}/api/v1/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: USER, password: pw }) });
  return res.status;
}

// The other browser's next click (a menu link) shows the login form, saying the session ended.
async function landsOnLogin(page) {
  await page.locator('#nav').getByRole('link', { name: 'Sent', exact: true }).click();
  await page.locator('#login-form').waitFor();
  await page.locator('#login-error').getByText('Your session ended. Log in again.').waitFor();
  assert.equal(await page.locator('#logout').count(), 0);
}

test('two sessions are listed, this one marked; logging the other out sends it to the login page', async () => {
  mine = await signIn();
  const other = await signIn();
  await openAccount(other.page);  // a page that does not poll: its next click is the first news
  await openAccount(mine.page);
  assert.equal(await mine.page.locator('#sessions li').count(), 2);
  const names = await sessionNames(mine.page);
  assert.equal(names.filter((n) => n === 'This browser').length, 1, names.join(' | '));
  assert.match(names.find((n) => n !== 'This browser'), /Chrome/);

  const sessions = mine.page.locator('#sessions');
  await sessions.getByRole('button', { name: 'Log out everywhere else' }).click();
  await sessions.getByText('Log out every other session?').waitFor();
  await sessions.getByRole('button', { name: 'Yes, log out everywhere else' }).click();
  await sessions.getByText('Every other session is logged out.').waitFor();
  await sessions.getByText('You are not logged in anywhere else.').waitFor();
  assert.deepEqual(await sessionNames(mine.page), ['This browser']);

  await landsOnLogin(other.page);
  assert.deepEqual(other.problems, []);
  await other.context.close();
});

test('a weak new password is refused with the reason at the field, and changes nothing', async () => {
  const { page } = mine;
  const form = page.locator('#password-form');
  const newPassword = form.getByLabel('New password', { exact: true });
  await form.getByLabel('Current password', { exact: true }).fill(password);
  for (const [weak, reason] of [
    [`${USER}20240815`, 'A password must not contain the username: choose another one.'],
    ['password1234', 'This password is one of the most common ones: choose a longer, less guessable one.'],
    ['Tiny-7', 'Use at least 12 characters, not the username, and not a common or dictionary password.']]) {
    await newPassword.fill(weak);
    await form.getByRole('button', { name: 'Change password' }).click();
    await fieldError(page, 'new_password').getByText(reason, { exact: true }).waitFor();
    assert.equal(await newPassword.getAttribute('aria-invalid'), 'true', weak);
  }
  // A wrong current password is said at its own field.
  await form.getByLabel('Current password', { exact: true }).fill('Not-The-Pass-42');
  await newPassword.fill(SECOND);
  await form.getByRole('button', { name: 'Change password' }).click();
  await fieldError(page, 'current_password').getByText('This is not your current password: type it again.').waitFor();
  assert.equal(await fieldError(page, 'new_password').textContent(), '');
  assert.equal(await page.locator('#password-form [role=status]').textContent(), '');
  assert.deepEqual(await axeFindings(page), []);

  // Nothing changed: the old password still logs in (and is one more session to end later).
  assert.equal(await loginStatus(SECOND), 401);
  assert.ok(await login(d, USER, FIRST));
  assert.deepEqual(mine.problems, []);
});

test('a good new password is taken: the other sessions end, the new one logs in, the old one not', async () => {
  const other = await signIn();
  await openAccount(other.page);
  const token = await login(d, USER, password);
  const { page } = mine;
  await page.reload();
  await openAccount(page);
  assert.ok((await page.locator('#sessions li').count()) >= 3, 'this browser, the other one and the API logins');

  const form = page.locator('#password-form');
  await form.getByLabel('Current password', { exact: true }).fill(password);
  await form.getByLabel('New password', { exact: true }).fill(SECOND);
  await form.getByRole('button', { name: 'Change password' }).click();
  await form.getByText('Your password is changed, and you are logged out everywhere else.').waitFor();
  password = SECOND;
  assert.deepEqual(await sessionNames(page), ['This browser']);
  assert.equal(await form.getByLabel('New password', { exact: true }).inputValue(), '');

  await landsOnLogin(other.page);
  await other.context.close();
  const me = await fetch(`${d.base}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(me.status, 401, 'the API login made before the change');
  assert.equal(await loginStatus(FIRST), 401);
  assert.equal(await loginStatus(SECOND), 200);
  // This browser stays in.
  await page.locator('#nav').getByRole('link', { name: 'Sent', exact: true }).click();
  await page.getByRole('heading', { name: 'Sent', exact: true }).waitFor();
  assert.deepEqual(mine.problems, []);
});

test('language and time zone chosen on My account hold after a reload; in Spanish no English is left', async () => {
  const { page } = mine;
  await openAccount(page);
  await page.getByLabel('Language', { exact: true }).selectOption('es');
  await page.getByLabel('Time zone', { exact: true }).selectOption('America/Mexico_City');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('heading', { name: 'Mi cuenta', exact: true }).waitFor();
  await page.getByText('Sus ajustes se han guardado.').waitFor();

  await page.reload();
  await openAccount(page, 'Mi cuenta');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'es');
  assert.equal(await page.getByLabel('Idioma', { exact: true }).inputValue(), 'es');
  assert.equal(await page.getByLabel('Zona horaria', { exact: true }).inputValue(), 'America/Mexico_City');
  const me = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
  assert.equal(me.language, 'es');
  assert.equal(me.timezone, 'America/Mexico_City');

  // Another session (an API login), a weak password refused and the question before logging
  // out the others: all of it in Spanish.
  await login(d, USER, password);
  await page.reload();
  await openAccount(page, 'Mi cuenta');
  assert.ok((await page.locator('#sessions li').count()) >= 2, 'this browser and the API logins');
  const form = page.locator('#password-form');
  await form.getByLabel('Contraseña actual', { exact: true }).fill(password);
  await form.getByLabel('Contraseña nueva', { exact: true }).fill(`${USER}20240815`);
  await form.getByRole('button', { name: 'Cambiar la contraseña' }).click();
  await fieldError(page, 'new_password').getByText('La contraseña no puede contener el nombre de usuario: elija otra.').waitFor();
  await page.locator('#sessions').getByRole('button', { name: 'Cerrar las demás sesiones' }).click();
  await page.locator('#sessions').getByText('¿Cerrar todas las demás sesiones?').waitFor();

  const english = englishMatchers(await catalogue('en'), await catalogue('es'));
  // Time zones are shown by their IANA names ("Europe/Isle of Man"): data, not UI text.
  const zones = new Set(await page.getByLabel('Zona horaria', { exact: true }).locator('option')
    .evaluateAll((os) => os.map((o) => o.textContent)));
  assert.deepEqual((await englishLeft(page, english)).filter((f) => !zones.has(f.text)), []);
  assert.deepEqual(await axeFindings(page), []);
  assert.deepEqual(mine.problems, []);
  await mine.context.close();
});
