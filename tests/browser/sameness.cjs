// SPDX-License-Identifier: MIT
// sameness.cjs URL PASSWORD FILE OUTDIR — every static answer of a real
// workbench load, as Chromium got it, for tests/e2e/test_vscode_files.py to
// hold against the VS Code server's own answer.
//
// Logs in at URL, then loads the workbench three times with the cache
// cleared, until the Explorer lists FILE: with Chromium's own
// Accept-Encoding ("browser"), with "gzip" and with "identity".  For every
// answer to a path holding "/static/" it writes the body Chromium decoded to
// OUTDIR/N (when the frame kept it) and a line to OUTDIR/answers.json: the load, the URL, the status,
// the request's headers as they went out and the answer's headers.  Exit 0
// once all three loads are recorded.
'use strict';
const fs = require('fs');
const path = require('path');
const { loopbackOnly, launch, login, explorerShows } = require('./chromium.cjs');

const [url, password, file, outdir] = process.argv.slice(2);
loopbackOnly(url);
const T = 120000;
const LOADS = [['browser', null], ['gzip', 'gzip'], ['identity', 'identity']];

(async () => {
  const { context, page, close } = await launch({ ignoreHTTPSErrors: true });
  const answers = [];
  let code = 1;
  try {
    const cdp = await context.newCDPSession(page);
    let load = null;
    let pending = [];
    // A frame that navigates away takes its answer's body along (VS Code's
    // webview frames do): such an answer is recorded without one, and the
    // test replays its request instead.
    const record = async (response, as) => {
      const entry = { load: as, url: response.url(), status: response.status(), body: null };
      const name = String(answers.push(entry) - 1);  // before any await: others push meanwhile
      try {
        const body = response.status() === 200 ? await response.body().catch(() => null) : null;
        if (body) {
          entry.body = name;
          fs.writeFileSync(path.join(outdir, entry.body), body);
        }
        entry.request = await response.request().allHeaders();
        entry.headers = await response.allHeaders();
      } catch (e) {
        entry.error = String(e).slice(0, 200);
      }
    };
    page.on('response', r => {
      if (load && new URL(r.url()).pathname.includes('/static/')) pending.push(record(r, load));
    });
    await login(page, url, password, T);
    await explorerShows(page, file, T);
    for (const [as, encoding] of LOADS) {
      await page.goto('about:blank');
      await cdp.send('Network.clearBrowserCache');
      await page.setExtraHTTPHeaders(encoding ? { 'Accept-Encoding': encoding } : {});
      load = as;
      await page.goto(url, { waitUntil: 'commit', timeout: T });
      await explorerShows(page, file, T);
      await page.waitForLoadState('networkidle', { timeout: 10000 }).catch(() => {});  // late answers too
      load = null;
      await Promise.all(pending);
      pending = [];
    }
    code = 0;
  } catch (e) {
    answers.push({ error: String(e).slice(0, 500) });
  } finally {
    await close();
  }
  fs.writeFileSync(path.join(outdir, 'answers.json'), JSON.stringify(answers));
  process.exit(code);
})();
