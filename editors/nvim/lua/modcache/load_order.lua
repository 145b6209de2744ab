-- Turns a `modcache/loadOrder` answer into the lines of the scratch buffer, laid out as
-- `modcache order` prints them: an indented tree of who imported whom, cache hits marked, and
-- the outcome last. Pure functions, so the tests can check them without a server.
local M = {}

local function site_text(site)
  if type(site) ~= "table" or site.path == nil then
    return nil
  end
  return string.format("%s:%d", site.path, site.line or 1)
end

local function same_site(a, b)
  return type(a) == "table" and type(b) == "table" and a.path == b.path and a.line == b.line
end

--- How the entry is run, as the user would type it.
function M.command_line(entry)
  if entry:sub(1, 3) == "-m " then
    return "python " .. entry
  elseif entry:find(":", 1, true) then
    return entry .. " (console script)"
  end
  return "python " .. entry
end

-- Servers that send no `trace` still send `order`: every module there ran, and its depth is one
-- more than the depth of the module whose file holds its import site.
local function trace_from_order(order)
  local trace, depth_of_path = {}, {}
  for index, item in ipairs(order or {}) do
    local site = item.imported_from
    if site == vim.NIL then
      site = nil
    end
    local parent = site and depth_of_path[site.path]
    local depth = parent and parent + 1 or 0
    depth_of_path[item.path] = depth
    table.insert(trace, { module = item.module, path = item.path, site = site, action = "ran", step = index, depth = depth })
  end
  return trace
end

local function value(v)
  if v == vim.NIL then
    return nil
  end
  return v
end

--- Renders an answer. Returns the lines, a table from line number (1-based) to the
--- {path, line} that <CR> opens there, and highlights as {line (0-based), group}.
function M.render(result)
  local lines, locations, highlights = {}, {}, {}
  local outcome = result.outcome or { status = "ok" }
  local function add(text, location, group)
    table.insert(lines, text)
    if location then
      locations[#lines] = location
    end
    if group then
      table.insert(highlights, { #lines - 1, group })
    end
  end

  add(M.command_line(result.entry or "?"), nil, "Title")
  local trace = result.trace
  if type(trace) ~= "table" or #trace == 0 then
    trace = trace_from_order(result.order)
  end
  for _, item in ipairs(trace) do
    local site = value(item.site)
    local path = value(item.path)
    local step = value(item.step)
    local indent = string.rep("  ", (item.depth or 0) + 1)
    local from = site and ("  ← " .. site_text(site)) or ""
    local crashes = outcome.status == "error" and same_site(site, outcome)
    local location = site or (path and { path = path, line = 1 }) or nil
    if item.action == "ran" then
      local number = step and (tostring(step) .. ". ") or ""
      add(string.format("%s%s%s  %s%s", indent, number, item.module, path or "", from), location, crashes and "ErrorMsg" or nil)
    else
      local state = item.action == "cached-partial" and "cached, still initialising" or "cached"
      add(string.format("%s   %s (%s)%s", indent, item.module, state, from), location, crashes and "ErrorMsg" or "Comment")
    end
  end
  if outcome.status == "error" then
    add(
      string.format("%s at %s: %s", outcome.error or "Error", site_text(outcome) or "?", outcome.message or ""),
      { path = outcome.path, line = outcome.line },
      "ErrorMsg"
    )
  else
    add("Runs without an import error.", nil, "String")
  end
  return lines, locations, highlights
end

--- The import graph answer as lines: the cycles, then the mermaid text.
function M.render_graph(graph)
  local lines = {}
  local cycles = graph.cycles or {}
  if #cycles == 0 then
    table.insert(lines, "No import cycle runs at import time.")
  else
    for _, cycle in ipairs(cycles) do
      local looped = vim.deepcopy(cycle)
      table.insert(looped, cycle[1])
      table.insert(lines, "cycle: " .. table.concat(looped, " → "))
    end
  end
  table.insert(lines, "")
  for line in string.gmatch((graph.mermaid or "") .. "\n", "([^\n]*)\n") do
    table.insert(lines, line)
  end
  return lines
end

return M
