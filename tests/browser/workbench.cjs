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
const { loopbackOnly, launch, blockOthers, login, openFile, terminal: terminalRuns, conclude } = require('./chromium.cjs');
const path = require('path');
const readline = require('readline');

const [url, password, folder, screenshot] = process.argv.slice(2);
loopbackOnly(url);
const T = 45000;

const waitForLine = () => new Promise(resolve => readline.createInterface({ input: process.stdin }).once('line', resolve));

(async () => {
  const { context, page, close } = await launch({ ignoreHTTPSErrors: true });
  const report = { steps: [], sockets: [], blocked: [] };
  const step = name => { report.steps.push(name); console.error('step: ' + name); };
  await blockOthers(context, report.blocked);
  await conclude(report, close, async () => {
    page.on('websocket', ws => report.sockets.push(ws.url().replace(/reconnectionToken=[^&]*/, 'reconnectionToken=…')));
    await login(page, url, password, T);
    step('logged-in');
    await page.waitForSelector('.monaco-workbench', { timeout: T });
    step('workbench');
    const trust = page.getByRole('button', { name: 'Yes, I trust the authors' });
    if (await trust.isVisible({ timeout: 1000 }).catch(() => false)) await trust.click();
    const open = name => openFile(page, name, T);
    const terminal = (marker, word) => terminalRuns(page, `echo ${word}-$((6*7)) > ${marker}`, marker, word + '-42', T);
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
    return report.blocked.length === 0;
  });
})();
