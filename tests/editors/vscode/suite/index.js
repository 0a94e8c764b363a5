// Extension-host test runner: VS Code (code-server) loads this module because the
// workbench URL names it as extensionTestsPath, and calls run(). Each test runs
// against the real `vscode` API and the real prodlint language server; the
// results go to a JSON file that the driver (host.mjs) reads.
'use strict';

const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const { tests, serverRules } = require('./tests');

const TEST_TIMEOUT_MS = Number(process.env.PRODLINT_VSCODE_TEST_TIMEOUT_MS || 60000);

function resultsPath() {
  if (process.env.PRODLINT_VSCODE_RESULTS) return process.env.PRODLINT_VSCODE_RESULTS;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return path.join(folder ? path.dirname(folder) : require('os').tmpdir(), 'extension-host-results.json');
}

function withTimeout(promise, ms, name) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]);
}

async function run() {
  const out = resultsPath();
  const results = [];
  const write = (done) =>
    fs.writeFileSync(out + '.tmp', JSON.stringify({ done, results }, null, 2)) || fs.renameSync(out + '.tmp', out);
  const filter = process.env.PRODLINT_VSCODE_TEST_FILTER ? new RegExp(process.env.PRODLINT_VSCODE_TEST_FILTER) : null;
  write(false);
  for (const t of tests) {
    if (filter && !filter.test(t.name)) continue;
    const started = Date.now();
    if (t.requires) {
      let missing;
      try {
        missing = t.requires.filter((id) => !serverRules().includes(id));
      } catch (e) {
        missing = [`(could not list the server's rules: ${e.message})`];
      }
      if (missing.length) {
        results.push({ name: t.name, ok: true, skipped: true, reason: `server has no rule ${missing.join(', ')}` });
        console.log(`[prodlint-test] skip ${t.name}: server has no rule ${missing.join(', ')}`);
        write(false);
        continue;
      }
    }
    try {
      await withTimeout(Promise.resolve().then(() => t.fn()), t.timeout || TEST_TIMEOUT_MS, t.name);
      results.push({ name: t.name, ok: true, ms: Date.now() - started });
      console.log(`[prodlint-test] ok   ${t.name}`);
    } catch (e) {
      const error = e && e.stack ? e.stack : String(e);
      results.push({ name: t.name, ok: false, ms: Date.now() - started, error });
      console.log(`[prodlint-test] FAIL ${t.name}: ${error}`);
    }
    write(false);
    try {
      // Save (not revert) so that closing never asks; every test has its own files.
      await vscode.workspace.saveAll(false);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    } catch {
      /* keep going */
    }
  }
  write(true);
}

module.exports = { run };
