// Regenerates the `prodlint.rules` part of package.json (one property per rule
// id, enum off/info/warn/error) from `prodlint rules --format json`.
// The binary: --bin PATH, else $PRODLINT_BIN, else ../../target/debug/prodlint,
// else `prodlint` on PATH. --json FILE reads a saved rules list instead.
// When no binary can be run, the committed list is kept (exit 0).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkgPath = join(root, 'package.json');
const args = process.argv.slice(2);
const argValue = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

function loadRules() {
  const jsonFile = argValue('--json');
  if (jsonFile) return { rules: JSON.parse(readFileSync(jsonFile, 'utf8')), from: jsonFile };
  const candidates = [argValue('--bin'), process.env.PRODLINT_BIN, resolve(root, '../../target/debug/prodlint'), 'prodlint']
    .filter(Boolean)
    .map((p) => (p.includes('/') ? resolve(process.cwd(), p) : p));
  for (const bin of candidates) {
    if (bin.includes('/') && !existsSync(bin)) continue;
    try {
      const out = execFileSync(bin, ['rules', '--format', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return { rules: JSON.parse(out), from: bin };
    } catch (e) {
      console.warn(`gen-rules: ${bin} rules --format json failed: ${String(e.message).split('\n')[0]}`);
    }
  }
  return undefined;
}

const loaded = loadRules();
if (!loaded) {
  console.warn('gen-rules: no prodlint binary could be run; keeping the committed rule list in package.json');
  process.exit(0);
}
const { rules, from } = loaded;
if (!Array.isArray(rules) || rules.length === 0 || rules.some((r) => typeof r?.id !== 'string')) {
  console.error(`gen-rules: ${from} did not give a JSON array of rules with ids`);
  process.exit(1);
}

const properties = {};
for (const rule of [...rules].sort((a, b) => a.id.localeCompare(b.id))) {
  const bits = [];
  if (rule.summary) bits.push(String(rule.summary).trim().replace(/\.?$/, '.'));
  const facts = [];
  if (rule.language) facts.push(rule.language);
  if (rule.severity) facts.push(`default ${rule.severity}`);
  if (rule.fix && rule.fix !== 'none') facts.push(`${rule.fix} fix`);
  if (facts.length) bits.push(`(${facts.join(', ')})`);
  properties[rule.id] = {
    type: 'string',
    enum: ['off', 'info', 'warn', 'error'],
    markdownDescription: bits.join(" ") || rule.id,
  };
}

const text = readFileSync(pkgPath, 'utf8');
const pkg = JSON.parse(text);
pkg.contributes.configuration.properties['prodlint.rules'].properties = properties;
const next = JSON.stringify(pkg, null, 2) + '\n';
if (next !== text) {
  writeFileSync(pkgPath, next);
  console.log(`gen-rules: wrote ${Object.keys(properties).length} rules from ${from} into package.json`);
} else {
  console.log(`gen-rules: package.json already lists the ${Object.keys(properties).length} rules of ${from}`);
}
