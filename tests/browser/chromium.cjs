// SPDX-License-Identifier: MIT
// chromium.cjs — what every browser script here shares: Debian's Chromium,
// headless, in a throw-away profile, driven by playwright-core, able to reach
// loopback only (every other host name resolves to nothing).
'use strict';
const { chromium } = require('playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');

// A name that looks like a LAN box's, which the browser maps to 127.0.0.1
// (launch({ box: true })) or to nothing: for the https tests, which must not
// look like loopback (a browser treats it as secure whatever the certificate).
const BOX = 'portico-box.test';
const LOOPBACK = ['127.0.0.1', 'localhost', BOX];

// The scripts take their URL from the command line: never anything but loopback.
function loopbackOnly(url) {
  if (!LOOPBACK.includes(new URL(url).hostname)) throw new Error('refusing a non-loopback URL: ' + url);
}

// A persistent context in a fresh profile; close() removes the profile.
// ignoreHTTPSErrors is for certificates the browser does not trust; `home`,
// a HOME whose .pki/nssdb holds what it should (Chromium reads the user's
// NSS database there); `box`, BOX resolves to 127.0.0.1.
async function launch({ ignoreHTTPSErrors = false, home = null, box = false } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-chromium-'));
  const map = box ? `MAP ${BOX} 127.0.0.1, ` : '';
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    ignoreHTTPSErrors,
    viewport: { width: 1280, height: 800 },
    env: { ...process.env, ...(home ? { HOME: home } : {}), XDG_CONFIG_HOME: path.join(profile, 'config'),
      XDG_CACHE_HOME: path.join(profile, 'cache') },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
      `--host-resolver-rules=${map}MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1`],
  });
  const page = context.pages()[0] || await context.newPage();
  const close = async () => {
    await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, close };
}

// Any request to a name other than loopback is aborted and noted in `blocked`.
// Not for scripts that need the HTTP cache: Playwright turns it off while a
// route is set.
async function blockOthers(context, blocked) {
  await context.route(u => /^(https?|wss?):/.test(u.href) && !LOOPBACK.includes(u.hostname), r => {
    blocked.push(r.request().url().slice(0, 120));
    return r.abort('blockedbyclient');
  });
}

// The login page at url (portico's or code-server's: the same form), the
// password typed and sent; resolves once the answer to it has loaded.
async function login(page, url, password, timeout) {
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout });
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation({ timeout }), page.press('input[name=password]', 'Enter')]);
}

// Resolves once the Explorer lists a row whose text holds name.
const explorerShows = (page, name, timeout) =>
  page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().waitFor({ timeout });

// Waits (at most ms) for file to hold text.
const waitForFile = async (file, text, ms) => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise(r => setTimeout(r, 200))) {
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes(text)) return true;
  }
  return false;
};

// Opens name from the Explorer and waits for its text ("from portico NAME").
async function openFile(page, name, timeout) {
  await explorerShows(page, name, timeout);
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().click();
  await page.waitForFunction(n => [...document.querySelectorAll('.monaco-editor .view-lines')]
    .some(e => e.innerText.replace(/\u00a0/g, ' ').includes(n)), 'from portico ' + name, { timeout });
}

// A new terminal runs `command` (which must write `word` into marker);
// true once marker holds it.
async function terminal(page, command, marker, word, timeout) {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').first().waitFor({ timeout });
  await page.keyboard.type('Terminal: Create New Terminal');
  await page.waitForTimeout(500);
  await page.keyboard.press('Enter');
  await page.locator('.terminal-wrapper .xterm >> visible=true').last().waitFor({ timeout });
  await page.waitForTimeout(2500);  // the shell starting; on a loaded machine it may take longer:
  for (let attempt = 0; attempt < 2; attempt++) {  // so once more if the keys went nowhere
    await page.locator('.terminal-wrapper .xterm-screen >> visible=true').last().click({ timeout: 10000 }).catch(() => {});
    await page.keyboard.type(command);
    await page.keyboard.press('Enter');
    if (await waitForFile(marker, word, 15000)) return true;
  }
  return false;
}

// Runs a script's steps, which resolve true when every one held, and ends
// the script: the report (with the error, if one was thrown) as one JSON
// line, the browser closed, exit status 0 only when the steps held.
async function conclude(report, close, steps) {
  let ok = false;
  try {
    ok = await steps();
  } catch (e) {
    report.error = String(e).slice(0, 500);
  } finally {
    await close();
  }
  console.log(JSON.stringify(report));
  process.exit(ok ? 0 : 1);
}

module.exports = { BOX, conclude, loopbackOnly, launch, blockOthers, login, explorerShows, waitForFile, openFile, terminal };
