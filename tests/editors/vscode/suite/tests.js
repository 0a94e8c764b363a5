// The extension-host tests. Each opens its own fixture file (the driver copies
// tests/editors/vscode/fixtures/workspace to a temporary folder first), so the
// edits of one test do not change what another sees.
'use strict';

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');

const EXTENSION_ID = 'prodlint.prodlint';
const FIX_ALL_KIND = 'source.fixAll.prodlint';

// ---------------------------------------------------------------- helpers

function workspaceRoot() {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return folder.uri.fsPath;
}

function fileUri(rel) {
  return vscode.Uri.file(path.join(workspaceRoot(), rel));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function codeOf(d) {
  return typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code);
}

function prodlintDiagnostics(uri) {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'prodlint');
}

function describe(uri) {
  const all = vscode.languages.getDiagnostics(uri);
  return JSON.stringify(all.map((d) => ({ source: d.source, code: codeOf(d), line: d.range.start.line })));
}

/** Polls `check` (and wakes on diagnostic changes) until it returns a truthy value. */
async function waitFor(check, what, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    }
    await new Promise((resolve) => {
      const sub = vscode.languages.onDidChangeDiagnostics(() => {
        sub.dispose();
        resolve();
      });
      setTimeout(() => {
        sub.dispose();
        resolve();
      }, 150);
    });
  }
}

function waitForCodes(uri, codes, what) {
  return waitFor(() => {
    const found = prodlintDiagnostics(uri).map(codeOf);
    return codes.every((c) => found.includes(c)) ? prodlintDiagnostics(uri) : false;
  }, `${what || codes.join(', ')} on ${path.basename(uri.fsPath)} (have ${describe(uri)})`);
}

function waitForNoCode(uri, code, what) {
  return waitFor(
    () => !prodlintDiagnostics(uri).some((d) => codeOf(d) === code),
    `${what || code + ' to go away'} on ${path.basename(uri.fsPath)} (have ${describe(uri)})`,
  );
}

