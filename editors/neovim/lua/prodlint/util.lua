-- Small helpers that paper over the differences between Neovim 0.7 and 0.11.
local M = {}

local uv = vim.uv or vim.loop

M.has_011 = vim.fn.has('nvim-0.11') == 1
M.has_010 = vim.fn.has('nvim-0.10') == 1

--- Markers that make a folder the workspace root, nearest ancestor first.
M.root_markers = { 'prodlint.toml', '.git', 'package.json', 'supabase' }

--- True for dotenv file names: `.env` and `.env.<anything>` (`.env.local`, `.env.production`, …).
function M.is_dotenv(path)
  local tail = (path or ''):match('[^/\\]+$') or ''
  return tail == '.env' or tail:match('^%.env%..+') ~= nil
end

local function stat(path)
  return uv.fs_stat(path)
end

function M.dirname(path)
  local d = path:match('^(.*)[/\\][^/\\]*$')
  if d == nil then
    return '.'
  end
  if d == '' then
    return '/'
  end
  return d
end

local function join(dir, name)
  if dir:sub(-1) == '/' then
    return dir .. name
  end
  return dir .. '/' .. name
end

--- The nearest ancestor folder of `path` that holds one of `markers` (a `supabase` marker must be a
--- folder); nil when none does.
function M.find_root(path, markers)
  markers = markers or M.root_markers
  local dir = M.dirname(path)
  while dir and dir ~= '' do
    for _, marker in ipairs(markers) do
      local st = stat(join(dir, marker))
      if st and (marker ~= 'supabase' or st.type == 'directory') then
        return dir
      end
    end
    local parent = M.dirname(dir)
    if parent == dir then
      break
    end
    dir = parent
  end
  return nil
end

--- Clients named `name` attached to `bufnr` (all buffers when bufnr is nil).
function M.get_clients(name, bufnr)
  local out = {}
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ name = name, bufnr = bufnr })
  end
  if bufnr then
    for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do
      if client.name == name then
        table.insert(out, client)
      end
    end
  else
    for _, client in ipairs(vim.lsp.get_active_clients()) do
      if client.name == name then
        table.insert(out, client)
      end
    end
  end
  return out
end

function M.is_stopped(client)
  if M.has_011 then
    return client:is_stopped()
  end
  return client.is_stopped()
end

function M.request_sync(client, method, params, timeout_ms, bufnr)
  if M.has_011 then
    return client:request_sync(method, params, timeout_ms, bufnr)
  end
  return client.request_sync(method, params, timeout_ms, bufnr)
end

function M.request(client, method, params, handler, bufnr)
  if M.has_011 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

function M.supports_method(client, method, bufnr)
  if M.has_011 then
    return client:supports_method(method, bufnr)
  end
  if client.supports_method then
    return client.supports_method(method)
  end
  return true
end

--- Length of `line` in code units of `encoding` ('utf-8' | 'utf-16' | 'utf-32').
function M.line_length(line, encoding)
  if encoding == 'utf-8' then
    return #line
  end
  if M.has_011 then
    return vim.str_utfindex(line, encoding)
  end
  local utf32, utf16 = vim.str_utfindex(line)
  if encoding == 'utf-32' then
    return utf32
  end
  return utf16
end

--- An LSP range covering the whole buffer, in the client's position encoding.
function M.full_range(bufnr, encoding)
  local count = vim.api.nvim_buf_line_count(bufnr)
  local last = vim.api.nvim_buf_get_lines(bufnr, count - 1, count, false)[1] or ''
  return {
    start = { line = 0, character = 0 },
    ['end'] = { line = count - 1, character = M.line_length(last, encoding) },
  }
end

function M.notify(msg, level)
  vim.notify('prodlint: ' .. msg, level or vim.log.levels.INFO)
end

return M
