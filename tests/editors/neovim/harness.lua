-- A tiny test harness for headless Neovim 0.7 – 0.11. Each test is a function run with xpcall;
-- results go, one line each, to the file named by $PRODLINT_RESULTS:
--   ok <label>: <name>
--   not ok <label>: <name> -- <message>
-- and the file ends with `# done` when the run finished (run.sh counts a run without it as failed).
local H = {}

H.ws = assert(os.getenv('PRODLINT_WS'), 'PRODLINT_WS not set')
H.loose = os.getenv('PRODLINT_LOOSE')
H.label = os.getenv('PRODLINT_LABEL') or 'nvim'
H.timeout = tonumber(os.getenv('PRODLINT_WAIT_MS') or '') or 20000
H.has_011 = vim.fn.has('nvim-0.11') == 1

local results_path = assert(os.getenv('PRODLINT_RESULTS'), 'PRODLINT_RESULTS not set')
local results = assert(io.open(results_path, 'w'))

local function one_line(s)
  return (tostring(s):gsub('\n', ' | '))
end

function H.log(msg)
  io.stderr:write('[' .. H.label .. '] ' .. msg .. '\n')
end

function H.test(name, fn)
  H.log('test: ' .. name)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    results:write('ok ' .. H.label .. ': ' .. name .. '\n')
  else
    results:write('not ok ' .. H.label .. ': ' .. name .. ' -- ' .. one_line(err) .. '\n')
    H.log('FAILED: ' .. tostring(err))
  end
  results:flush()
end

function H.finish()
  results:write('# done\n')
  results:close()
  vim.cmd('qa!')
end

function H.wait(cond, what, ms)
  local ok = vim.wait(ms or H.timeout, function()
    local good, value = pcall(cond)
    return good and value
  end, 50)
  if not ok then
    error('timed out after ' .. (ms or H.timeout) .. ' ms waiting for ' .. what, 2)
  end
end

function H.eq(expected, actual, what)
  if not vim.deep_equal(expected, actual) then
    error(string.format('%s: expected %s, got %s', what or 'value', vim.inspect(expected), vim.inspect(actual)), 2)
  end
end

function H.truthy(value, what)
  if not value then
    error(what or 'expected a true value', 2)
  end
  return value
end

--- Open `rel` (relative to the workspace) in the current window; returns the buffer number.
function H.open(rel, base)
  local path = (base or H.ws) .. '/' .. rel
  local existing = vim.fn.bufnr(path)
  if existing ~= -1 and vim.api.nvim_buf_is_loaded(existing) then
    vim.cmd('buffer ' .. existing) -- `:edit` would try to reload a modified buffer
  else
    vim.cmd('edit ' .. vim.fn.fnameescape(path))
  end
  return vim.api.nvim_get_current_buf()
end

function H.lines(bufnr)
  return vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
end

function H.text(bufnr)
  return table.concat(H.lines(bufnr), '\n')
end

function H.clients(bufnr)
  local out = {}
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ name = 'prodlint', bufnr = bufnr })
  end
  if bufnr then
    for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
      if c.name == 'prodlint' then
        table.insert(out, c)
      end
    end
  else
    for _, c in ipairs(vim.lsp.get_active_clients()) do
      if c.name == 'prodlint' then
        table.insert(out, c)
      end
    end
  end
  return out
end

function H.client(bufnr)
  H.wait(function()
    local c = H.clients(bufnr)[1]
    return c ~= nil and c.initialized == true
  end, 'an initialized prodlint client on buffer ' .. tostring(bufnr))
  return H.clients(bufnr)[1]
end

--- prodlint diagnostics on the buffer, optionally of one rule.
function H.diags(bufnr, code)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == 'prodlint' and (code == nil or d.code == code) then
      table.insert(out, d)
    end
  end
  table.sort(out, function(a, b)
    return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col)
  end)
  return out
end

function H.wait_diag(bufnr, code)
  H.wait(function()
    return #H.diags(bufnr, code) > 0
  end, 'a ' .. code .. ' diagnostic')
  return H.diags(bufnr, code)
end

function H.wait_no_diag(bufnr, code)
  H.wait(function()
    return #H.diags(bufnr, code) == 0
  end, 'the ' .. code .. ' diagnostic to go away')
end

--- Byte column `col` of `line` in code units of `encoding`.
function H.char_index(line, col, encoding)
  if encoding == 'utf-8' then
    return col
  end
  if H.has_011 then
    return vim.str_utfindex(line, encoding, col, false)
  end
  local utf32, utf16 = vim.str_utfindex(line, col)
  return encoding == 'utf-32' and utf32 or utf16
end

--- The LSP form of a vim.diagnostic item, positions in the client's encoding.
function H.to_lsp(bufnr, d, encoding)
  local lsp = d.user_data and d.user_data.lsp or {}
  if lsp.range then
    return lsp -- Neovim 0.10+ keeps the server's diagnostic
  end
  local start_line = vim.api.nvim_buf_get_lines(bufnr, d.lnum, d.lnum + 1, false)[1] or ''
  local end_line = vim.api.nvim_buf_get_lines(bufnr, d.end_lnum, d.end_lnum + 1, false)[1] or ''
  return {
    range = {
      start = { line = d.lnum, character = H.char_index(start_line, d.col, encoding) },
      ['end'] = { line = d.end_lnum, character = H.char_index(end_line, d.end_col, encoding) },
    },
    severity = d.severity,
    message = d.message,
    source = d.source,
    code = d.code,
    codeDescription = lsp.codeDescription,
    tags = lsp.tags,
    data = lsp.data,
  }
end

function H.request_sync(client, method, params, bufnr)
  local resp, err
  if H.has_011 then
    resp, err = client:request_sync(method, params, H.timeout, bufnr)
  else
    resp, err = client.request_sync(method, params, H.timeout, bufnr)
  end
  if not resp then
    error(method .. ' failed: ' .. tostring(err), 2)
  end
  if resp.err then
    error(method .. ' returned an error: ' .. vim.inspect(resp.err), 2)
  end
  return resp.result
end

--- Code actions offered at diagnostic `d` (a textDocument/codeAction request at its range).
function H.code_actions(bufnr, client, d)
  local lsp_diag = H.to_lsp(bufnr, d, client.offset_encoding)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = lsp_diag.range,
    context = { diagnostics = { lsp_diag }, triggerKind = 1 },
  }
  return H.request_sync(client, 'textDocument/codeAction', params, bufnr) or {}
end

function H.apply(action, client, bufnr)
  if not action.edit and client.server_capabilities and type(client.server_capabilities.codeActionProvider) == 'table'
    and client.server_capabilities.codeActionProvider.resolveProvider then
    action = H.request_sync(client, 'codeAction/resolve', action, bufnr)
  end
  H.truthy(action.edit, 'code action "' .. tostring(action.title) .. '" has no edit')
  vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
end

function H.find_line(bufnr, pattern, plain)
  for i, line in ipairs(H.lines(bufnr)) do
    if line:find(pattern, 1, plain) then
      return i - 1, line
    end
  end
  return nil
end

function H.read_file(path)
  local f = assert(io.open(path, 'r'))
  local s = f:read('*a')
  f:close()
  return s
end

return H
