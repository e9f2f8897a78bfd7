// SPDX-License-Identifier: MIT
// idle.cjs URL PASSWORD FOLDER SCREENSHOT — a workbench session, the tab
// closed, and a new one after portico has stopped the VS Code server.
//
// Logs in, waits for the workbench, opens hello.txt, and in a terminal
// leaves `sleep 1000 &` and a daemon that forked twice (setsid sleep 1001)
// running, then writes a marker.  Closes the tab, prints "CLOSED" and waits
// for a line on stdin: the test waits for the idle stop meanwhile.  Then a
// new tab (the same login) loads the workbench again, the Explorer lists
// the folder, a terminal runs a command.  Prints a JSON report (with
// reopen_ms: from the new tab's first request to a listed Explorer); exit 0
// only when every step held.  Only loopback is reachable (see login.cjs).
'use strict';
const { loopbackOnly, launch, blockOthers, login, openFile, explorerShows, terminal, conclude } = require('./chromium.cjs');
const path = require('path');
const readline = require('readline');

const [url, password, folder, screenshot] = process.argv.slice(2);
loopbackOnly(url);
const T = 60000;

(async () => {
  const { context, page, close } = await launch();
  const report = { steps: [], blocked: [] };
  const step = name => { report.steps.push(name); console.error('step: ' + name); };
  await blockOthers(context, report.blocked);
  await conclude(report, close, async () => {
    await login(page, url, password, T);
    await page.waitForSelector('.monaco-workbench', { timeout: T });
    step('workbench');
    await openFile(page, 'hello.txt', T);
    step('editor');
    const m1 = path.join(folder, '.marker1');
    if (!await terminal(page, `sleep 1000 & (setsid sleep 1001 >/dev/null 2>&1 &); echo first-$((6*7)) > ${m1}`, m1,
      'first-42', T)) throw new Error('terminal command 1 did not run');
    step('terminal');
    const again = await context.newPage();   // about:blank, so the browser stays when the tab goes
    await page.close();
    console.log('CLOSED');
    await new Promise(resolve => readline.createInterface({ input: process.stdin }).once('line', resolve));
    const t0 = Date.now();
    await again.goto(url, { waitUntil: 'domcontentloaded', timeout: T });   // the 503 page first: it reloads itself
    await again.waitForSelector('.monaco-workbench', { timeout: T });
    await explorerShows(again, 'second.txt', T);
    report.reopen_ms = Date.now() - t0;
    step('explorer-after-stop');
    await openFile(again, 'second.txt', T);
    const m2 = path.join(folder, '.marker2');
    if (!await terminal(again, `echo second-$((6*7)) > ${m2}`, m2, 'second-42', T)) {
      throw new Error('terminal command 2 did not run');
    }
    step('terminal-after-stop');
    await again.screenshot({ path: screenshot });
    return report.blocked.length === 0;
  });
})();
