// The web UI tests' world (web_*.test.mjs): real faxd processes on loopback and one browser:
//  - tx, the sender, with the demo tenant (company admin demo/demo, virtual fax "Demo fax" whose
//    DDI +15550000100 routes back to itself) and a provisioned tenant "tx" whose faxes go over a
//    carrier to rx (and numbers +1999... to a carrier that never answers);
//  - rx, the receiver, whose tenant "rx" has the DDI +15550002000 on the virtual fax "Reception".
import { before, after } from 'node:test';
import { startFaxd, launchBrowser } from './faxd.mjs';
import { provision, blackHole, addRoute } from './tenant.mjs';
import { browserLogin, shot } from './browser.mjs';

export const RX_DDI = '+15550002000';
export const TX_DDI = '+15550001000';

// { tx, rx, txTenant, rxTenant, hole, browser, loginAs(username, password, options), stop() }.
export async function startWebPair() {
  const w = {};
  w.stop = async () => {
    if (w.browser) await w.browser.close();
    await Promise.all([w.tx, w.rx].filter(Boolean).map((d) => d.stop()));
    if (w.hole) w.hole.close();
  };
  try {
    [w.tx, w.rx] = await Promise.all([startFaxd({ demo: true }), startFaxd({ demo: false })]);
    ({ browser: w.browser } = await launchBrowser());
    w.rxTenant = await provision(w.rx, { name: 'Receiver', peerSipPort: w.tx.sipPort, ddi: RX_DDI, vfaxName: 'Reception', user: 'rx' });
    w.txTenant = await provision(w.tx, { name: 'Sender', peerSipPort: w.rx.sipPort, ddi: '+15550001999', outgoingDdi: TX_DDI,
      vfaxName: 'Front office', user: 'tx' });
    w.hole = await blackHole();
    await addRoute(w.tx, w.txTenant, { prefix: '+1999', port: w.hole.port, name: 'Silent trunk', maxCalls: 1 });
  } catch (e) {
    await w.stop();
    throw e;
  }
  // On tx unless `on` says otherwise; the demo user's login page is a screenshot.
  w.loginAs = (username, password, { on = w.tx, viewport = { width: 1200, height: 800 }, locale = 'en-US' } = {}) =>
    browserLogin(w.browser, on, username, password, { viewport, locale, acceptDownloads: true, consoleErrors: true,
      beforeSubmit: username === 'demo' ? (page) => shot(page, 'login') : undefined });
  return w;
}

// A test file's pair: started before the file's tests (node:test hooks) and handed to `use`,
// which keeps what the file needs; stopped after them.
export function useWebPair(use) {
  let w;
  before(async () => {
    w = await startWebPair();
    use(w);
  });
  after(async () => {
    if (w) await w.stop();
  });
}

// Waits for the fax page's status to read `text`; on a timeout, prints the page and d's log.
export async function waitForStatus(page, text, timeout, d) {
  try {
    await page.locator('[data-fact="Status"]').getByText(text).waitFor({ timeout });
  } catch (e) {
    console.log(`fax page: ${await page.locator('#main').innerText()}\nfaxd log:\n${d.log.join('').slice(-6000)}`);
    throw e;
  }
}

// How many pages a PDF has.
export const pdfPages = (bytes) => (bytes.toString('latin1').match(/\/Type\s*\/Page(?![a-z])/g) || []).length;
