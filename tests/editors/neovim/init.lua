-- Loads the plugin the way a user does: the plugin folder on 'runtimepath', then setup().
-- Environment: PRODLINT_REPO (repository root), PRODLINT_BIN (absolute path of the binary),
-- PRODLINT_TEST_FIX_ON_SAVE=1 to test fix_on_save together with settings.
local repo = assert(os.getenv('PRODLINT_REPO'), 'PRODLINT_REPO not set')
local bin = assert(os.getenv('PRODLINT_BIN'), 'PRODLINT_BIN not set')
vim.opt.runtimepath:append(repo .. '/editors/neovim')
vim.opt.swapfile = false
vim.opt.hidden = true -- the default from Neovim 0.10 on; tests switch away from modified buffers
vim.opt.shadafile = 'NONE'

_G.prodlint_test_attached = {}
local opts = {
  cmd = { bin, 'lsp' },
  on_attach = function(client, bufnr)
    table.insert(_G.prodlint_test_attached, { client = client.id, buf = bufnr })
  end,
}
if os.getenv('PRODLINT_TEST_FIX_ON_SAVE') == '1' then
  opts.fix_on_save = true
  opts.settings = { prodlint = { rules = { ['no-any-cast'] = 'error', ['cors-wildcard'] = 'off' } } }
end
require('prodlint').setup(opts)
