-- modcache for Neovim's built-in LSP client: starts `modcache server` for Python buffers (one
-- server per project root), passes the settings, and adds :ModcacheLoadOrder, :ModcacheGraph and
-- :ModcacheRestart. Works on Neovim 0.7 and later; newer APIs are used only where they exist.
local load_order = require("modcache.load_order")

local M = {}

local defaults = {
  -- The command that starts the server; `cmd[1]` may be a bare name looked up on PATH.
  cmd = { "modcache", "server" },
  filetypes = { "python" },
  -- The nearest folder (going up from the file) that holds one of these is the project root.
  root_markers = { "pyproject.toml", "modcache.toml", "setup.py", "setup.cfg", ".git" },
  -- Sent as initializationOptions and as section `modcache` of workspace/configuration:
  -- select, ignore, entries, roots, pythonVersion, python.
  settings = {},
  capabilities = nil,
  on_attach = nil,
}

M.config = vim.deepcopy(defaults)

-- Neovim 0.11 turned client functions into methods (`client:request`); 0.7–0.10 have plain
-- functions in the client table. Each call goes through here so that neither form warns.
local methods = vim.fn.has("nvim-0.11") == 1

local function call(client, name, ...)
  if methods then
    return client[name](client, ...)
  end
  return client[name](...)
end

local function clients()
  local all = vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()
  local ours = {}
  for _, client in ipairs(all) do
    if client.name == "modcache" then
      table.insert(ours, client)
    end
  end
  return ours
end

local function notify(message, level)
  vim.notify("modcache: " .. message, level or vim.log.levels.INFO)
end

