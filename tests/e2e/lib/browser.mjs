// What the browser tests do in every page: log in through the form in a new browser context,
// follow a menu link, wait for a condition, save a screenshot (FAXD_SCREENSHOTS=DIR).
import { mkdirSync } from 'node:fs';
import path from 'node:path';

// A new context (its own cookies) logged in as `username` on `faxd`, its first page drawn.
// problems: the page's uncaught errors and, with consoleErrors, its console errors but the
// 4xx answers the tests provoke. beforeSubmit(page) runs with the form filled in. Any other
// option (acceptDownloads) goes to browser.newContext.
export async function browserLogin(browser, faxd, username, password,
  { viewport = { width: 1200, height: 900 }, locale = 'en-US', consoleErrors = false, beforeSubmit, ...contextOptions } = {}) {
  const context = await browser.newContext({ viewport, ...contextOptions, locale });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  if (consoleErrors) {
    page.on('console', (m) => { if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`); });
  }
  await page.goto(faxd.base + '/');
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  if (beforeSubmit) await beforeSubmit(page);
  await page.locator('#login-form button[type=submit]').click();
  await page.locator('#logout').waitFor();
  // The page the login lands on (the role's first) is drawn before the test goes elsewhere: the
  // app draws pages as their data comes, and one drawn late would replace the next one.
  await page.locator('#login-form').waitFor({ state: 'detached' });
  return { context, page, problems };
}

// The menu's link texts.
export const navLinks = async (page) => page.locator('#nav a').allTextContents();

// Follows a menu link (on a phone, the menu opens first).
export async function nav(page, name) {
  const toggle = page.locator('#menu-toggle');
  if (await toggle.isVisible()) await toggle.click();
  await page.locator('#nav').getByRole('link', { name, exact: true }).click();
}

// check()'s first truthy value, asked every `every` ms for up to `ms`; detail() adds to the
// timeout's message (a faxd log, say).
export async function until(what, check, { ms = 30000, every = 200, detail = () => '' } = {}) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${detail()}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

const shots = process.env.FAXD_SCREENSHOTS ? path.resolve(process.env.FAXD_SCREENSHOTS) : null;

// With FAXD_SCREENSHOTS=DIR, the whole page as DIR/<name>.png (for docs/screenshots/).
export async function shot(page, name) {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}