async function open(rel) {
  const doc = await vscode.workspace.openTextDocument(fileUri(rel));
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

async function api() {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is loaded`);
  const exports = ext.isActive ? ext.exports : await ext.activate();
  await exports.ready();
  return exports;
}

async function codeActions(uri, range, kind) {
  return (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, range, kind, 100)) || [];
}

/**
 * The quick fix (not the "Disable … for this line" one) among the actions for a
 * diagnostic's range. The API does not return an action's diagnostics, so when
 * several fixes are offered the one whose title matches `hint` is taken.
 */
function pickFix(actions, rule, hint) {
  const fixes = actions.filter((a) => kindValue(a) === 'quickfix' && !/^Disable /i.test(a.title));
  return fixes.find((a) => hint.test(a.title)) || (fixes.length === 1 ? fixes[0] : undefined);
}

function kindValue(action) {
  return action.kind ? action.kind.value : undefined;
}

async function applyAction(action) {
  assert.ok(action.edit || action.command, `code action "${action.title}" carries an edit or a command`);
  if (action.edit) assert.ok(await vscode.workspace.applyEdit(action.edit), `edit of "${action.title}" applied`);
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments || []));
}

async function setSetting(key, value, section = 'prodlint') {
  await vscode.workspace.getConfiguration(section).update(key, value, vscode.ConfigurationTarget.Workspace);
}

async function typeAtEnd(doc, text) {
  const edit = new vscode.WorkspaceEdit();
  const end = doc.lineAt(doc.lineCount - 1).range.end;
  edit.insert(doc.uri, end, text);
  assert.ok(await vscode.workspace.applyEdit(edit));
}

// ------------------------------------------------------------------ tests

const tests = [];
const test = (name, fn, timeout) => tests.push({ name, fn, timeout });

test('the extension activates and starts the server from prodlint.path', async () => {
  await open('src/products.ts');
  const prodlint = await api();
  const configured = vscode.workspace.getConfiguration('prodlint').get('path');
  assert.ok(configured, 'the driver set prodlint.path in the user settings');
  assert.strictEqual(prodlint.serverSource, 'setting');
  assert.strictEqual(prodlint.serverPath, configured);
  await waitFor(() => prodlint.state === 'running', `server state running (is ${prodlint.state})`);
  assert.ok(prodlint.client && prodlint.client.isRunning(), 'language client is running');
});

test('the three commands are registered', async () => {
  await api();
  const commands = await vscode.commands.getCommands(true);
  for (const c of ['prodlint.fixAll', 'prodlint.restart', 'prodlint.showOutput']) {
    assert.ok(commands.includes(c), `${c} is registered`);
  }
});

test('a TypeScript file gets cors-wildcard and cache-without-cachelife diagnostics', async () => {
  const doc = await open('src/products.ts');
  const diags = await waitForCodes(doc.uri, ['cors-wildcard', 'cache-without-cachelife']);
  const cors = diags.filter((d) => codeOf(d) === 'cors-wildcard');
  const cache = diags.filter((d) => codeOf(d) === 'cache-without-cachelife');
  assert.strictEqual(cors.length, 1, `one cors-wildcard diagnostic, not duplicated (${describe(doc.uri)})`);
  assert.strictEqual(cache.length, 1, `one cache-without-cachelife diagnostic (${describe(doc.uri)})`);
  assert.strictEqual(cors[0].range.start.line, 3, 'cors-wildcard is on line 4 (app.use(cors()))');
  assert.ok(doc.getText(cors[0].range).includes('cors('), `range covers cors(): "${doc.getText(cors[0].range)}"`);
  assert.strictEqual(cors[0].severity, vscode.DiagnosticSeverity.Warning, 'cors-wildcard without credentials is a warning');
  assert.strictEqual(cache[0].severity, vscode.DiagnosticSeverity.Warning, 'cache-without-cachelife is a warning');
  assert.ok(typeof cors[0].code === 'object' && cors[0].code.target, 'code carries the rule documentation link');
  assert.ok(/^https?:/.test(String(cors[0].code.target)), `doc link is a URL: ${cors[0].code.target}`);
});

test('the cors-wildcard quick fix replaces the wildcard (and does not fix the other rule)', async () => {
  const doc = await open('src/quickfix.ts');
  const diags = await waitForCodes(doc.uri, ['cors-wildcard']);
  const cors = diags.find((d) => codeOf(d) === 'cors-wildcard');
  const actions = await codeActions(doc.uri, cors.range);
  const quickfixes = actions.filter((a) => kindValue(a) === 'quickfix');
  const disable = quickfixes.find((a) => /^Disable cors-wildcard for this line/i.test(a.title));
  assert.ok(disable, `a "Disable cors-wildcard for this line" action is offered: ${actions.map((a) => a.title)}`);
  const fix = pickFix(actions, 'cors-wildcard', /cors|origin/i);
  assert.ok(fix, `a quick fix for cors-wildcard is offered: ${actions.map((a) => `${kindValue(a)}:${a.title}`)}`);
  await applyAction(fix);
  assert.ok(doc.getText().includes('CORS_ORIGIN'), `the fix put an origin from configuration:\n${doc.getText()}`);
  assert.ok(doc.getText().includes("'use cache'"), 'the rest of the file is unchanged');
  await waitForNoCode(doc.uri, 'cors-wildcard');
  await waitForCodes(doc.uri, ['cache-without-cachelife'], 'cache-without-cachelife to stay');
});

test('the "Disable <rule> for this line" quick fix inserts a prodlint-ignore comment', async () => {
  const doc = await open('src/ignore.ts');
  const diags = await waitForCodes(doc.uri, ['cors-wildcard']);
  const cors = diags.find((d) => codeOf(d) === 'cors-wildcard');
  const actions = await codeActions(doc.uri, cors.range);
  const disable = actions.find((a) => /^Disable cors-wildcard for this line/i.test(a.title));
  assert.ok(disable, `disable action offered: ${actions.map((a) => a.title)}`);
  assert.strictEqual(kindValue(disable), 'quickfix');
  await applyAction(disable);
  const lines = doc.getText().split(/\r?\n/);
  const i = lines.findIndex((l) => /^\s*\/\/\s*prodlint-ignore cors-wildcard\b/.test(l));
  assert.ok(i >= 0, `a // prodlint-ignore cors-wildcard comment was inserted:\n${doc.getText()}`);
  assert.ok(lines[i + 1].includes('app.use(cors())'), `the comment sits on the line before app.use(cors()):\n${doc.getText()}`);
  await waitForNoCode(doc.uri, 'cors-wildcard');
});

