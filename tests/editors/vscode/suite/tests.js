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
/**
 * test(name, fn, { requires }) — `requires` lists rule ids that the server must
 * have (per `prodlint rules --format json`); without them the test is reported
 * as skipped, never as passed.
 */
const test = (name, fn, options = {}) => tests.push({ name, fn, ...options });

let ruleIds;
/** The rule ids of the configured server binary. */
function serverRules() {
  if (!ruleIds) {
    const bin = vscode.workspace.getConfiguration('prodlint').get('path');
    const out = require('child_process').execFileSync(bin, ['rules', '--format', 'json'], { encoding: 'utf8' });
    ruleIds = JSON.parse(out).map((r) => r.id);
  }
  return ruleIds;
}

// The no-any-cast fixture (src/casts*.ts): line 2 `JSON.parse(raw) as any` has a
// safe fix (→ `as unknown`), line 7 `(x as any).foo` only an unsafe one.
const SAFE_LINE = 1;
const UNSAFE_LINE = 6;

function castsOn(uri) {
  return prodlintDiagnostics(uri)
    .filter((d) => codeOf(d) === 'no-any-cast')
    .map((d) => d.range.start.line)
    .sort((a, b) => a - b);
}

test('the extension activates and starts the server from prodlint.path', async () => {
  await open('src/casts.ts');
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

test('a TypeScript file gets no-any-cast diagnostics with code, link and severity', async () => {
  const doc = await open('src/casts.ts');
  await waitForCodes(doc.uri, ['no-any-cast']);
  await waitFor(() => castsOn(doc.uri).length === 2, `two no-any-cast findings (have ${describe(doc.uri)})`);
  assert.deepStrictEqual(castsOn(doc.uri), [SAFE_LINE, UNSAFE_LINE], 'one per cast, not duplicated (push and pull)');
  const d = prodlintDiagnostics(doc.uri).find((x) => x.range.start.line === SAFE_LINE);
  assert.ok(doc.getText(d.range).includes('as any'), `the range covers the cast: "${doc.getText(d.range)}"`);
  assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Warning, 'no-any-cast is a warning');
  assert.ok(typeof d.code === 'object' && /^https?:/.test(String(d.code.target)), `code carries the rule's doc link: ${JSON.stringify(d.code)}`);
  assert.ok(d.message.length > 0);
});

test('a quick fix replaces the cast (the unsafe fix is offered as a quick fix)', async () => {
  const doc = await open('src/casts-quickfix.ts');
  await waitFor(() => castsOn(doc.uri).length === 2, `two no-any-cast findings (have ${describe(doc.uri)})`);
  const d = prodlintDiagnostics(doc.uri).find((x) => x.range.start.line === UNSAFE_LINE);
  const actions = await codeActions(doc.uri, d.range);
  const fix = pickFix(actions, 'no-any-cast', /unknown/i);
  assert.ok(fix, `a quick fix for no-any-cast: ${actions.map((a) => `${kindValue(a)}:${a.title}`)}`);
  await applyAction(fix);
  assert.strictEqual(doc.lineAt(UNSAFE_LINE).text, '  return (x as unknown).foo;', doc.getText());
  assert.ok(doc.lineAt(SAFE_LINE).text.includes('as any'), 'the other cast is untouched');
  await waitFor(() => castsOn(doc.uri).join() === String(SAFE_LINE), `only the other finding left (have ${describe(doc.uri)})`);
});

test('the "Disable <rule> for this line" quick fix inserts a // prodlint-ignore comment', async () => {
  const doc = await open('src/casts-ignore.ts');
  await waitFor(() => castsOn(doc.uri).length === 2, `two no-any-cast findings (have ${describe(doc.uri)})`);
  const d = prodlintDiagnostics(doc.uri).find((x) => x.range.start.line === SAFE_LINE);
  const actions = await codeActions(doc.uri, d.range);
  const disable = actions.find((a) => /^Disable no-any-cast for this line/i.test(a.title));
  assert.ok(disable, `disable action offered: ${actions.map((a) => a.title)}`);
  assert.strictEqual(kindValue(disable), 'quickfix');
  await applyAction(disable);
  const lines = doc.getText().split(/\r?\n/);
  assert.match(lines[SAFE_LINE], /^\s*\/\/ prodlint-ignore no-any-cast\b/, doc.getText());
  assert.ok(lines[SAFE_LINE + 1].includes('JSON.parse(raw) as any'), `the comment sits above the cast:\n${doc.getText()}`);
  // The suppressed finding is gone and no unused-suppression appears; the other cast stays.
  await waitFor(() => castsOn(doc.uri).join() === String(UNSAFE_LINE + 1), `only the unsuppressed cast left (have ${describe(doc.uri)})`);
  assert.ok(!prodlintDiagnostics(doc.uri).some((x) => codeOf(x) === 'unused-suppression'), describe(doc.uri));
});

test('"prodlint: Fix all" applies the safe fixes only', async () => {
  const doc = await open('src/casts-fixall.ts');
  await waitForCodes(doc.uri, ['no-any-cast', 'unused-suppression']);
  const applied = await vscode.commands.executeCommand('prodlint.fixAll');
  assert.strictEqual(applied, true, 'the command reports that it applied an edit');
  const text = doc.getText();
  assert.strictEqual(doc.lineAt(SAFE_LINE).text, '  const data = JSON.parse(raw) as unknown;', text);
  assert.strictEqual(doc.lineAt(UNSAFE_LINE).text, '  return (x as any).foo;', `the unsafe fix is not applied:\n${text}`);
  assert.ok(!text.includes('prodlint-ignore'), `the unused suppression was removed:\n${text}`);
  assert.ok(text.includes('export const version = 1;'), 'the code under it stays');
  await waitFor(() => castsOn(doc.uri).join() === String(UNSAFE_LINE), `only the unsafe finding left (have ${describe(doc.uri)})`);
  await waitForNoCode(doc.uri, 'unused-suppression');
  const before = doc.getText();
  await vscode.commands.executeCommand('prodlint.fixAll');
  assert.strictEqual(doc.getText(), before, 'fix-all is idempotent');
});

test('source.fixAll.prodlint is offered as a source action for the whole file', async () => {
  const doc = await open('src/casts.ts');
  await waitForCodes(doc.uri, ['no-any-cast']);
  const full = new vscode.Range(0, 0, doc.lineCount, 0);
  const actions = await codeActions(doc.uri, full, FIX_ALL_KIND);
  const fixAll = actions.filter((a) => kindValue(a) === FIX_ALL_KIND);
  assert.strictEqual(fixAll.length, 1, `one ${FIX_ALL_KIND} action: ${actions.map((a) => `${kindValue(a)}:${a.title}`)}`);
  assert.ok(fixAll[0].edit, 'it carries its edit');
});

test('source.fixAll.prodlint works in editor.codeActionsOnSave', async () => {
  await setSetting('codeActionsOnSave', { [FIX_ALL_KIND]: 'explicit' }, 'editor');
  try {
    const doc = await open('src/casts-onsave.ts');
    await waitForCodes(doc.uri, ['no-any-cast']);
    await typeAtEnd(doc, '\n');
    assert.ok(await doc.save(), 'document saved');
    const onDisk = fs.readFileSync(doc.uri.fsPath, 'utf8');
    assert.ok(onDisk.includes('JSON.parse(raw) as unknown;'), `the saved file got the safe fix:\n${onDisk}`);
    assert.ok(onDisk.includes('(x as any).foo'), `only safe fixes run on save:\n${onDisk}`);
  } finally {
    await setSetting('codeActionsOnSave', undefined, 'editor');
  }
});

test('SQL: a -- prodlint-ignore comment from the disable quick fix', async () => {
  const doc = await open('supabase/migrations/20240103000000_broken.sql');
  assert.strictEqual(doc.languageId, 'sql');
  const diags = await waitForCodes(doc.uri, ['sql-syntax']);
  const d = diags.find((x) => codeOf(x) === 'sql-syntax');
  const actions = await codeActions(doc.uri, d.range);
  const disable = actions.find((a) => /^Disable sql-syntax for this line/i.test(a.title));
  assert.ok(disable, `disable action offered: ${actions.map((a) => a.title)}`);
  await applyAction(disable);
  assert.match(doc.getText(), /^-- prodlint-ignore sql-syntax\b.*\nselect from where;/m, doc.getText());
  await waitForNoCode(doc.uri, 'sql-syntax');
});

test('dotenv files get the dotenv language id', async () => {
  const doc = await open('.env.production');
  assert.strictEqual(doc.languageId, 'dotenv');
  fs.writeFileSync(path.join(workspaceRoot(), '.env'), 'API_SECRET=changeme\n');
  const plain = await open('.env');
  assert.strictEqual(plain.languageId, 'dotenv');
});

test('prodlint.rules turns a rule off, and changes its level', async () => {
  const doc = await open('src/casts-settings.ts');
  await waitFor(() => castsOn(doc.uri).length === 2, `two no-any-cast findings (have ${describe(doc.uri)})`);
  await setSetting('rules', { 'no-any-cast': 'off' });
  try {
    await waitForNoCode(doc.uri, 'no-any-cast', 'no-any-cast to be switched off');
    await setSetting('rules', { 'no-any-cast': 'error' });
    await waitFor(() => {
      const d = prodlintDiagnostics(doc.uri).filter((x) => codeOf(x) === 'no-any-cast');
      return d.length === 2 && d.every((x) => x.severity === vscode.DiagnosticSeverity.Error);
    }, `no-any-cast back at level error (have ${describe(doc.uri)})`);
  } finally {
    await setSetting('rules', undefined);
  }
  await waitFor(() => {
    const d = prodlintDiagnostics(doc.uri).filter((x) => codeOf(x) === 'no-any-cast');
    return d.length === 2 && d.every((x) => x.severity === vscode.DiagnosticSeverity.Warning);
  }, `no-any-cast back at its default level (have ${describe(doc.uri)})`);
});

test('prodlint.enable=false clears the diagnostics; true brings them back', async () => {
  const doc = await open('src/casts-settings.ts');
  await waitForCodes(doc.uri, ['no-any-cast']);
  await setSetting('enable', false);
  try {
    await waitFor(() => prodlintDiagnostics(doc.uri).length === 0, `no prodlint diagnostics (have ${describe(doc.uri)})`);
  } finally {
    await setSetting('enable', undefined);
  }
  await waitFor(() => castsOn(doc.uri).length === 2, `both findings back (have ${describe(doc.uri)})`);
});

test('prodlint.run=onSave lints on save only; onType lints as you type', async () => {
  const doc = await open('src/runmode.ts');
  await waitFor(async () => {
    await sleep(300);
    return prodlintDiagnostics(doc.uri).length === 0;
  }, `a clean file (have ${describe(doc.uri)})`);
  await setSetting('run', 'onSave');
  try {
    await sleep(500);
    await typeAtEnd(doc, '\nexport const loose = JSON.parse(greeting) as any;\n');
    await sleep(2500);
    assert.ok(castsOn(doc.uri).length === 0, `not linted before save in onSave mode (have ${describe(doc.uri)})`);
    assert.ok(await doc.save());
    await waitForCodes(doc.uri, ['no-any-cast'], 'no-any-cast after save');
  } finally {
    await setSetting('run', undefined);
  }
  await sleep(500);
  // Back in onType mode: a change is linted without a save.
  await typeAtEnd(doc, 'export const looser = JSON.parse(greeting) as any;\n');
  await waitFor(() => castsOn(doc.uri).length === 2, `the typed cast is linted (have ${describe(doc.uri)})`);
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
  const doc = await open('src/casts-restart.ts');
  await waitForCodes(doc.uri, ['no-any-cast']);
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
  const doc = await open('src/casts-restart.ts');
  await waitFor(() => castsOn(doc.uri).length === 2, `two findings after the restart (have ${describe(doc.uri)})`);
  await typeAtEnd(doc, '\nexport const again = JSON.parse("1") as any;\n');
  await waitFor(() => castsOn(doc.uri).length === 3, `three findings after the edit (have ${describe(doc.uri)})`);
});

test('"prodlint: Show output" runs', async () => {
  await api();
  await vscode.commands.executeCommand('prodlint.showOutput');
});

// ---- the contract's examples (lsp-contract.md); they need their rules in the server.

test('example: cors-wildcard and cache-without-cachelife on the Next.js/express file', async () => {
  const doc = await open('src/products.ts');
  const diags = await waitForCodes(doc.uri, ['cors-wildcard', 'cache-without-cachelife']);
  const cors = diags.filter((d) => codeOf(d) === 'cors-wildcard');
  const cache = diags.filter((d) => codeOf(d) === 'cache-without-cachelife');
  assert.strictEqual(cors.length, 1, `one cors-wildcard diagnostic (${describe(doc.uri)})`);
  assert.strictEqual(cache.length, 1, `one cache-without-cachelife diagnostic (${describe(doc.uri)})`);
  assert.strictEqual(cors[0].range.start.line, 3, 'cors-wildcard is on line 4 (app.use(cors()))');
  assert.strictEqual(cors[0].severity, vscode.DiagnosticSeverity.Warning);
  assert.strictEqual(cache[0].severity, vscode.DiagnosticSeverity.Warning);
  const actions = await codeActions(doc.uri, cors[0].range);
  const fix = pickFix(actions, 'cors-wildcard', /cors|origin/i);
  assert.ok(fix, `a quick fix for cors-wildcard is offered: ${actions.map((a) => `${kindValue(a)}:${a.title}`)}`);
  assert.ok(actions.some((a) => /^Disable cors-wildcard for this line/i.test(a.title)), 'and the disable action');
  await applyAction(fix);
  assert.ok(doc.getText().includes('CORS_ORIGIN'), `the fix takes the origin from configuration:\n${doc.getText()}`);
  await waitForNoCode(doc.uri, 'cors-wildcard');
}, { requires: ['cors-wildcard', 'cache-without-cachelife'] });

test('example: Fix all inserts cacheLife and leaves the unsafe cors fix', async () => {
  const doc = await open('src/fixall.ts');
  await waitForCodes(doc.uri, ['cors-wildcard', 'cache-without-cachelife']);
  assert.strictEqual(await vscode.commands.executeCommand('prodlint.fixAll'), true);
  const text = doc.getText();
  assert.ok(/import\s*\{\s*cacheLife\s*\}\s*from\s*['"]next\/cache['"]/.test(text), `cacheLife is imported:\n${text}`);
  const lines = text.split(/\r?\n/);
  const directive = lines.findIndex((l) => l.includes("'use cache'"));
  assert.match(lines[directive + 1], /^ {2}cacheLife\('hours'\)/, `cacheLife('hours') follows the directive:\n${text}`);
  assert.ok(text.includes('app.use(cors())'), 'the unsafe cors fix was not applied');
  await waitForNoCode(doc.uri, 'cache-without-cachelife');
  await waitForCodes(doc.uri, ['cors-wildcard'], 'cors-wildcard to remain');
}, { requires: ['cors-wildcard', 'cache-without-cachelife'] });

test('example: rls-disabled in a Supabase migration, and its fix enables RLS', async () => {
  const doc = await open('supabase/migrations/20240101000000_init.sql');
  const diags = await waitForCodes(doc.uri, ['rls-disabled']);
  const rls = diags.find((d) => codeOf(d) === 'rls-disabled');
  assert.strictEqual(rls.severity, vscode.DiagnosticSeverity.Error, 'rls-disabled is an error');
  const actions = await codeActions(doc.uri, rls.range);
  const fix = pickFix(actions, 'rls-disabled', /row.level|rls/i);
  assert.ok(fix, `a quick fix for rls-disabled: ${actions.map((a) => `${kindValue(a)}:${a.title}`)}`);
  await applyAction(fix);
  assert.match(doc.getText(), /alter\s+table\s+(public\.)?profiles\s+enable\s+row\s+level\s+security\s*;/i, doc.getText());
  await waitForNoCode(doc.uri, 'rls-disabled');
}, { requires: ['rls-disabled'] });

test('example: .env.production gets env-weak-secret, disabled with a # comment', async () => {
  const doc = await open('.env.production');
  const diags = await waitForCodes(doc.uri, ['env-weak-secret']);
  const weak = diags.find((d) => codeOf(d) === 'env-weak-secret');
  assert.strictEqual(weak.range.start.line, 1, 'on the SESSION_SECRET line');
  assert.strictEqual(weak.severity, vscode.DiagnosticSeverity.Error, 'error in .env.production');
  const actions = await codeActions(doc.uri, weak.range);
  const disable = actions.find((a) => /^Disable env-weak-secret for this line/i.test(a.title));
  assert.ok(disable, `disable action offered: ${actions.map((a) => a.title)}`);
  await applyAction(disable);
  assert.match(doc.getText(), /^# prodlint-ignore env-weak-secret\b.*\nSESSION_SECRET=changeme/m, doc.getText());
  await waitForNoCode(doc.uri, 'env-weak-secret');
}, { requires: ['env-weak-secret'] });

test('select-star: the quick fix names the columns of the table from the migrations', async () => {
  const doc = await open('src/profiles-select.ts');
  const diags = await waitForCodes(doc.uri, ['select-star']);
  const star = diags.find((d) => codeOf(d) === 'select-star');
  const actions = await codeActions(doc.uri, star.range);
  const fix = pickFix(actions, 'select-star', /columns by name/i);
  assert.ok(fix, `a quick fix for select-star: ${actions.map((a) => `${kindValue(a)}:${a.title}`)}`);
  await applyAction(fix);
  assert.match(doc.getText(), /\.select\('id, email'\)/, doc.getText());
  await waitForNoCode(doc.uri, 'select-star');
}, { requires: ['select-star'] });

module.exports = { tests, serverRules };
