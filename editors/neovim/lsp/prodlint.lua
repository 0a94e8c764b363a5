-- prodlint language server configuration for Neovim 0.11+ (`vim.lsp.config` / `vim.lsp.enable`).
--
--   vim.lsp.enable('prodlint')                                  -- with this folder on 'runtimepath'
--   vim.lsp.config('prodlint', { settings = { prodlint = { run = 'onSave' } } })   -- optional overrides
--
-- Self-contained: it needs nothing else from the plugin, so it can be copied to ~/.config/nvim/lsp/.
local root_markers = { 'prodlint.toml', '.git', 'package.json', 'supabase' }

local function is_dotenv(name)
  local tail = vim.fs.basename(name)
  return tail == '.env' or tail:match('^%.env%..+') ~= nil
end

---@type vim.lsp.Config
return {
  cmd = { 'prodlint', 'lsp' },
  filetypes = {
    'typescript',
    'javascript',
    'typescriptreact',
    'javascriptreact',
    'sql',
    'sh', -- only for dotenv files (`.env`, `.env.*`), see root_dir
    'dotenv',
  },
  root_markers = root_markers,
  -- The nearest folder holding one of root_markers, else the file's own folder. `sh` buffers that
  -- are not dotenv files get no client.
  root_dir = function(bufnr, on_dir)
    local name = vim.api.nvim_buf_get_name(bufnr)
    if name == '' or vim.bo[bufnr].buftype ~= '' then
      return
    end
    if vim.bo[bufnr].filetype == 'sh' and not is_dotenv(name) then
      return
    end
    on_dir(vim.fs.root(bufnr, root_markers) or vim.fs.dirname(name))
  end,
  settings = { prodlint = vim.empty_dict() },
  -- The server reads its settings from initializationOptions (the `prodlint` object itself).
  before_init = function(params, config)
    if params.initializationOptions == nil and config.settings then
      params.initializationOptions = config.settings.prodlint
    end
  end,
}