test('"prodlint: Fix all" applies the safe cacheLife fix and leaves the unsafe cors fix', async () => {
  const doc = await open('src/fixall.ts');
  await waitForCodes(doc.uri, ['cors-wildcard', 'cache-without-cachelife']);
  const applied = await vscode.commands.executeCommand('prodlint.fixAll');
  assert.strictEqual(applied, true, 'the command reports that it applied an edit');
  const text = doc.getText();
  assert.ok(/import\s*\{\s*cacheLife\s*\}\s*from\s*['"]next\/cache['"]/.test(text), `cacheLife is imported:\n${text}`);
  const lines = text.split(/\r?\n/);
  const directive = lines.findIndex((l) => l.includes("'use cache'"));
  assert.ok(directive >= 0, 'the directive is still there');
  assert.match(lines[directive + 1], /^ {2}cacheLife\('hours'\)/, `cacheLife('hours') follows the directive, same indentation:\n${text}`);
  assert.ok(text.includes('app.use(cors())'), 'the unsafe cors fix was not applied');
  await waitForNoCode(doc.uri, 'cache-without-cachelife');
  await waitForCodes(doc.uri, ['cors-wildcard'], 'cors-wildcard to remain');
  // A second run finds nothing more to do: the fix is idempotent.
  const before = doc.getText();
  await vscode.commands.executeCommand('prodlint.fixAll');
  assert.strictEqual(doc.getText(), before, 'fix-all is idempotent');
});

test('source.fixAll.prodlint is offered as a source action for the whole file', async () => {
  const doc = await open('src/products.ts');
  await waitForCodes(doc.uri, ['cache-without-cachelife']);
  const full = new vscode.Range(0, 0, doc.lineCount, 0);
  const actions = await codeActions(doc.uri, full, FIX_ALL_KIND);
  const fixAll = actions.filter((a) => kindValue(a) === FIX_ALL_KIND);
  assert.strictEqual(fixAll.length, 1, `one ${FIX_ALL_KIND} action: ${actions.map((a) => `${kindValue(a)}:${a.title}`)}`);
  assert.ok(fixAll[0].edit, 'it carries its edit');
});

test('source.fixAll.prodlint works in editor.codeActionsOnSave', async () => {
  await setSetting('codeActionsOnSave', { [FIX_ALL_KIND]: 'explicit' }, 'editor');
  try {
    const doc = await open('src/fixonsave.ts');
    await waitForCodes(doc.uri, ['cache-without-cachelife']);
    await typeAtEnd(doc, '\n');
    assert.ok(await doc.save(), 'document saved');
    const onDisk = fs.readFileSync(doc.uri.fsPath, 'utf8');
    assert.ok(onDisk.includes("cacheLife('hours')"), `the saved file got the fix:\n${onDisk}`);
    assert.ok(onDisk.includes('app.use(cors())'), 'only safe fixes run on save');
    await waitForNoCode(doc.uri, 'cache-without-cachelife');
  } finally {
    await setSetting('codeActionsOnSave', undefined, 'editor');
  }
});

test('SQL: rls-disabled in a Supabase migration, and its fix enables RLS', async () => {
  const doc = await open('supabase/migrations/20240101000000_init.sql');
  assert.strictEqual(doc.languageId, 'sql');
  const diags = await waitForCodes(doc.uri, ['rls-disabled']);
  const rls = diags.find((d) => codeOf(d) === 'rls-disabled');
  assert.strictEqual(rls.severity, vscode.DiagnosticSeverity.Error, 'rls-disabled is an error');
  const actions = await codeActions(doc.uri, rls.range);
  const disable = actions.find((a) => /^Disable rls-disabled for this line/i.test(a.title));
  assert.ok(disable, `disable action offered: ${actions.map((a) => a.title)}`);
  const fix = pickFix(actions, 'rls-disabled', /row.level|rls/i);
  assert.ok(fix, `a quick fix for rls-disabled: ${actions.map((a) => `${kindValue(a)}:${a.title}`)}`);
  await applyAction(fix);
  assert.match(doc.getText(), /alter\s+table\s+(public\.)?profiles\s+enable\s+row\s+level\s+security\s*;/i, doc.getText());
  await waitForNoCode(doc.uri, 'rls-disabled');
});

test('SQL: the disable quick fix uses a -- comment', async () => {
  const rel = 'supabase/migrations/20240102000000_more.sql';
  fs.writeFileSync(path.join(workspaceRoot(), rel), 'create table public.orders (id uuid primary key, total int);\n');
  const doc = await open(rel);
  const diags = await waitForCodes(doc.uri, ['rls-disabled']);
  const rls = diags.find((d) => codeOf(d) === 'rls-disabled');
  const actions = await codeActions(doc.uri, rls.range);
  const disable = actions.find((a) => /^Disable rls-disabled for this line/i.test(a.title));
  assert.ok(disable, `disable action offered: ${actions.map((a) => a.title)}`);
  await applyAction(disable);
  assert.match(doc.getText(), /^\s*-- prodlint-ignore rls-disabled\b/m, doc.getText());
  await waitForNoCode(doc.uri, 'rls-disabled');
});

test('dotenv: .env.production gets env-weak-secret', async () => {
  const doc = await open('.env.production');
  const diags = await waitForCodes(doc.uri, ['env-weak-secret']);
  const weak = diags.find((d) => codeOf(d) === 'env-weak-secret');
  assert.strictEqual(weak.range.start.line, 1, 'on the SESSION_SECRET line');
  assert.strictEqual(weak.severity, vscode.DiagnosticSeverity.Error, 'error in .env.production');
});

test('dotenv files get the dotenv language id', async () => {
  const doc = await open('.env.production');
  assert.strictEqual(doc.languageId, 'dotenv');
  fs.writeFileSync(path.join(workspaceRoot(), '.env'), 'API_SECRET=changeme\n');
  const plain = await open('.env');
  assert.strictEqual(plain.languageId, 'dotenv');
});

test('prodlint.rules turns a rule off, and back on', async () => {
  const doc = await open('src/settings.ts');
  await waitForCodes(doc.uri, ['cors-wildcard', 'cache-without-cachelife']);
  await setSetting('rules', { 'cors-wildcard': 'off' });
  try {
    await waitForNoCode(doc.uri, 'cors-wildcard', 'cors-wildcard to be switched off');
    assert.ok(prodlintDiagnostics(doc.uri).some((d) => codeOf(d) === 'cache-without-cachelife'), 'other rules still run');
    await setSetting('rules', { 'cors-wildcard': 'error' });
    const diags = await waitFor(() => {
      const d = prodlintDiagnostics(doc.uri).find((x) => codeOf(x) === 'cors-wildcard');
      return d && d.severity === vscode.DiagnosticSeverity.Error ? d : false;
    }, `cors-wildcard back at level error (have ${describe(doc.uri)})`);
    assert.ok(diags);
  } finally {
    await setSetting('rules', undefined);
  }
  await waitFor(() => {
    const d = prodlintDiagnostics(doc.uri).find((x) => codeOf(x) === 'cors-wildcard');
    return d && d.severity === vscode.DiagnosticSeverity.Warning;
  }, 'cors-wildcard back at its default level');
});

test('prodlint.enable=false clears the diagnostics; true brings them back', async () => {
  const doc = await open('src/settings.ts');
  await waitForCodes(doc.uri, ['cors-wildcard']);
  await setSetting('enable', false);
  try {
    await waitFor(() => prodlintDiagnostics(doc.uri).length === 0, `no prodlint diagnostics (have ${describe(doc.uri)})`);
  } finally {
    await setSetting('enable', undefined);
  }
  await waitForCodes(doc.uri, ['cors-wildcard', 'cache-without-cachelife']);
});

test('prodlint.run=onSave lints on save only; onType lints as you type', async () => {
  const doc = await open('src/runmode.ts');
  await setSetting('run', 'onSave');
  try {
    await sleep(500);
    await typeAtEnd(doc, "\nimport cors from 'cors';\nexport const handler = cors();\n");
    await sleep(2500);
    assert.ok(
      !prodlintDiagnostics(doc.uri).some((d) => codeOf(d) === 'cors-wildcard'),
      `not linted before save in onSave mode (have ${describe(doc.uri)})`,
    );
    assert.ok(await doc.save());
    await waitForCodes(doc.uri, ['cors-wildcard'], 'cors-wildcard after save');
  } finally {
    await setSetting('run', undefined);
  }
  await sleep(500);
  // Back in onType mode: removing the call is linted without a save.
  const text = doc.getText();
  const start = text.indexOf('cors()');
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(start), doc.positionAt(start + 'cors()'.length)), "cors({ origin: process.env.CORS_ORIGIN })");
  assert.ok(await vscode.workspace.applyEdit(edit));
  await waitForNoCode(doc.uri, 'cors-wildcard', 'cors-wildcard to go while typing');
  assert.ok(doc.isDirty, 'that was without saving');
});

