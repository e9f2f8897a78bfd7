// SPDX-License-Identifier: MIT
// coldload.cjs URL PASSWORD FILE [KBIT LATENCY_MS] — how long a workbench
// takes to load and what it costs on the wire, in Chromium.
//
// Logs in at URL (portico's or code-server's login page), then loads the
// workbench twice: cold (browser cache cleared) and warm (cache kept), each
// until the Explorer lists FILE.  With KBIT and LATENCY_MS, DevTools
// network throttling (download and upload KBIT kbit/s, LATENCY_MS added to
// each round trip) applies to both loads.  Prints one JSON object: for each
// load the milliseconds, the bytes received for HTTP answers (encoded, as
// on the wire: heads and bodies), and every answer (url, status, encoding,
// bytes, the headers a static file's sameness depends on).  Only loopback
// is reachable (every other name resolves to nothing).
'use strict';
const { chromium } = require('playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [url, password, file, kbit, latency] = process.argv.slice(2);
if (!['127.0.0.1', 'localhost'].includes(new URL(url).hostname)) throw new Error('refusing a non-loopback URL');
const T = 120000;
const KEEP = ['content-type', 'content-encoding', 'cache-control', 'etag', 'vary', 'content-length'];

(async () => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-coldload-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    ignoreHTTPSErrors: true,
    viewport: { width: 1280, height: 800 },
    env: { ...process.env, XDG_CONFIG_HOME: path.join(profile, 'config'), XDG_CACHE_HOME: path.join(profile, 'cache') },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1'],
  });
  // No context.route() here: Playwright turns the HTTP cache off while any
  // route is set, and the warm load is about that cache.  The resolver rule
  // above already leaves only loopback reachable.
  const out = { url, throttle: kbit ? { kbit: +kbit, latency: +latency } : null, loads: {} };
  let code = 1;
  try {
    const page = context.pages()[0] || await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    let answers = new Map();
    cdp.on('Network.responseReceived', e => {
      const h = {};
      for (const [k, v] of Object.entries(e.response.headers)) if (KEEP.includes(k.toLowerCase())) h[k.toLowerCase()] = v;
      answers.set(e.requestId, { url: e.response.url, status: e.response.status, headers: h, bytes: 0,
        cached: !!(e.response.fromDiskCache || e.response.fromMemoryCache || e.response.fromServiceWorker) });
    });
    cdp.on('Network.loadingFinished', e => { const a = answers.get(e.requestId); if (a) a.bytes = e.encodedDataLength; });
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: T });
    await page.fill('input[name=password]', password);
    await Promise.all([page.waitForNavigation({ timeout: T }), page.press('input[name=password]', 'Enter')]);
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: file }).first().waitFor({ timeout: T });
    if (kbit) {
      const bps = +kbit * 1000 / 8;
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: +latency,
        downloadThroughput: bps, uploadThroughput: bps });
    }
    for (const kind of ['cold', 'warm']) {
      if (kind === 'cold') await cdp.send('Network.clearBrowserCache');
      await page.goto('about:blank');
      answers = new Map();
      const t0 = Date.now();
      await page.goto(url, { waitUntil: 'commit', timeout: T });
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: file }).first().waitFor({ timeout: T });
      const ms = Date.now() - t0;
      const list = [...answers.values()];
      out.loads[kind] = { ms, bytes: list.reduce((s, a) => s + a.bytes, 0), answers: list };
    }
    code = 0;
  } catch (e) {
    out.error = String(e).slice(0, 500);
  } finally {
    await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(JSON.stringify(out));
  process.exit(code);
})();
