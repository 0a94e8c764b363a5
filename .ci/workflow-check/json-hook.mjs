// @actions/workflow-parser imports its JSON schemas without an import
// attribute (`import Schema from "./x.json"`), which Node.js rejects; bundlers
// accept it. This loader hook serves JSON files as ES modules instead.
// Used as: node --import ./json-hook.mjs check.mjs
import { register } from 'node:module';
import { readFile } from 'node:fs/promises';

if (!globalThis.__prodlintJsonHook) {
  globalThis.__prodlintJsonHook = true;
  register(import.meta.url);
}

export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && url.endsWith('.json')) {
    const text = await readFile(new URL(url), 'utf8');
    return { format: 'module', source: `export default ${text};`, shortCircuit: true };
  }
  return nextLoad(url, context);
}
