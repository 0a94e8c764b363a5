// (a) Runs suite/index.js inside code-server's extension host: opens the
// workbench with extensionDevelopmentPath (editors/vscode) and extensionTestsPath
// (suite/index.js) in its payload, then waits for the results file that the
// suite writes (PRODLINT_VSCODE_RESULTS, set in code-server's environment).
// Usage: node host.mjs PORT WORKSPACE EXTENSION_DIR SUITE_INDEX RESULTS OUT_DIR
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser, remoteUri, sleep, workbenchUrl } from './browser.mjs';

const [port, workspace, extensionDir, suiteIndex, results, outDir] = process.argv.slice(2);
const timeoutMs = Number(process.env.PRODLINT_VSCODE_HOST_TIMEOUT_MS || 15 * 60 * 1000);

const url = workbenchUrl(port, workspace, [
  ['extensionDevelopmentPath', remoteUri(port, extensionDir)],
  ['extensionTestsPath', remoteUri(port, suiteIndex)],
]);

const browser = await launchBrowser();
let status = 0;
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const consoleLog = path.join(outDir, 'host-console.log');
  fs.writeFileSync(consoleLog, '');
  page.on('console', (m) => fs.appendFileSync(consoleLog, `${m.type()} ${m.text()}\n`));
  await page.goto(url);
  const deadline = Date.now() + timeoutMs;
  const startMs = 180000;
  const startDeadline = Date.now() + startMs;
  let reported = 0;
  for (;;) {
    let state;
    try {
      state = JSON.parse(fs.readFileSync(results, 'utf8'));
    } catch {
      state = undefined;
    }
    if (state) {
      for (const r of state.results.slice(reported)) {
        if (r.skipped) console.log(`  skip ${r.name}: ${r.reason}`);
        else console.log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.ms} ms)${r.ok ? '' : `\n${r.error.replace(/^/gm, '       ')}`}`);
      }
      reported = state.results.length;
      if (state.done) break;
    }
    if (!state && Date.now() > startDeadline) {
      console.log(`  FAIL extension-host test suite did not start within ${startMs} ms (see ${consoleLog})`);
      status = 1;
      break;
    }
    if (Date.now() > deadline) {
      console.log(`  FAIL extension-host tests did not finish in ${timeoutMs} ms`);
      status = 1;
      break;
    }
    await sleep(500);
  }
  await page.screenshot({ path: path.join(outDir, 'host-final.png') }).catch(() => {});
} finally {
  await browser.close();
}
process.exit(status);
