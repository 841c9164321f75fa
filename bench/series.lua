-- wrk script: counts responses per wall-clock second, and those that are not 2xx or 3xx
-- (wrk's "Non-2xx or 3xx responses": status 400 and above), and writes them as a TSV
-- when wrk ends: epoch second, responses, non-2xx. The file is $SERIES_OUT.
--   wrk -s bench/series.lua ...      (SERIES_OUT=path; default series.tsv)
-- Socket errors and timeouts never reach a Lua callback: wrk counts them in its summary
-- only. A response() callback makes wrk hand every response to Lua, which costs it some
-- CPU: compare runs with the series only against runs with the series.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

counts = {}
failed = {}

function response(status, headers, body)
  local second = os.time()
  counts[second] = (counts[second] or 0) + 1
  if status > 399 then
    failed[second] = (failed[second] or 0) + 1
  end
end

function done(summary, latency, requests)
  local total, bad, seconds = {}, {}, {}
  for _, thread in ipairs(threads) do
    for second, n in pairs(thread:get("counts")) do
      if total[second] == nil then table.insert(seconds, second) end
      total[second] = (total[second] or 0) + n
    end
    for second, n in pairs(thread:get("failed")) do
      bad[second] = (bad[second] or 0) + n
    end
  end
  table.sort(seconds)
  local out = assert(io.open(os.getenv("SERIES_OUT") or "series.tsv", "w"))
  out:write("# epoch_s\tresponses\tnon2xx\n")
  for _, second in ipairs(seconds) do
    out:write(string.format("%d\t%d\t%d\n", second, total[second], bad[second] or 0))
  end
  out:close()
end
