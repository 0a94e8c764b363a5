'use strict';
// postinstall: put the platform package's native binary where npm linked the
// `prodlint` command (bin/prodlint), as esbuild does, so that `prodlint` and
// `npx prodlint` run the binary with no Node process in between. Only where
// that is safe: not on Windows (npm's .cmd shims run `node bin/prodlint`), and
// only after the binary has answered `--version`. Any failure keeps the
// JavaScript launcher, which finds the same binary at run time. Never fails
// the install.
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { findBinary } = require('./lib/platform.js');

function main() {
  if (process.platform === 'win32' || process.env.PRODLINT_SKIP_BINARY_LINK) return;
  const found = findBinary({ env: {} });
  if (!found.ok) {
    // The launcher prints the same message at run time; say it now too.
    console.warn(`prodlint: ${found.message}`);
    return;
  }
  const launcher = path.join(__dirname, 'bin', 'prodlint');
  const version = require('./package.json').version;
  let out;
  try {
    out = execFileSync(found.path, ['--version'], { encoding: 'utf8', timeout: 10000 });
  } catch (e) {
    console.warn(`prodlint: ${found.path} does not run here (${e.message.split('\n')[0]}); using the Node launcher.`);
    return;
  }
  if (!out.startsWith(`prodlint ${version}`)) {
    console.warn(`prodlint: ${found.pkg} is ${out.trim()}, not ${version}; using the Node launcher.`);
    return;
  }
  // Keep the launcher beside the binary (bin/prodlint.js) for `node` users,
  // then replace bin/prodlint atomically: a hard link where the file system
  // allows, else a copy.
  const tmp = `${launcher}.${process.pid}.tmp`;
  try {
    fs.copyFileSync(launcher, path.join(__dirname, 'bin', 'prodlint.js'));
    try {
      fs.linkSync(found.path, tmp);
    } catch {
      fs.copyFileSync(found.path, tmp);
      fs.chmodSync(tmp, 0o755);
    }
    fs.renameSync(tmp, launcher);
  } catch (e) {
    try {
      fs.unlinkSync(tmp);
    } catch {}
    console.warn(`prodlint: could not link the native binary (${e.message}); using the Node launcher.`);
  }
}

main();
