-- End-to-end test of editors/nvim in a real headless Neovim (0.7 and later):
--   nvim --headless --clean -S tests/editors/nvim/e2e.lua
-- with MODCACHE_PLUGIN (editors/nvim), MODCACHE_WORKSPACE (a copy of the crashing-cycle example),
-- MODCACHE_BIN (the server binary) and MODCACHE_PIDS (where to write the server's process ids,
-- which tests/editors/nvim/run.sh checks after Neovim has quit) in the environment.
-- Prints one "ok - name" or "not ok - name: why" line per check on stdout.

local plugin = assert(os.getenv("MODCACHE_PLUGIN"), "MODCACHE_PLUGIN is not set")
local workspace = assert(os.getenv("MODCACHE_WORKSPACE"), "MODCACHE_WORKSPACE is not set")
local bin = assert(os.getenv("MODCACHE_BIN"), "MODCACHE_BIN is not set")
local pids_file = assert(os.getenv("MODCACHE_PIDS"), "MODCACHE_PIDS is not set")

local failures = 0

local function report(name, ok, why)
  if ok then
    io.stdout:write("ok - " .. name .. "\n")
  else
    failures = failures + 1
    io.stdout:write("not ok - " .. name .. ": " .. tostring(why) .. "\n")
  end
  io.stdout:flush()
end

local function check(name, fn)
  local ok, result, why = pcall(fn)
  if not ok then
    report(name, false, result)
  elseif result == false then
    report(name, false, why or "failed")
  else
    report(name, true)
  end
end

local function diagnostic_code(d)
  if d.code then
    return d.code
  end
  -- Neovim 0.7 keeps the LSP code only in user_data.
  local lsp = d.user_data and d.user_data.lsp
  return lsp and lsp.code
end

local function codes(bufnr)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(found, string.format("%s@%d:%s", tostring(diagnostic_code(d)), d.lnum + 1, d.source or "?"))
  end
  return found
end

local function has_code(bufnr, code, line)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if diagnostic_code(d) == code and (line == nil or d.lnum + 1 == line) then
      return d
    end
  end
  return nil
end

local function modcache_clients()
  local all = vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()
  local ours = {}
  for _, client in ipairs(all) do
    if client.name == "modcache" then
      table.insert(ours, client)
    end
  end
  return ours
end

-- Neovim starts no other process in this test, so its children are the language servers.
local function server_pids()
  return vim.api.nvim_get_proc_children(vim.fn.getpid())
end

