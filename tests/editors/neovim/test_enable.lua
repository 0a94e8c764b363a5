-- Neovim 0.11: vim.lsp.enable('prodlint') with editors/neovim/lsp/prodlint.lua (init_enable.lua).
package.path = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':h') .. '/?.lua;' .. package.path
local H = require('harness')
local ws = H.ws

local ts_buf, client

H.test('vim.lsp.enable starts prodlint from lsp/prodlint.lua, rooted at the workspace', function()
  ts_buf = H.open('src/products.ts')
  client = H.client(ts_buf)
  H.eq(ws, client.config.root_dir, 'root_dir')
  H.eq('lsp', client.config.cmd[#client.config.cmd], 'cmd from vim.lsp.config merged over lsp/prodlint.lua')
end)

H.test('no-any-cast diagnostics: column after emoji text, severity from vim.lsp.config settings', function()
  local buf = H.open('src/cast.ts')
  H.eq(client.id, H.client(buf).id, 'client reused')
  H.wait(function()
    return #H.diags(buf, 'no-any-cast') == 3
  end, 'three no-any-cast diagnostics')
  local d = H.diags(buf, 'no-any-cast')[1]
  H.eq('1 as any', H.lines(buf)[1]:sub(d.col + 1, d.end_col), 'text under the diagnostic')
  H.eq(vim.diagnostic.severity.ERROR, d.severity, 'severity from settings (no-any-cast = error)')
  vim.cmd('buffer ' .. ts_buf)
end)

H.test('diagnostics arrive, with the right column after emoji text', function()
  local d = H.wait_diag(ts_buf, 'cors-wildcard')[1]
  H.wait_diag(ts_buf, 'cache-without-cachelife')
  local _, line = H.find_line(ts_buf, '🚀 Café', true)
  local text = line:sub(d.col + 1, d.end_col)
  H.truthy(text == 'cors()' or text == 'app.use(cors())' or text == 'cors', 'diagnostic covers ' .. vim.inspect(text))
end)

H.test('vim.lsp.buf.code_action with only = source.fixAll.prodlint applies the safe fixes', function()
  vim.lsp.buf.code_action({ context = { only = { 'source.fixAll.prodlint' }, diagnostics = {} }, apply = true })
  H.wait(function()
    return H.find_line(ts_buf, "^%s+cacheLife%('hours'%)") ~= nil
  end, 'cacheLife inserted')
  H.truthy(H.find_line(ts_buf, 'app.use(cors());', true), 'cors() kept')
  H.wait_no_diag(ts_buf, 'cache-without-cachelife')
end)

H.test('SQL migration: rls-disabled from the same client', function()
  local buf = H.open('supabase/migrations/20240101000000_init.sql')
  H.eq(client.id, H.client(buf).id, 'client reused')
  H.wait_diag(buf, 'rls-disabled')
end)

H.test('dotenv attaches, other sh files do not', function()
  local env = H.open('.env.production')
  H.wait(function()
    return vim.bo[env].filetype == 'sh'
  end, '.env.production to get filetype sh')
  H.eq(client.id, H.client(env).id, 'dotenv client')
  local script = H.open('scripts/deploy.sh')
  vim.wait(1000)
  H.eq(0, #H.clients(script), 'clients on deploy.sh')
end)

H.test('a file outside any marker folder is rooted at its own folder', function()
  local buf = H.open('standalone.ts', H.loose)
  local c = H.client(buf)
  H.eq(H.loose, c.config.root_dir, 'root_dir')
end)

H.finish()
