'use strict';
// Which native package serves this machine, and where its binary is.
// Shared by bin/prodlint (the fallback launcher) and install.js (which puts the
// native binary in place of the launcher so that no Node process starts on
// each run). Keep it dependency-free: it runs inside `npm install`.

const fs = require('fs');
const path = require('path');

/** `process.platform-process.arch` → the package that carries the binary. */
const PACKAGES = {
  'linux-x64': '@prodlint/cli-linux-x64',
  'linux-arm64': '@prodlint/cli-linux-arm64',
  'darwin-x64': '@prodlint/cli-darwin-x64',
  'darwin-arm64': '@prodlint/cli-darwin-arm64',
  'win32-x64': '@prodlint/cli-win32-x64',
};

function isMusl() {
  if (process.platform !== 'linux') return false;
  try {
    // glibcVersionRuntime is present on glibc systems only.
    const report = process.report && process.report.getReport();
    return !(report && report.header && report.header.glibcVersionRuntime);
  } catch {
    return false;
  }
}

function binaryName(platform) {
  return platform === 'win32' ? 'prodlint.exe' : 'prodlint';
}

/**
 * The native binary for this machine: `{ ok: true, path, pkg }`, or
 * `{ ok: false, message }` saying what is missing and what to do.
 * `env.PRODLINT_BINARY` overrides the lookup (a binary built from source).
 */
function findBinary(opts = {}) {
  const platform = opts.platform || process.platform;
  const arch = opts.arch || process.arch;
  const env = opts.env || process.env;
  const from = opts.from || __dirname;
  if (env.PRODLINT_BINARY) {
    return fs.existsSync(env.PRODLINT_BINARY)
      ? { ok: true, path: env.PRODLINT_BINARY, pkg: 'PRODLINT_BINARY' }
      : { ok: false, message: `PRODLINT_BINARY is set to ${env.PRODLINT_BINARY}, but there is no file there.` };
  }
  const key = `${platform}-${arch}`;
  const pkg = PACKAGES[key];
  const supported = Object.keys(PACKAGES).join(', ');
  if (!pkg) {
    return {
      ok: false,
      message:
        `prodlint has no prebuilt binary for ${key} (prebuilt: ${supported}).\n` +
        'Build it from source with `cargo install prodlint` (needs Rust and libclang), ' +
        'then set PRODLINT_BINARY to its path or run that `prodlint` directly.',
    };
  }
  if (platform === 'linux' && (opts.musl !== undefined ? opts.musl : isMusl())) {
    return {
      ok: false,
      message:
        `prodlint's Linux binaries need glibc; this system uses musl (e.g. Alpine).\n` +
        'Use a glibc image (e.g. node:20-slim) or build from source with `cargo install prodlint`, ' +
        'then set PRODLINT_BINARY to its path.',
    };
  }
  let dir;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`, { paths: [from] }));
  } catch {
    return {
      ok: false,
      message:
        `The package ${pkg}, which carries prodlint's binary for ${key}, is not installed.\n` +
        'It is an optional dependency of `prodlint`: it is skipped by `--no-optional`/`--omit=optional`, ' +
        'and by a lockfile made on another platform. Reinstall with `npm install prodlint` ' +
        `(or add ${pkg} explicitly).`,
    };
  }
  const bin = path.join(dir, binaryName(platform));
  if (!fs.existsSync(bin)) {
    return { ok: false, message: `${pkg} is installed at ${dir} but has no ${binaryName(platform)}: reinstall it.` };
  }
  return { ok: true, path: bin, pkg };
}

module.exports = { PACKAGES, findBinary, binaryName, isMusl };
