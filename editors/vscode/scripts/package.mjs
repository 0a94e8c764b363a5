// Packages the extension into a Linux x64 .vsix that carries the prodlint
// server at server/prodlint (copied from $PRODLINT_BIN, or --bin PATH).
// Usage: PRODLINT_BIN=/path/to/prodlint node scripts/package.mjs [--out FILE]
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
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
const serverDir = join(root, 'server');
mkdirSync(serverDir, { recursive: true });
const bundled = join(serverDir, 'prodlint');
copyFileSync(bin, bundled);
chmodSync(bundled, 0o755);
console.log(`package: bundled ${bin} as server/prodlint`);

const out = resolve(argValue('--out') ?? join(root, `${pkg.name}-linux-x64-${pkg.version}.vsix`));
const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
execFileSync(
  process.execPath,
  [
    vsce,
    'package',
    '--target',
    'linux-x64',
    '--no-dependencies',
    '--allow-missing-repository',
    '--no-rewrite-relative-links',
    '--out',
    out,
  ],
  { cwd: root, stdio: 'inherit' },
);
console.log(`package: wrote ${out}`);
