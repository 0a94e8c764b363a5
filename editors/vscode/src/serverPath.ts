// Finding the prodlint binary. No `vscode` import here: this module is unit
// tested under plain node.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export type ServerSource = 'project' | 'setting' | 'bundled' | 'PATH';

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
  arch?: string;
}

export type ServerLookupResult =
  | { ok: true; path: string; source: ServerSource }
  | { ok: false; message: string };

export const HOW_TO_FIX =
  'Install prodlint in the project (`npm i -D prodlint`), put the `prodlint` binary on your PATH ' +
  '(`cargo install prodlint`), or set "prodlint.path" to the binary.';

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
 * The project's own prodlint, installed with `npm i -D prodlint` in a
 * workspace folder: the native binary of the platform package
 * (`node_modules/@prodlint/cli-<platform>-<arch>/prodlint`), else the
 * `node_modules/.bin/prodlint` command (npm, pnpm and Yarn link it; on Windows
 * that is a `.cmd` shim, which needs a shell, so only the platform package
 * counts there).
 */
export function findProjectLocal(folders: string[], platform: NodeJS.Platform, arch: string): string | undefined {
  for (const folder of folders) {
    const nm = path.join(folder, 'node_modules');
    const native = path.join(nm, '@prodlint', `cli-${platform}-${arch}`, binaryName(platform));
    if (isExecutable(native, platform)) return native;
    if (platform !== 'win32') {
      const bin = path.join(nm, '.bin', 'prodlint');
      if (isExecutable(bin, platform)) return bin;
    }
  }
  return undefined;
}

/**
 * The server binary, in this order: the project's own prodlint
 * (`node_modules`, so the editor runs the version CI runs, as the Biome and
 * oxlint extensions do), the `prodlint.path` setting, the binary bundled in
 * the extension (`server/prodlint`), `prodlint` on PATH. A setting that points
 * at nothing usable is an error (no silent fallback).
 */
export function findServer(lookup: ServerLookup): ServerLookupResult {
  const platform = lookup.platform ?? process.platform;
  const local = findProjectLocal(lookup.workspaceFolders, platform, lookup.arch ?? process.arch);
  if (local) return { ok: true, path: local, source: 'project' };
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
    message: `Could not find the prodlint language server (no prodlint in the project's node_modules, no "prodlint.path" setting, no bundled binary, no prodlint on PATH). ${HOW_TO_FIX}`,
  };
}
