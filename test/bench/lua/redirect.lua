-- wrk script for `make bench`: GET /<code> for codes picked at random from a
-- file of one code a line. Redirects are not followed (wrk never does).
--
--   wrk -t2 -c64 -d8s -s test/bench/lua/redirect.lua http://127.0.0.1:8000 -- codes.txt
--
-- done() prints one line "BENCHJSON {...}" the driver parses (latencies in µs).

local paths = {}
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  local file = args[1] or error("usage: -- <codes file>")
  for line in io.lines(file) do
    if line ~= "" then paths[#paths + 1] = "/" .. line end
  end
  if #paths == 0 then error("no codes in " .. file) end
  math.randomseed(os.time() * 7919 + (tid or 0))
end

-- A browser's headers, which visit counting reads (step 2V); every step
-- sends them, so steps differ by the server only.
wrk.headers["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
wrk.headers["Referer"] = "https://t.co/AbCdEfGh"

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
