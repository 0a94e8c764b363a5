-- fix_on_save = true and settings = { prodlint = { rules = { ['cors-wildcard'] = 'off' } } }
-- (init.lua with PRODLINT_TEST_FIX_ON_SAVE=1).
package.path = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':h') .. '/?.lua;' .. package.path
local H = require('harness')

local buf

H.test('settings reach the server: a rule turned off is not reported', function()
  buf = H.open('src/products.ts')
  H.client(buf)
  H.wait_diag(buf, 'cache-without-cachelife')
  vim.wait(1000)
  H.eq(0, #H.diags(buf, 'cors-wildcard'), 'cors-wildcard diagnostics (rule is off)')
end)

H.test('fix_on_save applies the safe fixes before :write', function()
  vim.cmd('write')
  local disk = H.read_file(H.ws .. '/src/products.ts')
  H.truthy(disk:find("\n%s+cacheLife%('hours'%)"), 'cacheLife call saved: ' .. disk)
  H.truthy(disk:find('cacheLife') and disk:find('next/cache', 1, true), 'cacheLife import saved')
  H.truthy(disk:find('app.use(cors());', 1, true), 'unsafe cors fix not applied on save')
  H.eq(false, vim.bo[buf].modified, 'buffer saved')
  H.wait_no_diag(buf, 'cache-without-cachelife')
end)

H.test('fix_on_save leaves a clean buffer unchanged', function()
  local before = H.read_file(H.ws .. '/src/products.ts')
  vim.cmd('write')
  H.eq(before, H.read_file(H.ws .. '/src/products.ts'), 'file after a second write')
end)

H.finish()
