// Unit tests of the server lookup (dist/serverPath.js, built by scripts/build.mjs).
// Run: node --test test/
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, test } from 'node:test';

const require = createRequire(import.meta.url);
const { findServer, expandConfiguredPath } = require('../dist/serverPath.js');

const root = mkdtempSync(join(tmpdir(), 'prodlint-serverpath-'));
after(() => rmSync(root, { recursive: true, force: true }));

function executable(path) {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
}

const ext = join(root, 'ext');
const bundled = executable(join(ext, 'server', 'prodlint'));
const onPath = executable(join(root, 'bin', 'prodlint'));
const configured = executable(join(root, 'custom', 'prodlint'));
const emptyExt = join(root, 'empty-ext');
mkdirSync(emptyExt, { recursive: true });

test('the prodlint.path setting wins', () => {
  const r = findServer({ configuredPath: configured, workspaceFolders: [], extensionPath: ext, envPath: join(root, 'bin') });
  assert.deepEqual(r, { ok: true, path: configured, source: 'setting' });
});

test('a relative prodlint.path is resolved against the first workspace folder', () => {
  const r = findServer({ configuredPath: 'custom/prodlint', workspaceFolders: [root], extensionPath: ext, envPath: '' });
  assert.deepEqual(r, { ok: true, path: configured, source: 'setting' });
  assert.equal(expandConfiguredPath('${workspaceFolder}/custom/prodlint', [root]), configured);
});

test('a prodlint.path that points at nothing is an error that says how to fix it', () => {
  const r = findServer({ configuredPath: join(root, 'nope'), workspaceFolders: [], extensionPath: ext, envPath: join(root, 'bin') });
  assert.equal(r.ok, false);
  assert.match(r.message, /prodlint\.path/);
  assert.match(r.message, /Install prodlint/);
});

test('without a setting, the bundled binary comes before PATH', () => {
  const r = findServer({ configuredPath: null, workspaceFolders: [], extensionPath: ext, envPath: join(root, 'bin') });
  assert.deepEqual(r, { ok: true, path: bundled, source: 'bundled' });
});

test('a bundled binary that lost its exec bit is made executable', () => {
  const ext2 = join(root, 'ext2');
  const b = executable(join(ext2, 'server', 'prodlint'));
  chmodSync(b, 0o644);
  const r = findServer({ configuredPath: '', workspaceFolders: [], extensionPath: ext2, envPath: '' });
  assert.deepEqual(r, { ok: true, path: b, source: 'bundled' });
  assert.ok(statSync(b).mode & 0o100);
});

test('then prodlint on PATH', () => {
  const r = findServer({
    configuredPath: undefined,
    workspaceFolders: [],
    extensionPath: emptyExt,
    envPath: [join(root, 'missing'), join(root, 'bin')].join(delimiter),
  });
  assert.deepEqual(r, { ok: true, path: onPath, source: 'PATH' });
});

test('the project-local prodlint (node_modules) comes first, even before the setting', () => {
  const proj = join(root, 'proj');
  const dotBin = executable(join(proj, 'node_modules', '.bin', 'prodlint'));
  let r = findServer({ configuredPath: configured, workspaceFolders: [proj], extensionPath: ext, envPath: join(root, 'bin'), platform: 'linux', arch: 'x64' });
  assert.deepEqual(r, { ok: true, path: dotBin, source: 'project' });
  // The platform package's native binary is preferred to the .bin command (which may be the Node launcher).
  const native = executable(join(proj, 'node_modules', '@prodlint', 'cli-linux-x64', 'prodlint'));
  r = findServer({ configuredPath: null, workspaceFolders: [proj], extensionPath: ext, envPath: '', platform: 'linux', arch: 'x64' });
  assert.deepEqual(r, { ok: true, path: native, source: 'project' });
  // Another architecture's package does not count; the .bin command does.
  r = findServer({ configuredPath: null, workspaceFolders: [proj], extensionPath: ext, envPath: '', platform: 'linux', arch: 'arm64' });
  assert.deepEqual(r, { ok: true, path: dotBin, source: 'project' });
});

test('a project folder without prodlint in node_modules falls through to the bundled binary', () => {
  const proj = join(root, 'proj-without');
  mkdirSync(join(proj, 'node_modules', '.bin'), { recursive: true });
  writeFileSync(join(proj, 'node_modules', '.bin', 'prodlint'), 'not executable');
  const r = findServer({ configuredPath: null, workspaceFolders: [proj], extensionPath: ext, envPath: '', platform: 'linux', arch: 'x64' });
  assert.deepEqual(r, { ok: true, path: bundled, source: 'bundled' });
});

test('on Windows only the platform package counts (the .bin entry is a .cmd shim)', () => {
  const proj = join(root, 'proj-win');
  executable(join(proj, 'node_modules', '.bin', 'prodlint'));
  let r = findServer({ configuredPath: null, workspaceFolders: [proj], extensionPath: emptyExt, envPath: '', platform: 'win32', arch: 'x64' });
  assert.equal(r.ok, false);
  const exe = executable(join(proj, 'node_modules', '@prodlint', 'cli-win32-x64', 'prodlint.exe'));
  r = findServer({ configuredPath: null, workspaceFolders: [proj], extensionPath: emptyExt, envPath: '', platform: 'win32', arch: 'x64' });
  assert.deepEqual(r, { ok: true, path: exe, source: 'project' });
});

test('nothing found: an error that names the setting and how to install', () => {
  const r = findServer({ configuredPath: null, workspaceFolders: [], extensionPath: emptyExt, envPath: join(root, 'missing') });
  assert.equal(r.ok, false);
  assert.match(r.message, /prodlint\.path/);
  assert.match(r.message, /Install prodlint/);
});
