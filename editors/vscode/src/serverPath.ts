// Finding the prodlint binary. No `vscode` import here: this module is unit
// tested under plain node.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export type ServerSource = 'setting' | 'bundled' | 'PATH';

export interface ServerLookup {
  /** The `prodlint.path` setting (null/empty when unset). */
  configuredPath: string | null | undefined;
  /** Workspace folder paths; the first one resolves relative `prodlint.path` values. */
  workspaceFolders: string[];
  /** The extension's install folder (holds `server/prodlint` in a packaged .vsix). */
  extensionPath: string;
  /** The PATH to search (defaults to process.env.PATH). */
  envPath?: string;
  platform?: NodeJS.Platform;
}

export type ServerLookupResult =
  | { ok: true; path: string; source: ServerSource }
  | { ok: false; message: string };

export const HOW_TO_FIX =
  'Install prodlint (e.g. `cargo install prodlint`, or put the `prodlint` binary on your PATH) ' +
  'or set "prodlint.path" to the binary.';

function binaryName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'prodlint.exe' : 'prodlint';
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isExecutable(p: string, platform: NodeJS.Platform): boolean {
  if (!isFile(p)) return false;
  if (platform === 'win32') return true;
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Expands `~` and `${workspaceFolder}` and makes a relative path absolute. */
export function expandConfiguredPath(value: string, workspaceFolders: string[]): string {
  let p = value.trim();
  const folder = workspaceFolders[0];
  if (folder) p = p.replace(/\$\{workspaceFolder\}/g, folder);
  if (p === '~' || p.startsWith('~/') || p.startsWith('~\\')) p = path.join(os.homedir(), p.slice(1));
  if (!path.isAbsolute(p)) p = path.resolve(folder ?? process.cwd(), p);
  return p;
}

/**
 * The server binary, in this order: the `prodlint.path` setting, the binary
 * bundled in the extension (`server/prodlint`), `prodlint` on PATH.
 * A setting that points at nothing usable is an error (no silent fallback).
 */
export function findServer(lookup: ServerLookup): ServerLookupResult {
  const platform = lookup.platform ?? process.platform;
  const configured = lookup.configuredPath?.trim();
  if (configured) {
    const p = expandConfiguredPath(configured, lookup.workspaceFolders);
    if (isExecutable(p, platform)) return { ok: true, path: p, source: 'setting' };
    return {
      ok: false,
      message: `"prodlint.path" is set to ${p}, but there is no executable file there. ${HOW_TO_FIX}`,
    };
  }

  const bundled = path.join(lookup.extensionPath, 'server', binaryName(platform));
  if (isFile(bundled)) {
    if (!isExecutable(bundled, platform)) {
      // A .vsix unpacked without its file modes: make the binary runnable.
      try {
        fs.chmodSync(bundled, 0o755);
      } catch {
        /* reported below if still not executable */
      }
    }
    if (isExecutable(bundled, platform)) return { ok: true, path: bundled, source: 'bundled' };
  }

  const envPath = lookup.envPath ?? process.env.PATH ?? '';
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, binaryName(platform));
    if (isExecutable(candidate, platform)) return { ok: true, path: candidate, source: 'PATH' };
  }

  return {
    ok: false,
    message: `Could not find the prodlint language server (no "prodlint.path" setting, no bundled binary, no prodlint on PATH). ${HOW_TO_FIX}`,
  };
}
