-- wrk script for bench/search-load.sh: every request is a search drawn at
-- random from a realistic mix, on the JSON API or on the catalogue's HTML
-- page (both count every facet on every answer).
--
--   wrk -s search-load.lua URL -- DIR api|html [MIX]
--
-- DIR holds the vocabulary search-load.sh took from the catalogue itself:
-- words.txt (title words), phrases.txt (two words that follow each other in
-- a title) and one <facet>.txt per facet (its values). MIX is "mix" (the
-- default) or one kind alone (text, text+filter, filter, browse), for a
-- breakdown of where the time goes.
--
-- With GAP_MS set in the environment (search-load.sh sets it from RATE),
-- each connection waits a random time, exponentially distributed with that
-- mean in milliseconds, before each request: the requests then arrive as an
-- open load at about connections * 1000 / GAP_MS per second, instead of as
-- fast as the answers come. wrk times a request from its sending, so a
-- request held back behind a slow answer on the same connection is not
-- counted late; at gaps much longer than the answers that is rare, and the
-- rate reached is printed to check it.
--
-- With RECORD set in the environment, each thread writes the targets it
-- requests to RECORD-<api|html>-<thread>, one a line, for
-- BenchmarkServeRequests to replay under pprof.
--
-- The mix, per request:
--   35 %  text: one word (25 %) or two words of a title (10 %)
--   20 %  text and one or two filters
--   35 %  filters only: one to three of country, EQF, language, institution,
--         field, type, mode
--   10 %  browsing without text or filters (the first pages)
-- 80 % of requests ask for the first page, the rest for pages 2 to 5.

local dir, target, only

local function lines(name)
  local list = {}
  local f = io.open(dir .. "/" .. name, "r")
  if f == nil then return list end
  for line in f:lines() do
    if line ~= "" then list[#list + 1] = line end
  end
  f:close()
  return list
end

local words, phrases, record
local facets = {}
local facetNames = {"country", "eqf", "language", "institution", "field", "type", "mode"}

-- setup numbers the threads, so that each draws its own sequence, the
-- same from run to run.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("number", threads)
end

function init(args)
  dir, target, only = args[1], args[2] or "api", args[3] or "mix"
  words, phrases = lines("words.txt"), lines("phrases.txt")
  for _, name in ipairs(facetNames) do facets[name] = lines(name .. ".txt") end
  math.randomseed(1000 * (number or 0) + (target == "html" and 1 or 0))
  local prefix = os.getenv("RECORD")
  if prefix ~= nil and prefix ~= "" then record = io.open(prefix .. "-" .. target .. "-" .. (number or 0), "w") end
end

local function pick(list) return list[math.random(#list)] end

local function escape(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local function text()
  if math.random() < 0.25 / 0.35 or #phrases == 0 then return pick(words) end
  return pick(phrases)
end

-- filters returns n distinct facet parameters.
local function filters(n)
  local params, used = {}, {}
  while #params < n do
    local name = pick(facetNames)
    if not used[name] and #facets[name] > 0 then
      used[name] = true
      params[#params + 1] = name .. "=" .. escape(pick(facets[name]))
    end
  end
  return params
end

local function kind()
  if only ~= "mix" then return only end
  local r = math.random()
  if r < 0.35 then return "text" elseif r < 0.55 then return "text+filter" elseif r < 0.90 then return "filter" end
  return "browse"
end

-- delay spaces one connection's requests when GAP_MS asks for an open
-- load. It is defined only then: wrk looks for it once, at the start, and
-- would otherwise put every request of a closed load through a timer.
local gap = tonumber(os.getenv("GAP_MS") or "")
if gap ~= nil then
  function delay() return -gap * math.log(1 - math.random()) end
end

function request()
  local params = {}
  local k = kind()
  if k == "text" or k == "text+filter" then params[#params + 1] = "q=" .. escape(text()) end
  if k == "text+filter" then
    for _, p in ipairs(filters(math.random(2))) do params[#params + 1] = p end
  elseif k == "filter" then
    for _, p in ipairs(filters(math.random(3))) do params[#params + 1] = p end
  end
  if math.random() < 0.2 then params[#params + 1] = "page=" .. math.random(2, 5) end
  local path = (target == "html") and "/" or "/api/v1/courses"
  if #params > 0 then path = path .. "?" .. table.concat(params, "&") end
  if record ~= nil then
    record:write(path, "\n")
    record:flush()
  end
  return wrk.format("GET", path)
end

-- done prints one line for search-load.sh to read: latencies in
-- milliseconds, requests per second, and the requests that failed.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT p50=%.1f p95=%.1f p99=%.1f max=%.1f rps=%.1f requests=%d non2xx=%d timeouts=%d errors=%d\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests / (summary.duration / 1e6), summary.requests, e.status, e.timeout, e.connect + e.read + e.write))
end
