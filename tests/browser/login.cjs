// SPDX-License-Identifier: MIT
// login.cjs URL PASSWORD SCREENSHOT — a real browser logs in to portico.
//
// Debian's Chromium, headless, driven by playwright-core.  Only loopback is
// reachable: every other host name fails to resolve and any request to one
// is aborted.  Prints a JSON report; exits 0 only when the login page
// appeared, a wrong password was refused on the page, the right one landed
// the browser on portico's root with an HttpOnly, SameSite=Lax session cookie,
// and that root was served authenticated (not sent back to the login page).
'use strict';
const { loopbackOnly, launch, blockOthers } = require('./chromium.cjs');

const [url, password, screenshot] = process.argv.slice(2);
if (!url || !password || !screenshot) throw new Error('usage: login.cjs URL PASSWORD SCREENSHOT');
loopbackOnly(url);

(async () => {
  const { context, page, close } = await launch();
  const report = { steps: [], blocked: [], consoleErrors: [] };
  await blockOthers(context, report.blocked);
  let ok = false;
  try {
    page.on('console', m => { if (m.type() === 'error') report.consoleErrors.push(m.text()); });
    await page.goto(url, { waitUntil: 'load', timeout: 15000 });
    report.steps.push({ landed: page.url() });
    await page.waitForSelector('input[name=password][autocomplete=current-password]', { timeout: 15000 });
    await page.screenshot({ path: screenshot });

    await page.fill('input[name=password]', password + '-wrong');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.press('input[name=password]', 'Enter')]);
    report.wrongPage = (await page.locator('.error').innerText()).trim();

    await page.fill('input[name=password]', password);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.press('input[name=password]', 'Enter')]);
    report.after = page.url();
    report.title = await page.title();
    report.cookies = (await context.cookies()).map(c => ({ name: c.name, path: c.path, httpOnly: c.httpOnly, sameSite: c.sameSite, secure: c.secure }));
    const session = report.cookies.find(c => c.name === 'code-server-session');
    ok = report.wrongPage === 'Incorrect password' && new URL(report.after).pathname === '/' &&
      !!session && session.httpOnly && session.sameSite === 'Lax' && session.path === '/' &&
      report.title.startsWith('404') && report.blocked.length === 0 &&
      // Non-2xx documents (the 401 page, the 404 behind the login) are logged
      // as errors too; what must not appear is a policy violation or a script error.
      !report.consoleErrors.some(e => !/^Failed to load resource: the server responded with a status of (401|404)/.test(e));
  } catch (e) {
    report.error = String(e);
  } finally {
    await close();
  }
  console.log(JSON.stringify(report));
  process.exit(ok ? 0 : 1);
})();
