// Packages the extension into a platform-specific .vsix that carries the
// prodlint server at server/prodlint (server/prodlint.exe for win32), copied
// from $PRODLINT_BIN or --bin PATH.
// Usage: PRODLINT_BIN=/path/to/prodlint node scripts/package.mjs [--target linux-x64] [--out FILE]
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const argValue = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const bin = resolve(argValue('--bin') ?? process.env.PRODLINT_BIN ?? join(root, '../../target/debug/prodlint'));
if (!existsSync(bin) || !statSync(bin).isFile()) {
  console.error(`package: no prodlint binary at ${bin} (set PRODLINT_BIN)`);
  process.exit(2);
}
const targets = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64'];
const target = argValue('--target') ?? 'linux-x64';
if (!targets.includes(target)) {
  console.error(`package: unknown --target ${target} (one of ${targets.join(', ')})`);
  process.exit(2);
}
const serverDir = join(root, 'server');
mkdirSync(serverDir, { recursive: true });
// Only this target's binary goes in (a previous package may have left the other name).
for (const name of ['prodlint', 'prodlint.exe']) rmSync(join(serverDir, name), { force: true });
const binName = target.startsWith('win32') ? 'prodlint.exe' : 'prodlint';
const bundled = join(serverDir, binName);
copyFileSync(bin, bundled);
chmodSync(bundled, 0o755);
console.log(`package: bundled ${bin} as server/${binName}`);

const out = resolve(argValue('--out') ?? join(root, `${pkg.name}-${target}-${pkg.version}.vsix`));
const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
execFileSync(
  process.execPath,
  [
    vsce,
    'package',
    '--target',
    target,
    '--no-dependencies',
    '--allow-missing-repository',
    '--no-rewrite-relative-links',
    '--out',
    out,
  ],
  { cwd: root, stdio: 'inherit' },
);
console.log(`package: wrote ${out}`);
