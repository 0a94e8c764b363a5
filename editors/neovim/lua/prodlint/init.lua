-- prodlint for Neovim: starts `prodlint lsp` for TypeScript/JavaScript, SQL and dotenv buffers,
-- offers :ProdlintFixAll and optional fix-all on save. Works on Neovim 0.7 through 0.11.
--
--   require('prodlint').setup({
--     cmd = { 'prodlint', 'lsp' },        -- how to start the server
--     filetypes = { ... },                -- see M.default_filetypes
--     root_dir = nil,                     -- string, or function(fname, bufnr) -> string|nil
--     settings = { prodlint = { run = 'onType', rules = { ['no-any-cast'] = 'off' } } },
--     init_options = nil,                 -- defaults to settings.prodlint
--     on_attach = function(client, bufnr) end,
--     capabilities = nil,                 -- merged over Neovim's defaults
--     fix_on_save = false,                -- apply source.fixAll.prodlint before each write
--   })
local util = require('prodlint.util')

local M = {}

M.name = 'prodlint'
M.fix_all_kind = 'source.fixAll.prodlint'
M.default_filetypes = {
  'typescript',
  'javascript',
  'typescriptreact',
  'javascriptreact',
  'sql',
  -- dotenv files: Neovim gives `.env` the filetype `sh`; the plugin gives it to `.env.*` too and only
  -- attaches to `sh` buffers whose name is a dotenv name. `dotenv` is for users who define that filetype.
  'sh',
  'dotenv',
}

local defaults = {
  cmd = { 'prodlint', 'lsp' },
  filetypes = M.default_filetypes,
  root_dir = nil,
  settings = { prodlint = {} },
  init_options = nil,
  on_attach = nil,
  capabilities = nil,
  fix_on_save = false,
  fix_all_timeout_ms = 3000,
  autostart = true,
}

M.config = vim.deepcopy(defaults)

-- Neovim 0.7 only (no vim.lsp.start): client id per root folder and command.
local clients_by_root = {}

local augroup = 'prodlint'

--- Filetypes that only count when the buffer name is a dotenv file name.
local dotenv_only = { sh = true }

local function buf_path(bufnr)
  if vim.bo[bufnr].buftype ~= '' then
    return nil
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' or name:match('^%a[%w+.-]*://') then
    return nil
  end
  return name
end

--- The workspace root for `fname`: the user's `root_dir`, else the nearest folder holding
--- prodlint.toml, .git, package.json or supabase/, else the file's folder.
function M.root_dir(fname, bufnr)
  local user = M.config.root_dir
  local root
  if type(user) == 'function' then
    root = user(fname, bufnr)
  elseif type(user) == 'string' then
    root = user
  end
  if not root or root == '' then
    root = util.find_root(fname)
  end
  return root or util.dirname(fname)
end

local function make_capabilities()
  local caps = vim.lsp.protocol.make_client_capabilities()
  if M.config.capabilities then
    caps = vim.tbl_deep_extend('force', caps, M.config.capabilities)
  end
  return caps
end

-- An empty Lua table encodes as a JSON array; the server expects objects.
local function as_object(value)
  if type(value) == 'table' and next(value) == nil then
    return vim.empty_dict()
  end
  return value
end

local function make_client_config(root)
  local settings = vim.deepcopy(M.config.settings or {})
  if settings.prodlint ~= nil then
    settings.prodlint = as_object(settings.prodlint)
  end
  local init_options = M.config.init_options
  if init_options == nil then
    init_options = settings.prodlint
  end
  init_options = as_object(init_options or {})
  local user_on_attach = M.config.on_attach
  return {
    name = M.name,
    cmd = M.config.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    settings = settings,
    init_options = init_options,
    capabilities = make_capabilities(),
    on_attach = user_on_attach,
  }
end

--- Whether prodlint handles this buffer (by filetype, and by name for dotenv files).
function M.wants(bufnr)
  local path = buf_path(bufnr)
  if not path then
    return false
  end
  local ft = vim.bo[bufnr].filetype
  if util.is_dotenv(path) then
    return ft == '' or vim.tbl_contains(M.config.filetypes, ft)
  end
  return not dotenv_only[ft] and vim.tbl_contains(M.config.filetypes, ft)
end

--- Start (or reuse) the client for the buffer's root and attach it. Returns the client id or nil.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if not M.wants(bufnr) then
    return nil
  end
  local path = buf_path(bufnr)
  local root = M.root_dir(path, bufnr)
  local config = make_client_config(root)
  if vim.lsp.start then
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  -- Neovim 0.7: start_client + buf_attach_client, one client per root and command.
  local key = root .. '\0' .. table.concat(config.cmd, '\0')
  local id = clients_by_root[key]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or util.is_stopped(client) then
    id = vim.lsp.start_client(config)
    if not id then
      util.notify('could not start ' .. table.concat(config.cmd, ' '), vim.log.levels.ERROR)
      return nil
    end
    clients_by_root[key] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

