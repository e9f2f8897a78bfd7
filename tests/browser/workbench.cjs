// SPDX-License-Identifier: MIT
// workbench.cjs URL PASSWORD FOLDER SCREENSHOT — VS Code through portico.
//
// Logs in, waits for the workbench, sees the Explorer list FOLDER's files,
// opens hello.txt and reads it, opens a terminal and runs a command (its
// output lands in a marker file: that proves the WebSocket tunnel).  Then it
// prints "CUT" and waits for a line on stdin: the test kills every TCP
// connection meanwhile.  Afterwards the workbench must have reconnected: it
// opens second.txt and runs a second command.  Prints a JSON report; exit 0
// only when every step held.  Only loopback is reachable (see login.cjs).
'use strict';
const { loopbackOnly, launch, blockOthers, login, explorerShows } = require('./chromium.cjs');
const fs = require('fs');
const path = require('path');
const readline = require('readline');

const [url, password, folder, screenshot] = process.argv.slice(2);
loopbackOnly(url);
const T = 45000;

const waitForLine = () => new Promise(resolve => readline.createInterface({ input: process.stdin }).once('line', resolve));
const waitForFile = async (file, text, ms) => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise(r => setTimeout(r, 200))) {
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes(text)) return true;
  }
  return false;
};

(async () => {
  const { context, page, close } = await launch({ ignoreHTTPSErrors: true });
  const report = { steps: [], sockets: [], blocked: [] };
  const step = name => { report.steps.push(name); console.error('step: ' + name); };
  await blockOthers(context, report.blocked);
  let ok = false;
  try {
    page.on('websocket', ws => report.sockets.push(ws.url().replace(/reconnectionToken=[^&]*/, 'reconnectionToken=…')));
    await login(page, url, password, T);
    step('logged-in');
    await page.waitForSelector('.monaco-workbench', { timeout: T });
    step('workbench');
    const trust = page.getByRole('button', { name: 'Yes, I trust the authors' });
    if (await trust.isVisible({ timeout: 1000 }).catch(() => false)) await trust.click();
    const open = async name => {
      await explorerShows(page, name, T);
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().click();
      await page.waitForFunction(n => [...document.querySelectorAll('.monaco-editor .view-lines')]
        .some(e => e.innerText.replace(/\u00a0/g, ' ').includes(n)), 'from portico ' + name, { timeout: T });
    };
    const terminal = async (marker, word) => {
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input').first().waitFor({ timeout: T });
      await page.keyboard.type('Terminal: Create New Terminal');
      await page.waitForTimeout(500);
      await page.keyboard.press('Enter');
      await page.locator('.terminal-wrapper .xterm >> visible=true').last().waitFor({ timeout: T });
      await page.waitForTimeout(2500);  // the shell starting; on a loaded machine it may take longer:
      for (let attempt = 0; attempt < 2; attempt++) {  // so once more if the keys went nowhere
        await page.locator('.terminal-wrapper .xterm-screen >> visible=true').last().click({ timeout: 10000 }).catch(() => {});
        await page.keyboard.type(`echo ${word}-$((6*7)) > ${marker}`);
        await page.keyboard.press('Enter');
        if (await waitForFile(marker, word + '-42', 15000)) return true;
      }
      return false;
    };
    await open('hello.txt');
    step('editor');
    if (!await terminal(path.join(folder, '.marker1'), 'first')) throw new Error('terminal command 1 did not run');
    step('terminal');
    console.log('CUT');
    await waitForLine();
    step('cut');
    await open('second.txt');  // needs the file service: the reconnected tunnel
    step('editor-after-cut');
    if (!await terminal(path.join(folder, '.marker2'), 'second')) throw new Error('terminal command 2 did not run');
    step('terminal-after-cut');
    await page.screenshot({ path: screenshot });
    ok = report.blocked.length === 0;
  } catch (e) {
    report.error = String(e).slice(0, 500);
  } finally {
    await close();
  }
  console.log(JSON.stringify(report));
  process.exit(ok ? 0 : 1);
})();
