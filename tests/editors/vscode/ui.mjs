// (b) UI smoke test of the installed .vsix in code-server's workbench: open a
// file through Quick Open, check that the Problems panel lists a prodlint
// diagnostic, open the quick-fix menu on it, and take screenshots of both.
// Usage: node ui.mjs PORT WORKSPACE OUT_DIR
// Prints one "  ok  NAME" / "  FAIL NAME: why" line per check.
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser, sleep, workbenchUrl } from './browser.mjs';

const [port, workspace, outDir] = process.argv.slice(2);
const results = [];

async function check(name, fn) {
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`  ok   ${name}`);
    return true;
  } catch (e) {
    results.push({ name, ok: false, error: String(e && e.message ? e.message : e) });
    console.log(`  FAIL ${name}: ${String(e && e.message ? e.message : e).split('\n')[0]}`);
    return false;
  }
}

const browser = await launchBrowser();
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
const consoleLog = path.join(outDir, 'ui-console.log');
fs.writeFileSync(consoleLog, '');
page.on('console', (m) => fs.appendFileSync(consoleLog, `${m.type()} ${m.text()}\n`));

async function quickOpen(text) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 20000 });
  await input.fill(text);
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 20000 });
  await sleep(300);
  await page.keyboard.press('Enter');
}

try {
  await check('the workbench loads', async () => {
    await page.goto(workbenchUrl(port, workspace));
    await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60000 });
  });

  const opened = await check('a TypeScript file opens through Quick Open', async () => {
    await quickOpen('api.ts');
    await page.locator('.monaco-editor .view-lines', { hasText: 'as any' }).waitFor({ timeout: 30000 });
  });

  await check('the status bar shows the prodlint server running', async () => {
    const item = page.locator('.statusbar-item', { hasText: 'prodlint' });
    await item.first().waitFor({ timeout: 60000 });
    await page.locator('.statusbar-item:has-text("prodlint") .codicon-check').first().waitFor({ timeout: 60000 });
  });

  if (opened) {
    await check('the Problems panel lists prodlint diagnostics', async () => {
      // Let the server's diagnostics arrive (the editor shows squiggles) before opening the panel.
      await page.locator('.monaco-editor .squiggly-warning, .monaco-editor .squiggly-error').first().waitFor({ timeout: 60000 });
      await page.keyboard.press('Control+Shift+M');
      const panel = page.locator('.markers-panel');
      await panel.waitFor({ state: 'visible', timeout: 20000 });
      await panel.locator('.monaco-list-row', { hasText: 'no-any-cast' }).first().waitFor({ timeout: 30000 });
      const text = await panel.innerText();
      if (!/prodlint/.test(text)) throw new Error(`no "prodlint" source in the panel: ${text.slice(0, 500)}`);
      await sleep(500);
      await page.screenshot({ path: path.join(outDir, 'problems.png') });
    });

    await check('the quick-fix menu offers the fix and "Disable no-any-cast for this line"', async () => {
      // Put the cursor on the `as any` cast and ask for quick fixes.
      const lines = fs.readFileSync(path.join(workspace, 'src', 'api.ts'), 'utf8').split('\n');
      const line = lines.findIndex((l) => l.includes('as any'));
      const column = lines[line].indexOf('as any') + 1;
      await page.locator('.monaco-editor .view-lines').first().click();
      await page.keyboard.press('Control+G');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 20000 });
      await input.fill(`:${line + 1}:${column}`);
      await page.keyboard.press('Enter');
      await sleep(500);
      await page.keyboard.press('Control+.');
      const menu = page.locator('.action-widget');
      await menu.waitFor({ state: 'visible', timeout: 20000 });
      await menu.locator('.monaco-list-row', { hasText: 'Disable no-any-cast for this line' }).first().waitFor({ timeout: 20000 });
      const rows = await menu.locator('.monaco-list-row.action').allInnerTexts();
      if (rows.length < 2) throw new Error(`expected the fix and the disable action, got ${JSON.stringify(rows)}`);
      await sleep(300);
      await page.screenshot({ path: path.join(outDir, 'quickfix.png') });
      await page.keyboard.press('Escape');
    });
  }
} finally {
  await page.screenshot({ path: path.join(outDir, 'ui-final.png') }).catch(() => {});
  await browser.close();
}
fs.writeFileSync(path.join(outDir, 'ui-results.json'), JSON.stringify(results, null, 2));
process.exit(results.every((r) => r.ok) ? 0 : 1);