local function apply_edit(edit, client)
  vim.lsp.util.apply_workspace_edit(edit, client.offset_encoding)
end

local function run_command(client, command, bufnr)
  if util.has_011 and client.exec_cmd then
    client:exec_cmd(command, { bufnr = bufnr })
  else
    util.request(client, 'workspace/executeCommand', command, function() end, bufnr)
  end
end

--- Apply the `source.fixAll.prodlint` code action to `bufnr` synchronously. Returns the number of
--- actions applied.
function M.fix_all(opts)
  opts = opts or {}
  local bufnr = (opts.bufnr == nil or opts.bufnr == 0) and vim.api.nvim_get_current_buf() or opts.bufnr
  local timeout = opts.timeout_ms or M.config.fix_all_timeout_ms
  local applied = 0
  local clients = util.get_clients(M.name, bufnr)
  if #clients == 0 and not opts.silent then
    util.notify('no prodlint client attached to this buffer', vim.log.levels.WARN)
  end
  for _, client in ipairs(clients) do
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(bufnr) },
      range = util.full_range(bufnr, client.offset_encoding),
      context = { only = { M.fix_all_kind }, diagnostics = {}, triggerKind = 1 },
    }
    local response, err = util.request_sync(client, 'textDocument/codeAction', params, timeout, bufnr)
    if not response then
      if not opts.silent then
        util.notify('fix-all failed: ' .. tostring(err), vim.log.levels.WARN)
      end
    elseif response.err then
      if not opts.silent then
        util.notify('fix-all failed: ' .. tostring(response.err.message or response.err), vim.log.levels.WARN)
      end
    else
      for _, action in ipairs(response.result or {}) do
        local kind = action.kind or ''
        if kind == M.fix_all_kind or kind:sub(1, #M.fix_all_kind + 1) == M.fix_all_kind .. '.' then
          if not action.edit and not action.command and util.supports_method(client, 'codeAction/resolve', bufnr) then
            local resolved = util.request_sync(client, 'codeAction/resolve', action, timeout, bufnr)
            if resolved and resolved.result then
              action = resolved.result
            end
          end
          if action.edit then
            apply_edit(action.edit, client)
            applied = applied + 1
          end
          if type(action.command) == 'table' then
            run_command(client, action.command, bufnr)
            applied = applied + 1
          end
        end
      end
    end
  end
  return applied
end

local function create_commands()
  vim.api.nvim_create_user_command('ProdlintFixAll', function()
    M.fix_all({ bufnr = 0 })
  end, { desc = 'prodlint: apply all safe fixes (source.fixAll.prodlint) to the buffer' })
  vim.api.nvim_create_user_command('ProdlintRestart', function()
    for _, client in ipairs(util.get_clients(M.name)) do
      if util.has_011 then
        client:stop()
      else
        client.stop()
      end
    end
    clients_by_root = {}
    vim.defer_fn(function()
      for _, buf in ipairs(vim.api.nvim_list_bufs()) do
        if vim.api.nvim_buf_is_loaded(buf) then
          M.attach(buf)
        end
      end
    end, 500)
  end, { desc = 'prodlint: restart the language server' })
end

--- Configure the plugin and start attaching to buffers. Calling it again replaces the options.
function M.setup(opts)
  opts = opts or {}
  M.config = vim.tbl_extend('force', vim.deepcopy(defaults), opts)
  clients_by_root = {}

  vim.api.nvim_create_augroup(augroup, { clear = true })

  -- `.env.*` files get no filetype from Neovim: give them `sh` (as `.env` has), unless something
  -- else already set one.
  vim.api.nvim_create_autocmd({ 'BufNewFile', 'BufRead' }, {
    group = augroup,
    pattern = { '.env', '.env.*' },
    callback = function(args)
      -- After the other BufRead autocommands, so that filetype detection goes first.
      vim.schedule(function()
        if vim.api.nvim_buf_is_valid(args.buf) and vim.bo[args.buf].filetype == '' then
          vim.bo[args.buf].filetype = 'sh'
        end
      end)
    end,
  })

  if M.config.autostart ~= false then
    vim.api.nvim_create_autocmd('FileType', {
      group = augroup,
      pattern = M.config.filetypes,
      callback = function(args)
        M.attach(args.buf)
      end,
    })
  end

  if M.config.fix_on_save then
    vim.api.nvim_create_autocmd('BufWritePre', {
      group = augroup,
      callback = function(args)
        if #util.get_clients(M.name, args.buf) > 0 then
          M.fix_all({ bufnr = args.buf, silent = true })
        end
      end,
    })
  end

  create_commands()

  -- Buffers opened before setup() ran (lazy loading).
  if M.config.autostart ~= false then
    for _, buf in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(buf) then
        M.attach(buf)
      end
    end
  end
end

return M