-- The server reports its indexing with $/progress (token "modcache-indexing"). Until it ends,
-- the server answers from the files it has read so far (the open files' imports first), so the
-- checks that need the whole workspace wait for it, as a user would for the progress message.
local indexing_done = {}
local default_progress = vim.lsp.handlers["$/progress"]
vim.lsp.handlers["$/progress"] = function(err, result, ctx, config)
  if result and result.token == "modcache-indexing" and result.value and result.value.kind == "end" then
    indexing_done[ctx.client_id] = true
  end
  if default_progress then
    return default_progress(err, result, ctx, config)
  end
end

local function wait_for_indexing()
  local indexed = vim.wait(30000, function()
    local clients = modcache_clients()
    return #clients > 0 and indexing_done[clients[1].id] == true
  end, 50)
  assert(indexed, "the server did not report the end of its indexing ($/progress)")
end

local function finish()
  local pids = server_pids()
  local handle = io.open(pids_file, "w")
  handle:write(table.concat(pids, "\n"), "\n")
  handle:close()
  io.stdout:write(string.format("# nvim %s: %d failed, server pids %s\n", tostring(vim.version and vim.version().minor), failures, table.concat(pids, " ")))
  io.stdout:flush()
  -- :qall! stops the clients the way a user's quit does (VimLeavePre); run.sh checks the pids.
  vim.cmd("qall!")
end

local ok, err = pcall(function()
  vim.cmd("filetype on")
  vim.opt.runtimepath:prepend(plugin)
  vim.opt.swapfile = false
  local modcache = require("modcache")

  check("the lspconfig-shaped config file has the plugin's command, filetypes and root markers", function()
    local shaped = dofile(plugin .. "/lsp/modcache.lua")
    assert(vim.deep_equal(shaped.cmd, modcache.config.cmd), vim.inspect(shaped.cmd))
    assert(vim.deep_equal(shaped.filetypes, modcache.config.filetypes), vim.inspect(shaped.filetypes))
    assert(vim.deep_equal(shaped.root_markers, modcache.config.root_markers), vim.inspect(shaped.root_markers))
    assert(type(shaped.settings.modcache) == "table", "settings.modcache is a table")
    local params = {}
    shaped.before_init(params, { settings = { modcache = { select = { "MC0" } } } })
    assert(vim.deep_equal(params.initializationOptions, { select = { "MC0" } }), vim.inspect(params))
  end)

  check("find_root goes up to the folder with pyproject.toml", function()
    local found = modcache.find_root(workspace .. "/pkg/sub/mod.py", { "pyproject.toml" })
    return found == workspace, "got " .. tostring(found)
  end)

  check("the load order renders from `order` alone when a server sends no trace", function()
    local render = require("modcache.load_order").render
    local lines, locations = render({
      entry = "-m app",
      order = {
        { module = "app", path = "app/__init__.py" },
        { module = "app.db", path = "app/db.py", imported_from = { path = "app/__init__.py", line = 3 } },
      },
      outcome = { status = "ok" },
    })
    local expected = {
      "python -m app",
      "  1. app  app/__init__.py",
      "    2. app.db  app/db.py  ← app/__init__.py:3",
      "Runs without an import error.",
    }
    assert(vim.deep_equal(lines, expected), vim.inspect(lines))
    assert(vim.deep_equal(locations[3], { path = "app/__init__.py", line = 3 }), vim.inspect(locations))
  end)

  modcache.setup({ cmd = { bin, "server" }, settings = { entries = { "main.py" } } })

  vim.cmd("edit " .. vim.fn.fnameescape(workspace .. "/services.py"))
  local services = vim.api.nvim_get_current_buf()

  check("a modcache client starts for a Python buffer, rooted at the project", function()
    local attached = vim.wait(10000, function()
      return #modcache_clients() > 0
    end, 50)
    if not attached then
      return false, "no client named modcache"
    end
    local client = modcache_clients()[1]
    return client.config.root_dir == workspace, "root_dir " .. tostring(client.config.root_dir)
  end)

  check("MC002 is published for services.py:1 (the crashing circular import)", function()
    local got = vim.wait(30000, function()
      return has_code(services, "MC002", 1) ~= nil
    end, 100)
    if not got then
      return false, "diagnostics: " .. table.concat(codes(services), ", ")
    end
    local d = has_code(services, "MC002", 1)
    assert(d.severity == vim.diagnostic.severity.ERROR, "severity " .. tostring(d.severity))
    assert(d.source == "modcache", "source " .. tostring(d.source))
    assert(d.message:find("partially initialized module 'models'", 1, true), d.message)
  end)

  check("the server reports the end of its indexing with $/progress", wait_for_indexing)

  check("hover on `models` in `from models import User` explains the import", function()
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(services) },
      position = { line = 0, character = 6 },
    }
    local responses = vim.lsp.buf_request_sync(services, "textDocument/hover", params, 15000) or {}
    local text = nil
    for _, response in pairs(responses) do
      local contents = response.result and response.result.contents
      if contents then
        text = type(contents) == "table" and (contents.value or vim.inspect(contents)) or tostring(contents)
      end
    end
    if not text then
      return false, "no hover: " .. vim.inspect(responses)
    end
    assert(text:find("models.py", 1, true), "hover names models.py: " .. text)
    -- From `python main.py`, this import finds `models` in the cache, still initialising.
    assert(text:find("cache hit", 1, true), "hover says the import hits the cache: " .. text)
    assert(text:find("still initialising", 1, true), "hover says the module is still initialising: " .. text)
  end)

  check(":ModcacheLoadOrder main.py shows the order and the crash in a scratch split", function()
    local windows = #vim.api.nvim_list_wins()
    vim.cmd("ModcacheLoadOrder main.py")
    local shown = vim.wait(15000, function()
      return #vim.api.nvim_list_wins() > windows
    end, 50)
    if not shown then
      return false, "no new window"
    end
    local buf = vim.api.nvim_get_current_buf()
    assert(vim.bo[buf].buftype == "nofile", "a scratch buffer")
    local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
    local text = table.concat(lines, "\n")
    assert(lines[1] == "python main.py", "first line: " .. tostring(lines[1]))
    for _, expected in ipairs({
      "1. __main__  main.py",
      "2. models  models.py  ← main.py:1",
      "3. services  services.py  ← models.py:1",
      "models (cached, still initialising)  ← services.py:1",
      "ImportError at services.py:1: cannot import name 'User' from partially initialized module 'models'",
    }) do
      assert(text:find(expected, 1, true), "missing «" .. expected .. "» in:\n" .. text)
    end
    -- The tree is indented by depth: services sits two levels below __main__.
    local main_line, services_line
    for _, line in ipairs(lines) do
      if line:find("1. __main__", 1, true) then
        main_line = line
      elseif line:find("3. services", 1, true) then
        services_line = line
      end
    end
    assert(#services_line:match("^ *") == #main_line:match("^ *") + 4, "indentation:\n" .. text)
  end)

  check("<CR> on the error line of the load order opens services.py at line 1", function()
    local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
    vim.api.nvim_win_set_cursor(0, { #lines, 0 })
    vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes("<CR>", true, false, true), "x", false)
    local name = vim.api.nvim_buf_get_name(0)
    assert(name == workspace .. "/services.py", "opened " .. name)
    assert(vim.api.nvim_win_get_cursor(0)[1] == 1, "line " .. vim.api.nvim_win_get_cursor(0)[1])
  end)

  check(":ModcacheGraph shows the cycle and the mermaid text", function()
    local windows = #vim.api.nvim_list_wins()
    vim.cmd("ModcacheGraph")
    local shown = vim.wait(15000, function()
      return #vim.api.nvim_list_wins() > windows
    end, 50)
    if not shown then
      return false, "no new window"
    end
    local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
    assert(text:find("graph LR", 1, true), text)
    assert(text:find("cycle: models → services → models", 1, true) or text:find("cycle: services → models → services", 1, true), text)
    vim.cmd("close")
  end)

  check(":ModcacheRestart replaces the server and diagnostics come back", function()
    vim.api.nvim_set_current_buf(services)
    local before = modcache_clients()[1]
    local before_pids = server_pids()
    vim.cmd("ModcacheRestart")
    local restarted = vim.wait(15000, function()
      local now = modcache_clients()
      return #now == 1 and now[1].id ~= before.id and now[1].initialized
    end, 50)
    if not restarted then
      return false, "clients after restart: " .. #modcache_clients()
    end
    local back = vim.wait(30000, function()
      return has_code(services, "MC002", 1) ~= nil and modcache_clients()[1].id ~= before.id
    end, 100)
    if not back then
      return false, "diagnostics after restart: " .. table.concat(codes(services), ", ")
    end
    local gone = vim.wait(5000, function()
      for _, pid in ipairs(server_pids()) do
        if vim.tbl_contains(before_pids, pid) then
          return false
        end
      end
      return true
    end, 50)
    return gone, "the old server process is still running"
  end)

  check("changed settings reach the server (workspace/didChangeConfiguration)", function()
    wait_for_indexing()
    modcache.update_settings({ entries = { "main.py" }, ignore = { "MC002" } })
    local cleared = vim.wait(20000, function()
      return has_code(services, "MC002") == nil
    end, 100)
    if not cleared then
      return false, "MC002 still shown after ignore = {'MC002'}: " .. table.concat(codes(services), ", ")
    end
    modcache.update_settings({ entries = { "main.py" } })
    local back = vim.wait(20000, function()
      return has_code(services, "MC002", 1) ~= nil
    end, 100)
    return back, "MC002 did not come back after the ignore was removed"
  end)
end)

if not ok then
  report("the test script ran to the end", false, err)
end
finish()
