-- Neovim 0.11+: no setup(); the plugin folder on 'runtimepath' provides lsp/prodlint.lua, which
-- vim.lsp.enable() picks up. The command (the binary under test) and a setting are overridden.
local repo = assert(os.getenv('PRODLINT_REPO'), 'PRODLINT_REPO not set')
local bin = assert(os.getenv('PRODLINT_BIN'), 'PRODLINT_BIN not set')
vim.opt.runtimepath:append(repo .. '/editors/neovim')
vim.opt.swapfile = false
vim.opt.hidden = true -- the default from Neovim 0.10 on; tests switch away from modified buffers
vim.opt.shadafile = 'NONE'
vim.lsp.config('prodlint', {
  cmd = { bin, 'lsp' },
  settings = { prodlint = { rules = { ['no-any-cast'] = 'error' } } },
})
vim.lsp.enable('prodlint')