--- The nearest folder at or above `path` that holds a root marker, else the file's own folder.
function M.find_root(path, markers)
  markers = markers or M.config.root_markers
  local dir = vim.fn.fnamemodify(path, ":p:h")
  while true do
    for _, marker in ipairs(markers) do
      if (vim.uv or vim.loop).fs_stat(dir .. "/" .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      return vim.fn.fnamemodify(path, ":p:h")
    end
    dir = parent
  end
end

local function root_uri(root)
  return vim.uri_from_fname(root)
end

local warned_missing = false

local function server_cmd()
  local cmd = M.config.cmd
  if vim.fn.executable(cmd[1]) == 1 then
    return cmd
  end
  if not warned_missing then
    warned_missing = true
    notify(
      string.format(
        "cannot run %q (not an executable file, nor found on PATH=%s). Install modcache "
          .. "(`cargo install --path server`) or pass `cmd = { '/path/to/modcache', 'server' }` to setup().",
        cmd[1],
        vim.env.PATH or ""
      ),
      vim.log.levels.ERROR
    )
  end
  return nil
end

local function client_config(root)
  local capabilities = M.config.capabilities or vim.lsp.protocol.make_client_capabilities()
  return {
    name = "modcache",
    cmd = M.config.cmd,
    root_dir = root,
    workspace_folders = { { uri = root_uri(root), name = root } },
    capabilities = capabilities,
    init_options = M.config.settings,
    -- Neovim answers workspace/configuration from here: section `modcache` is this table.
    settings = { modcache = M.config.settings },
    on_attach = M.config.on_attach,
    before_init = function(params)
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
end

--- The client already serving `root`, if any.
local function client_for_root(root)
  for _, client in ipairs(clients()) do
    if client.config.root_dir == root and not call(client, "is_stopped") then
      return client
    end
  end
  return nil
end

--- Starts (or reuses) the server for the project of buffer `bufnr` and attaches the buffer.
function M.attach(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" or vim.bo[bufnr].buftype ~= "" then
    return nil
  end
  if not server_cmd() then
    return nil
  end
  local root = M.find_root(name)
  local config = client_config(root)
  if vim.lsp.start then
    -- Neovim 0.8+: reuses a client with the same name and root_dir.
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  local client = client_for_root(root)
  local id = client and client.id or vim.lsp.start_client(config)
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- Sends new settings to every running server (workspace/didChangeConfiguration).
function M.update_settings(settings)
  M.config.settings = settings or {}
  for _, client in ipairs(clients()) do
    local settings = { modcache = M.config.settings }
    -- Neovim 0.11 answers workspace/configuration from `client.settings`, older ones from
    -- `client.config.settings`.
    client.config.settings = settings
    if client.settings ~= nil then
      client.settings = settings
    end
    call(client, "notify", "workspace/didChangeConfiguration", { settings = settings })
  end
end

--- A running client for the current buffer's project (starting one if needed).
local function current_client()
  local bufnr = vim.api.nvim_get_current_buf()
  local name = vim.api.nvim_buf_get_name(bufnr)
  local root = name ~= "" and M.find_root(name) or nil
  local fallback = nil
  for _, client in ipairs(clients()) do
    if not call(client, "is_stopped") then
      if root and client.config.root_dir == root then
        return client
      end
      fallback = fallback or client
    end
  end
  return fallback
end

--- Opens a scratch split with `lines`; <CR> on a line with a location opens that file and line.
local function scratch(title, lines, locations, highlights, root)
  vim.cmd("botright new")
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].buftype = "nofile"
  vim.bo[buf].bufhidden = "wipe"
  vim.bo[buf].swapfile = false
  -- Callers number their titles, because two buffers cannot share a name; pcall keeps a clash
  -- from hiding the result anyway.
  pcall(vim.api.nvim_buf_set_name, buf, title)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].filetype = "modcache"
  local namespace = vim.api.nvim_create_namespace("modcache")
  for _, highlight in ipairs(highlights or {}) do
    local row, group = highlight[1], highlight[2]
    vim.api.nvim_buf_set_extmark(buf, namespace, row, 0, { end_row = row, end_col = #lines[row + 1], hl_group = group })
  end
  if locations and next(locations) then
    vim.keymap.set("n", "<CR>", function()
      local location = locations[vim.api.nvim_win_get_cursor(0)[1]]
      if not location then
        return
      end
      local file = root and (root .. "/" .. location.path) or location.path
      vim.cmd("wincmd p")
      vim.cmd("edit " .. vim.fn.fnameescape(file))
      pcall(vim.api.nvim_win_set_cursor, 0, { location.line or 1, 0 })
    end, { buffer = buf, desc = "Open the import under the cursor" })
  end
  vim.api.nvim_win_set_height(0, math.min(#lines + 1, 20))
  return buf
end

local view_count = 0

--- Shows the predicted load order of `entry` (for example "main.py" or "-m pkg") in a split.
--- Without an entry, offers the configured and detected entries.
function M.load_order(entry)
  local client = current_client()
  if not client then
    notify("no modcache server is running; open a Python file first", vim.log.levels.WARN)
    return
  end
  local bufnr = vim.api.nvim_get_current_buf()
  local function show(chosen)
    call(client, "request", "modcache/loadOrder", { entry = chosen }, function(err, result)
      if err then
        notify(string.format("no load order for %s: %s", chosen, err.message or vim.inspect(err)), vim.log.levels.ERROR)
        return
      end
      local lines, locations, highlights = load_order.render(result)
      view_count = view_count + 1
      scratch(
        string.format("modcache://load-order/%d/%s", view_count, chosen),
        lines,
        locations,
        highlights,
        client.config.root_dir
      )
    end, bufnr)
  end
  if entry and entry ~= "" then
    show(entry)
    return
  end
  call(client, "request", "modcache/entries", vim.empty_dict(), function(err, result)
    local entries = (not err and result and result.entries) or {}
    if #entries == 0 then
      vim.ui.input({ prompt = "Entry (main.py, -m pkg): " }, function(input)
        if input and input ~= "" then
          show(input)
        end
      end)
      return
    end
    vim.ui.select(entries, { prompt = "How is the program started?", format_item = load_order.command_line }, function(choice)
      if choice then
        show(choice)
      end
    end)
  end, bufnr)
end

--- Shows the import graph: its cycles and the mermaid text.
function M.graph()
  local client = current_client()
  if not client then
    notify("no modcache server is running; open a Python file first", vim.log.levels.WARN)
    return
  end
  call(client, "request", "modcache/graph", vim.empty_dict(), function(err, result)
    if err then
      notify("no import graph: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    view_count = view_count + 1
    local buf = scratch(string.format("modcache://graph/%d", view_count), load_order.render_graph(result))
    vim.bo[buf].filetype = "mermaid"
  end, vim.api.nvim_get_current_buf())
end

--- Entries for command-line completion, asked synchronously with a short timeout.
function M.complete_entries(lead)
  local client = current_client()
  if not client then
    return {}
  end
  local answer = call(client, "request_sync", "modcache/entries", vim.empty_dict(), 1000, vim.api.nvim_get_current_buf())
  local entries = answer and answer.result and answer.result.entries or {}
  local matches = {}
  for _, entry in ipairs(entries) do
    if entry:sub(1, #lead) == lead then
      table.insert(matches, entry)
    end
  end
  return matches
end

--- Stops every modcache server and starts them again for the Python buffers they served.
function M.restart()
  local buffers = {}
  local running = clients()
  for _, client in ipairs(running) do
    for bufnr in pairs(client.attached_buffers or {}) do
      table.insert(buffers, bufnr)
    end
    call(client, "stop")
  end
  if #buffers == 0 then
    for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(M.config.filetypes, vim.bo[bufnr].filetype) then
        table.insert(buffers, bufnr)
      end
    end
  end
  -- Gone means removed from Neovim's client list, which happens once the process has exited
  -- (Neovim 0.7's is_stopped() turns true as soon as the shutdown starts).
  vim.wait(5000, function()
    for _, client in ipairs(running) do
      if vim.lsp.get_client_by_id(client.id) ~= nil then
        return false
      end
    end
    return true
  end, 50)
  -- A publication that arrived while the old server shut down must not linger next to the new
  -- server's diagnostics.
  for _, client in ipairs(running) do
    vim.diagnostic.reset(vim.lsp.diagnostic.get_namespace(client.id))
  end
  for _, bufnr in ipairs(buffers) do
    if vim.api.nvim_buf_is_valid(bufnr) then
      M.attach(bufnr)
    end
  end
  notify(string.format("restarted (%d buffer%s)", #buffers, #buffers == 1 and "" or "s"))
end

--- Configures the plugin: `require("modcache").setup{ cmd = {...}, settings = {...} }`.
function M.setup(options)
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(defaults), options or {})
  -- Lists replace the defaults rather than merging index by index.
  for _, key in ipairs({ "cmd", "filetypes", "root_markers" }) do
    if options and options[key] then
      M.config[key] = options[key]
    end
  end
  warned_missing = false

  local group = vim.api.nvim_create_augroup("modcache", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  vim.api.nvim_create_user_command("ModcacheLoadOrder", function(args)
    M.load_order(table.concat(args.fargs, " "))
  end, {
    nargs = "*",
    complete = function(lead)
      return M.complete_entries(lead)
    end,
    desc = "Show the predicted load order of an entry (main.py, -m pkg)",
  })
  vim.api.nvim_create_user_command("ModcacheGraph", function()
    M.graph()
  end, { desc = "Show the first-party import graph" })
  vim.api.nvim_create_user_command("ModcacheRestart", function()
    M.restart()
  end, { desc = "Restart the modcache language server" })

  -- Buffers opened before setup() ran get a server too.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(M.config.filetypes, vim.bo[bufnr].filetype) then
      M.attach(bufnr)
    end
  end
end

return M
