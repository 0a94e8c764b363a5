// Validates every workflow under .github/workflows/ and every action.yml in the
// repository with @actions/workflow-parser (GitHub's parser and schemas, as used
// by the official Actions language service). Exits 1 on any error, naming the
// file, line and column.
// Usage: node --import ./.ci/workflow-check/json-hook.mjs .ci/workflow-check/check.mjs [FILE...]
//        (default: all of them; `npm run check` in this folder)
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseWorkflow, NoOperationTraceWriter } from '@actions/workflow-parser';
import { parseAction } from '@actions/workflow-parser/actions/index';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
let files = process.argv.slice(2).map((f) => resolve(f));
if (!files.length) {
  const wf = join(root, '.github', 'workflows');
  if (existsSync(wf)) {
    files.push(...readdirSync(wf).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(wf, f)));
  }
  files.push(join(root, 'editors', 'github-action', 'action.yml'));
  if (existsSync(join(root, 'action.yml'))) files.push(join(root, 'action.yml'));
}

let failed = 0;
for (const file of files) {
  const name = relative(root, file);
  const content = readFileSync(file, 'utf8');
  const isAction = /(^|\/)action\.ya?ml$/.test(file);
  const parse = isAction ? parseAction : parseWorkflow;
  const result = parse({ name, content }, new NoOperationTraceWriter());
  const errors = result.context.errors.getErrors();
  if (!result.value) errors.push({ message: 'no document' });
  if (errors.length) {
    failed++;
    for (const e of errors) console.log(`${name}: ${e.message ?? e}`);
  } else {
    console.log(`${name}: ok (${isAction ? 'action' : 'workflow'})`);
  }
}
if (failed) {
  console.log(`${failed} of ${files.length} file(s) invalid`);
  process.exit(1);
}
console.log(`${files.length} file(s) valid`);
