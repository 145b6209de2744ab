-- The modcache language server for Neovim's built-in client, in the shape that
-- `vim.lsp.config` / `vim.lsp.enable("modcache")` (Neovim 0.11+) and nvim-lspconfig read:
-- put this folder on 'runtimepath' (or copy the file to ~/.config/nvim/lsp/modcache.lua) and run
-- `vim.lsp.enable("modcache")`.
return {
  cmd = { "modcache", "server" },
  filetypes = { "python" },
  root_markers = { "pyproject.toml", "modcache.toml", "setup.py", "setup.cfg", ".git" },
  -- The server reads section `modcache`; every key is optional and an empty list leaves the
  -- project's [tool.modcache] value in force. Keys: select, ignore, entries, roots,
  -- pythonVersion, python.
  settings = {
    modcache = {},
  },
  before_init = function(params, config)
    -- The server also reads its settings from initializationOptions, before it first analyses.
    params.initializationOptions = (config.settings or {}).modcache
    -- Neovim (0.10, 0.11) can pull diagnostics but cannot be told to pull again
    -- (no workspace/diagnostic/refresh), so findings in other files and those of the first
    -- analysis would go stale. Without this capability the server pushes them instead.
    local text_document = params.capabilities and params.capabilities.textDocument
    local workspace = params.capabilities and params.capabilities.workspace
    if text_document and not (workspace and workspace.diagnostics and workspace.diagnostics.refreshSupport) then
      text_document.diagnostic = nil
    end
  end,
}