test('a bad prodlint.path puts the extension in the error state; fixing it recovers', async () => {
  const prodlint = await api();
  const good = vscode.workspace.getConfiguration('prodlint').get('path');
  await setSetting('path', '/nonexistent/prodlint');
  try {
    await waitFor(async () => {
      await prodlint.ready();
      return prodlint.state === 'error';
    }, `error state (is ${prodlint.state})`);
    assert.strictEqual(prodlint.client, undefined, 'no client runs');
  } finally {
    await setSetting('path', undefined);
  }
  await waitFor(async () => {
    await prodlint.ready();
    return prodlint.state === 'running' && prodlint.serverPath === good;
  }, `running again with ${good} (is ${prodlint.state})`);
  const doc = await open('src/restart.ts');
  await waitForCodes(doc.uri, ['cors-wildcard']);
});

test('a server that exits at once puts the extension in the error state', async () => {
  const prodlint = await api();
  const good = vscode.workspace.getConfiguration('prodlint').get('path');
  const crashing = path.join(path.dirname(workspaceRoot()), 'crashing-prodlint');
  fs.writeFileSync(crashing, '#!/bin/sh\necho "prodlint: simulated crash" >&2\nexit 3\n', { mode: 0o755 });
  await setSetting('path', crashing);
  try {
    await waitFor(async () => {
      await prodlint.ready();
      return prodlint.serverPath === crashing && prodlint.state === 'error';
    }, `error state for ${crashing} (is ${prodlint.state} with ${prodlint.serverPath})`, 40000);
  } finally {
    await setSetting('path', undefined);
  }
  await waitFor(async () => {
    await prodlint.ready();
    return prodlint.state === 'running' && prodlint.serverPath === good;
  }, `running again with ${good} (is ${prodlint.state})`);
});

test('"prodlint: Restart server" restarts the client and diagnostics keep coming', async () => {
  const prodlint = await api();
  const before = prodlint.client;
  assert.ok(before);
  await vscode.commands.executeCommand('prodlint.restart');
  await prodlint.ready();
  assert.notStrictEqual(prodlint.client, before, 'a new client');
  await waitFor(() => prodlint.state === 'running', `running (is ${prodlint.state})`);
  const doc = await open('src/restart.ts');
  await waitForCodes(doc.uri, ['cors-wildcard']);
  await typeAtEnd(doc, "\nexport const again = cors({ origin: '*' });\n");
  await waitFor(
    () => prodlintDiagnostics(doc.uri).filter((d) => codeOf(d) === 'cors-wildcard').length === 2,
    `two cors-wildcard findings after the edit (have ${describe(doc.uri)})`,
  );
});

test('"prodlint: Show output" runs', async () => {
  await api();
  await vscode.commands.executeCommand('prodlint.showOutput');
});

module.exports = { tests };
