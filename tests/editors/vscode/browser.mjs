// Shared by host.mjs and ui.mjs: playwright-core (from the install cache) driving
// Debian's chromium, headless, allowed to reach 127.0.0.1 only.
import { createRequire } from 'node:module';

export function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

export async function launchBrowser() {
  const require = createRequire(env('PLAYWRIGHT_NODE_PATH') + '/');
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
      // Every host name other than 127.0.0.1 fails to resolve: the page cannot
      // reach anything else (code-server's workbench would ask a gallery, a CDN…).
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Workbench URL for a folder on the code-server host, with an optional payload. */
export function workbenchUrl(port, folder, payload) {
  const base = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`;
  return payload ? `${base}&payload=${encodeURIComponent(JSON.stringify(payload))}` : base;
}

export function remoteUri(port, fsPath) {
  return `vscode-remote://127.0.0.1:${port}${fsPath}`;
}
