// SPDX-License-Identifier: MIT
// trusted.cjs URL PASSWORD FOLDER HOME SCREENSHOT — the workbench over https
// with portico's own CA trusted the way a user trusts it: imported into the
// NSS database under HOME (certutil), no certificate errors ignored, at
// https://portico-box.test:PORT/ (a LAN-looking name the browser maps to
// 127.0.0.1).  Logs in, waits for the workbench, registers code-server's
// service worker (a secure context only), opens FOLDER/README.md in the
// Markdown preview (a webview: a service worker of its own) and finds its
// heading rendered.  Prints a JSON report; exit 0 only when every step held.
'use strict';
const { BOX, loopbackOnly, launch, blockOthers, login, openFile, conclude } = require('./chromium.cjs');

const [url, password, folder, home, screenshot] = process.argv.slice(2);
loopbackOnly(url);
if (new URL(url).hostname !== BOX) throw new Error('trusted.cjs is for https://' + BOX);
const T = 45000;

(async () => {
  const { context, page, close } = await launch({ home, box: true });
  const report = { steps: [], blocked: [], certificateErrors: [] };
  const step = name => { report.steps.push(name); console.error('step: ' + name); };
  await blockOthers(context, report.blocked);
  page.on('requestfailed', r => {
    const e = r.failure() ? r.failure().errorText : '';
    if (/CERT|SSL/.test(e)) report.certificateErrors.push(e + ' ' + r.url().slice(0, 100));
  });
  await conclude(report, close, async () => {
    await login(page, url, password, T);
    step('logged-in');
    report.secureContext = await page.evaluate(() => window.isSecureContext);
    await page.waitForSelector('.monaco-workbench', { timeout: T });
    step('workbench');
    report.serviceWorker = await page.evaluate(async () => {
      const r = await navigator.serviceWorker.register('./_static/out/browser/serviceWorker.js', { scope: './' });
      await navigator.serviceWorker.ready;
      return r.active ? r.active.state : r.installing ? 'installing' : 'waiting';
    });
    step('service-worker');
    await openFile(page, 'README.md', T);
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').first().waitFor({ timeout: T });
    await page.keyboard.type('Markdown: Open Preview to the Side');
    await page.waitForTimeout(500);
    await page.keyboard.press('Enter');
    // The preview renders in nested frames of the webview's origin; one of them shows the heading.
    for (const end = Date.now() + T; Date.now() < end && !report.preview; await page.waitForTimeout(250)) {
      for (const f of page.frames()) {
        const text = await f.evaluate(() => document.body ? document.body.innerText : '').catch(() => '');
        if (text.includes('Rendered by portico')) report.preview = f.url().slice(0, 80);
      }
    }
    if (!report.preview) throw new Error('no Markdown preview rendered');
    step('markdown-preview');
    await page.screenshot({ path: screenshot });
    return report.blocked.length === 0 && report.certificateErrors.length === 0 && report.secureContext === true;
  });
})();
