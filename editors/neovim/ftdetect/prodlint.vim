" prodlint: dotenv files (`.env`, `.env.*`) are linted as `sh` buffers; Neovim names `.env` only.
" Neovim 0.7 has no filetype for TypeScript's `.mts`/`.cts`. `setfiletype` never overrides a
" filetype that detection already chose.
autocmd BufNewFile,BufRead .env,.env.* setfiletype sh
autocmd BufNewFile,BufRead *.mts,*.cts setfiletype typescript
