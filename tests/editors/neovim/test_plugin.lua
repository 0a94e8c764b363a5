-- Real-editor tests of require('prodlint').setup() against the real `prodlint lsp`.
-- Run by run.sh as: nvim --headless --clean -u init.lua -c "luafile test_plugin.lua"
package.path = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':h') .. '/?.lua;' .. package.path
local H = require('harness')
local ws = H.ws

local ts_buf, sql_buf, ts_client

H.test('setup() defines :ProdlintFixAll', function()
  H.eq(2, vim.fn.exists(':ProdlintFixAll'), ':ProdlintFixAll exists')
end)

H.test('a TypeScript buffer gets a prodlint client rooted at the workspace', function()
  ts_buf = H.open('src/products.ts')
  H.eq('typescript', vim.bo[ts_buf].filetype, 'filetype')
  ts_client = H.client(ts_buf)
  H.eq(ws, ts_client.config.root_dir, 'root_dir')
  H.truthy(vim.tbl_contains({ 'utf-8', 'utf-16', 'utf-32' }, ts_client.offset_encoding), 'offset encoding')
  H.log('offset encoding: ' .. ts_client.offset_encoding)
  H.truthy(#_G.prodlint_test_attached >= 1, 'the user on_attach ran')
end)

-- no-any-cast: safe fix (`as any` passed on or assigned), unsafe fix (`(x as any).foo`), and the
-- emoji line (the server's columns must be in the negotiated encoding).
H.test('no-any-cast diagnostics, columns right after emoji and accented text', function()
  local buf = H.open('src/cast.ts')
  local client = H.client(buf)
  H.eq(ts_client.id, client.id, 'same client for the same root')
  H.wait(function()
    return #H.diags(buf, 'no-any-cast') == 3
  end, 'three no-any-cast diagnostics')
  local d = H.diags(buf, 'no-any-cast')
  H.eq({ 0, 2, 3 }, { d[1].lnum, d[2].lnum, d[3].lnum }, 'lines')
  local line = H.lines(buf)[1]
  local expected_col = line:find('1 as any', 1, true) - 1
  H.eq(expected_col, d[1].col, 'start column (bytes) on the emoji line, encoding ' .. client.offset_encoding)
  H.eq('1 as any', line:sub(d[1].col + 1, d[1].end_col), 'text under the diagnostic')
  H.eq('x as any', H.lines(buf)[3]:sub(d[2].col + 1, d[2].end_col), 'text under the second diagnostic')
  H.eq(vim.diagnostic.severity.WARN, d[1].severity, 'severity')
  H.truthy(d[1].user_data and d[1].user_data.lsp and d[1].user_data.lsp.codeDescription
    and d[1].user_data.lsp.codeDescription.href:find('no%-any%-cast'), 'codeDescription.href names the rule')
end)

H.test(':ProdlintFixAll applies only the safe no-any-cast fix', function()
  local buf = H.open('src/cast.ts')
  vim.cmd('ProdlintFixAll')
  local lines = H.lines(buf)
  H.truthy(lines[1]:find('export const value = (1 as unknown);', 1, true), 'safe fix applied: ' .. lines[1])
  H.truthy(lines[1]:find("^const banner = '🚀 Café déjà vu ✨ — naïve façade 👩‍💻'; "), 'emoji text intact: ' .. lines[1])
  H.eq('  const a = (x as any).foo;', lines[3], 'unsafe fix not applied (line 3)')
  H.eq('  const b = (x as any).bar;', lines[4], 'unsafe fix not applied (line 4)')
  H.wait(function()
    return #H.diags(buf, 'no-any-cast') == 2
  end, 'two no-any-cast diagnostics left')
end)

H.test('no-any-cast quick fix and "Disable no-any-cast for this line" via textDocument/codeAction', function()
  local buf = H.open('src/cast.ts')
  local client = H.client(buf)
  local d = H.diags(buf, 'no-any-cast')
  H.eq({ 2, 3 }, { d[1].lnum, d[2].lnum }, 'diagnostic lines')
  local fix
  for _, a in ipairs(H.code_actions(buf, client, d[1])) do
    if a.kind == 'quickfix' and not a.title:match('^Disable') then
      fix = fix or a
    end
  end
  H.truthy(fix, 'a no-any-cast quick fix')
  H.apply(fix, client, buf)
  H.eq('  const a = (x as unknown).foo;', H.lines(buf)[3], 'quick fix applied')
  H.wait(function()
    local left = H.diags(buf, 'no-any-cast')
    return #left == 1 and left[1].lnum == 3
  end, 'one no-any-cast diagnostic left, on line 4')
  local disable
  for _, a in ipairs(H.code_actions(buf, client, H.diags(buf, 'no-any-cast')[1])) do
    if a.kind == 'quickfix' and a.title:match('^Disable') and a.title:find('no-any-cast', 1, true) then
      disable = a
    end
  end
  H.truthy(disable, 'a "Disable no-any-cast for this line" action')
  H.apply(disable, client, buf)
  local lines = H.lines(buf)
  H.truthy(lines[4]:find('^  // prodlint%-ignore no%-any%-cast'), 'suppression comment above, same indent: ' .. vim.inspect(lines))
  H.eq('  const b = (x as any).bar;', lines[5], 'the line itself unchanged')
  H.wait_no_diag(buf, 'no-any-cast')
  vim.wait(300)
  H.eq(0, #H.diags(buf, 'unused-suppression'), 'the new suppression is used')
  vim.cmd('buffer ' .. ts_buf)
end)

H.test('TS diagnostics: cors-wildcard and cache-without-cachelife, once each, from prodlint', function()
  H.wait_diag(ts_buf, 'cors-wildcard')
  H.wait_diag(ts_buf, 'cache-without-cachelife')
  vim.wait(500) -- let any duplicate (push + pull) arrive
  local cors = H.diags(ts_buf, 'cors-wildcard')
  local cache = H.diags(ts_buf, 'cache-without-cachelife')
  H.eq(1, #cors, 'number of cors-wildcard diagnostics')
  H.eq(1, #cache, 'number of cache-without-cachelife diagnostics')
  H.eq(vim.diagnostic.severity.WARN, cors[1].severity, 'cors-wildcard severity')
  H.eq(vim.diagnostic.severity.WARN, cache[1].severity, 'cache-without-cachelife severity')
  local directive_line = H.find_line(ts_buf, "'use cache'", true)
  H.eq(directive_line, cache[1].lnum, 'cache-without-cachelife line')
end)

H.test('cors-wildcard column after emoji and accented text is right (' .. (ts_client and ts_client.offset_encoding or '?') .. ')', function()
  local d = H.diags(ts_buf, 'cors-wildcard')[1]
  local lnum, line = H.find_line(ts_buf, '🚀 Café', true)
  H.eq(lnum, d.lnum, 'cors-wildcard line')
  local cors_col = line:find('cors()', 1, true) - 1
  local use_col = line:find('app.use(', 1, true) - 1
  -- The finding is `cors()` (or the whole `app.use(cors())`); a wrong encoding shifts it by bytes.
  H.truthy(d.col == cors_col or d.col == use_col,
    string.format('start column %d is neither %d (cors) nor %d (app.use); text there: %q', d.col, cors_col, use_col,
      line:sub(d.col + 1)))
  H.eq(d.lnum, d.end_lnum, 'single-line range')
  local text = line:sub(d.col + 1, d.end_col)
  H.truthy(text == 'cors()' or text == 'app.use(cors())' or text == 'cors',
    'diagnostic covers ' .. vim.inspect(text))
end)

H.test(':ProdlintFixAll applies the safe cacheLife fix and leaves cors() alone', function()
  vim.cmd('buffer ' .. ts_buf)
  local before = H.lines(ts_buf)
  vim.cmd('ProdlintFixAll')
  local lines = H.lines(ts_buf)
  H.truthy(#lines > #before, 'buffer grew: ' .. vim.inspect(lines))
  local dl, directive = H.find_line(ts_buf, "'use cache'", true)
  local indent = directive:match('^%s*')
  local next_line = lines[dl + 2]
  H.truthy(next_line:find('^' .. indent .. "cacheLife%('hours'%)"),
    'line after the directive is ' .. vim.inspect(next_line))
  H.truthy(H.find_line(ts_buf, "^import%s*{[^}]*cacheLife[^}]*}%s*from%s*['\"]next/cache['\"]"),
    'cacheLife import added: ' .. H.text(ts_buf))
  H.truthy(H.find_line(ts_buf, 'app.use(cors());', true), 'cors() kept (its fix is unsafe)')
  H.truthy(H.find_line(ts_buf, "🚀 Café déjà vu ✨ — naïve façade 👩‍💻'", true), 'emoji line intact')
  H.wait_no_diag(ts_buf, 'cache-without-cachelife')
  H.eq(1, #H.diags(ts_buf, 'cors-wildcard'), 'cors-wildcard still reported')
end)

H.test('cors-wildcard quick fix (textDocument/codeAction) applies with the client offset encoding', function()
  local d = H.diags(ts_buf, 'cors-wildcard')[1]
  H.truthy(d, 'cors-wildcard diagnostic present')
  local actions = H.code_actions(ts_buf, ts_client, d)
  local fix, disable
  for _, a in ipairs(actions) do
    if a.kind == 'quickfix' and a.title:match('^Disable') then
      disable = disable or a
    elseif a.kind == 'quickfix' then
      fix = fix or a
    end
  end
  H.truthy(disable and disable.title:find('cors-wildcard', 1, true), 'a "Disable cors-wildcard" action: ' .. vim.inspect(actions))
  H.truthy(fix, 'a cors-wildcard quick fix: ' .. vim.inspect(actions))
  local _, before = H.find_line(ts_buf, '🚀 Café', true)
  local prefix = before:sub(1, d.col)
  H.apply(fix, ts_client, ts_buf)
  local _, after = H.find_line(ts_buf, '🚀 Café', true)
  H.truthy(after, 'emoji line still there')
  H.eq(prefix, after:sub(1, #prefix), 'text before the finding unchanged')
  H.truthy(after:find('process.env.CORS_ORIGIN', 1, true), 'fix inserted the CORS_ORIGIN allowlist: ' .. after)
  H.wait_no_diag(ts_buf, 'cors-wildcard')
end)

H.test('"Disable <rule> for this line" inserts a prodlint-ignore comment', function()
  local buf = H.open('src/legacy.ts')
  local client = H.client(buf)
  H.eq(ts_client.id, client.id, 'same client for the same root')
  local d = H.wait_diag(buf, 'cors-wildcard')[1]
  local disable
  for _, a in ipairs(H.code_actions(buf, client, d)) do
    if a.title:match('^Disable') and a.title:find('cors-wildcard', 1, true) then
      disable = a
    end
  end
  H.truthy(disable, 'a "Disable cors-wildcard" action')
  H.apply(disable, client, buf)
  local ln = H.find_line(buf, 'legacy.use(cors());', true)
  local comment = H.lines(buf)[ln] -- find_line is 0-based, lines() 1-based: this is the line above
  H.truthy(comment and comment:find('^%s*// prodlint%-ignore cors%-wildcard'), 'comment above: ' .. vim.inspect(comment))
  H.wait_no_diag(buf, 'cors-wildcard')
end)

H.test('an SQL migration gets rls-disabled (error), and its quick fix enables RLS', function()
  sql_buf = H.open('supabase/migrations/20240101000000_init.sql')
  H.eq('sql', vim.bo[sql_buf].filetype, 'filetype')
  local client = H.client(sql_buf)
  H.eq(ts_client.id, client.id, 'the SQL buffer shares the workspace client')
  local d = H.wait_diag(sql_buf, 'rls-disabled')[1]
  H.eq(vim.diagnostic.severity.ERROR, d.severity, 'severity')
  local fix
  for _, a in ipairs(H.code_actions(sql_buf, client, d)) do
    if a.kind == 'quickfix' and not a.title:match('^Disable') then
      fix = fix or a
    end
  end
  H.truthy(fix, 'an rls-disabled quick fix')
  H.apply(fix, client, sql_buf)
  H.truthy(H.text(sql_buf):lower():find('alter%s+table%s+[%w_."]*profiles[%w_."]*%s+enable%s+row%s+level%s+security%s*;'),
    'ALTER TABLE … ENABLE ROW LEVEL SECURITY inserted: ' .. H.text(sql_buf))
  H.truthy(H.find_line(sql_buf, 'create table public.profiles', true), 'statement kept')
  H.wait_no_diag(sql_buf, 'rls-disabled')
end)

H.test(':ProdlintFixAll on an SQL migration enables RLS', function()
  local buf = H.open('supabase/migrations/20240102000000_posts.sql')
  H.wait_diag(buf, 'rls-disabled')
  vim.cmd('ProdlintFixAll')
  H.truthy(H.text(buf):lower():find('alter%s+table%s+[%w_."]*posts[%w_."]*%s+enable%s+row%s+level%s+security%s*;'),
    'RLS enabled: ' .. H.text(buf))
  H.truthy(H.find_line(buf, '-- Posts written by users.', true), 'comment kept')
  H.wait_no_diag(buf, 'rls-disabled')
end)

H.test('dotenv buffers get the client; other sh buffers do not', function()
  local env = H.open('.env.production')
  H.wait(function()
    return vim.bo[env].filetype == 'sh'
  end, '.env.production to get filetype sh')
  local client = H.client(env)
  H.eq(ts_client.id, client.id, 'dotenv buffer shares the workspace client')
  local script = H.open('scripts/deploy.sh')
  H.eq('sh', vim.bo[script].filetype, 'deploy.sh filetype')
  vim.wait(1000)
  H.eq(0, #H.clients(script), 'clients on deploy.sh')
end)

H.test('one client for the whole workspace; a file outside any marker folder gets its own root', function()
  H.eq(1, #H.clients(nil), 'prodlint clients so far')
  H.truthy(H.loose, 'PRODLINT_LOOSE set')
  local buf = H.open('standalone.ts', H.loose)
  local client = H.client(buf)
  H.truthy(client.id ~= ts_client.id, 'a second client')
  H.eq(H.loose, client.config.root_dir, 'root_dir of a file without markers')
  H.wait_diag(buf, 'cors-wildcard')
  H.eq(2, #H.clients(nil), 'prodlint clients')
end)

H.test(':ProdlintRestart replaces the clients and diagnostics come back', function()
  local old = {}
  for _, c in ipairs(H.clients(nil)) do
    old[c.id] = true
  end
  local buf = H.open('src/legacy.ts')
  vim.cmd('ProdlintRestart')
  H.wait(function()
    local c = H.clients(buf)[1]
    return c ~= nil and not old[c.id] and c.initialized == true
  end, 'a new client on legacy.ts')
  H.eq(H.ws, H.clients(buf)[1].config.root_dir, 'root_dir of the new client')
  H.wait(function()
    for _, c in ipairs(H.clients(nil)) do
      if old[c.id] then
        return false
      end
    end
    return true
  end, 'the old clients to stop')
  -- The new client lints edits: type a finding.
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { 'export const z = (legacy as any);' })
  H.wait_diag(buf, 'no-any-cast')
end)

H.test('no deprecation warnings or errors from the plugin in :messages', function()
  local messages = vim.fn.execute('messages')
  H.truthy(not messages:lower():find('deprecat'), 'deprecation warning: ' .. messages)
  H.truthy(not messages:find('E%d+:'), 'error message: ' .. messages)
  H.truthy(not messages:find('prodlint: '), 'plugin warning: ' .. messages)
end)

H.finish()
