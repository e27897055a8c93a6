// Test support for the browser tests: faxd processes on loopback with temporary configs
// (optionally the demo tenant, which faxes itself through a loopback carrier), Debian's
// chromium driven by playwright-core, and PDFs made on the fly.
// E2E_WEB_DIR=web/ serves the UI files from that folder through a small proxy in front of
// faxd (for working on the UI without rebuilding faxd); without it the embedded UI is tested.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

let started = 0;

// demo: seed the demo tenant; extra: more TOML (say an [smtp] section). Each faxd of a run gets
// its own media port range.
export async function startFaxd({ demo = true, extra = '' } = {}) {
  const bin = process.env.FAXD_BIN || path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../build/faxd');
  const dir = mkdtempSync(path.join(tmpdir(), 'faxd-e2e-'));
  const httpPort = await freePort();
  const sipPort = await freePort();
  const mediaBase = 30000 + (process.pid % 25) * 400 + (started++ % 2) * 200;
  const config = `
[daemon]
data_dir = "${dir}/var"
shutdown_grace_s = 5
[http]
listen = "127.0.0.1:${httpPort}"
[sip]
listen = "127.0.0.1:${sipPort}"
[media]
address = "127.0.0.1"
port_min = ${mediaBase}
port_max = ${mediaBase + 198}
[t38]
reinvite_after_s = 1
[conversion]
per_tenant = 8  # the browser tests' tenants send several documents at once
[webhooks]
allow_internal = ["127.0.0.1"]  # the tests' webhook receivers listen on loopback
[admin]
username = "admin"
password = "admin-e2e"
[demo]
enabled = ${demo}
[log]
level = "info"
${extra}`;
  writeFileSync(path.join(dir, 'faxd.toml'), config);
  const log = [];
  const proc = spawn(bin, ['--config', path.join(dir, 'faxd.toml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.on('data', (d) => log.push(d.toString()));
  proc.stderr.on('data', (d) => log.push(d.toString()));
  let base = `http://127.0.0.1:${httpPort}`;
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`faxd exited: ${log.join('')}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch { /* not yet */ }
    if (i > 300) throw new Error(`faxd did not start: ${log.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  let proxy = null;
  if (process.env.E2E_WEB_DIR) {
    proxy = await webProxy(path.resolve(process.env.E2E_WEB_DIR), httpPort);
    base = `http://127.0.0.1:${proxy.address().port}`;
  }
  return {
    base, dir, log, sipPort, httpPort,
    async stop() {
      if (proxy) proxy.close();
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

function webProxy(root, faxdPort) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (!url.pathname.startsWith('/api/')) {
      const file = path.join(root, url.pathname === '/' ? 'index.html' : path.normalize(url.pathname));
      if (file.startsWith(root) && existsSync(file)) {
        res.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'application/octet-stream',
          'Content-Security-Policy': "default-src 'self'; img-src 'self' data: blob:; script-src 'self'; style-src 'self'" });
        res.end(readFileSync(file));
        return;
      }
    }
    const up = http.request({ host: '127.0.0.1', port: faxdPort, path: req.url, method: req.method, headers: req.headers },
      (r) => { res.writeHead(r.statusCode, r.headers); r.pipe(res); });
    up.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(up);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// playwright-core gives chromium a fresh temporary --user-data-dir itself (and refuses the
// flag with launch()), so every run starts from an empty profile.
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // *.faxd.test names this machine (a brand's own host name, tests/e2e/web_admin.test.mjs).
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--host-resolver-rules=MAP *.faxd.test 127.0.0.1',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return { browser };
}

// A valid one-page PDF (Helvetica text), xref offsets computed.
export function onePagePdf(text = 'faxd end-to-end test page') {
  return textPdf([text]);
}

// A valid PDF with one page per text (Helvetica, a rule under the text).
export function textPdf(texts) {
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${texts.map((_, i) => `${4 + 2 * i} 0 R`).join(' ')}] /Count ${texts.length} >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  texts.forEach((text, i) => {
    const content = `BT /F1 36 Tf 72 700 Td (${text}) Tj ET\n0 0 0 RG 4 w 72 650 m 540 650 l S`;
    objs.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${5 + 2 * i} 0 R /Resources << /Font << /F1 3 0 R >> >> >>`,
      `<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
  });
  let out = '%PDF-1.4\n';
  const offsets = [];
  objs.forEach((o, i) => { offsets.push(out.length); out += `${i + 1} 0 obj\n${o}\nendobj\n`; });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
