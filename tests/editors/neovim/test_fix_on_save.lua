-- fix_on_save = true and settings = { prodlint = { rules = { ['no-any-cast'] = 'error',
-- ['cors-wildcard'] = 'off' } } } (init.lua with PRODLINT_TEST_FIX_ON_SAVE=1).
package.path = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':h') .. '/?.lua;' .. package.path
local H = require('harness')

H.test('settings reach the server: no-any-cast raised to error', function()
  local buf = H.open('src/cast.ts')
  H.client(buf)
  H.wait(function()
    return #H.diags(buf, 'no-any-cast') == 3
  end, 'three no-any-cast diagnostics')
  for _, d in ipairs(H.diags(buf, 'no-any-cast')) do
    H.eq(vim.diagnostic.severity.ERROR, d.severity, 'severity on line ' .. d.lnum)
  end
end)

H.test('fix_on_save applies the safe no-any-cast fix before :write, not the unsafe ones', function()
  local buf = H.open('src/cast.ts')
  vim.cmd('write')
  local disk = H.read_file(H.ws .. '/src/cast.ts')
  H.truthy(disk:find('export const value = (1 as unknown);', 1, true), 'safe fix saved: ' .. disk)
  H.truthy(disk:find('const a = (x as any).foo;', 1, true), 'unsafe fix not applied')
  H.truthy(disk:find("'🚀 Café déjà vu ✨ — naïve façade 👩‍💻'", 1, true), 'emoji text intact')
  H.eq(false, vim.bo[buf].modified, 'buffer saved')
end)

H.test('settings reach the server: a rule turned off is not reported', function()
  local buf = H.open('src/products.ts')
  H.client(buf)
  H.wait_diag(buf, 'cache-without-cachelife')
  vim.wait(1000)
  H.eq(0, #H.diags(buf, 'cors-wildcard'), 'cors-wildcard diagnostics (rule is off)')
end)

H.test('fix_on_save applies the safe cacheLife fix before :write', function()
  local buf = H.open('src/products.ts')
  vim.cmd('write')
  local disk = H.read_file(H.ws .. '/src/products.ts')
  H.truthy(disk:find("\n%s+cacheLife%('hours'%)"), 'cacheLife call saved: ' .. disk)
  H.truthy(disk:find('cacheLife') and disk:find('next/cache', 1, true), 'cacheLife import saved')
  H.truthy(disk:find('app.use(cors());', 1, true), 'unsafe cors fix not applied on save')
  H.eq(false, vim.bo[buf].modified, 'buffer saved')
  H.wait_no_diag(buf, 'cache-without-cachelife')
end)

H.test('fix_on_save leaves a clean buffer unchanged', function()
  H.open('src/cast.ts')
  local before = H.read_file(H.ws .. '/src/cast.ts')
  vim.cmd('write')
  H.eq(before, H.read_file(H.ws .. '/src/cast.ts'), 'file after a second write')
end)

H.finish()
