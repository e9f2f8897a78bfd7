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
const { loopbackOnly, launch, login, explorerShows } = require('./chromium.cjs');

const [url, password, file, kbit, latency] = process.argv.slice(2);
loopbackOnly(url);
const T = 120000;
const KEEP = ['content-type', 'content-encoding', 'cache-control', 'etag', 'vary', 'content-length'];

(async () => {
  const { context, page, close } = await launch({ ignoreHTTPSErrors: true });
  // No context.route() here: Playwright turns the HTTP cache off while any
  // route is set, and the warm load is about that cache.  The resolver rule
  // of chromium.cjs already leaves only loopback reachable.
  const out = { url, throttle: kbit ? { kbit: +kbit, latency: +latency } : null, loads: {} };
  let code = 1;
  try {
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
    await login(page, url, password, T);
    await explorerShows(page, file, T);
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
      await explorerShows(page, file, T);
      const ms = Date.now() - t0;
      const list = [...answers.values()];
      out.loads[kind] = { ms, bytes: list.reduce((s, a) => s + a.bytes, 0), answers: list };
    }
    code = 0;
  } catch (e) {
    out.error = String(e).slice(0, 500);
  } finally {
    await close();
  }
  console.log(JSON.stringify(out));
  process.exit(code);
})();
