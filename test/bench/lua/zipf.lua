-- wrk script for `make bench`: GET /x<7 digits> of the links the driver
-- seeded in SQL, the rank drawn from a Zipf-like law (s = 1): rank
-- ⌊N^u⌋ for u uniform in [0, 1), so the link of rank r is asked about
-- 1/r as often as the first. Most links are cold, a few are hot.
--
--   wrk -t1 -c32 -d20s -s test/bench/lua/zipf.lua http://127.0.0.1:8000 -- 3000000
--
-- done() prints one line "BENCHJSON {...}" the driver parses (latencies in µs).

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  links = tonumber(args[1]) or error("usage: -- <links>")
  math.randomseed(os.time() * 7919 + (tid or 0))
end

wrk.headers["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

function request()
  local rank = math.floor(links ^ math.random()) -- 1 … links-1
  return wrk.format("GET", string.format("/x%07d", rank - 1))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
