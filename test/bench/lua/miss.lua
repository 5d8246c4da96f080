-- wrk script for `make bench` capacity steps: GET /<code> of a random
-- 7-character base62 code per request, which no link holds: every request
-- misses the cache (a Redis GET), looks the code up in Postgres and caches
-- the miss (a SET NX), the cost of a redirect whose link is not cached.
--
--   wrk -t2 -c32 -d8s -s test/bench/lua/miss.lua http://127.0.0.1:8000
--
-- done() prints one line "BENCHJSON {...}" the driver parses (latencies in µs).

local alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  math.randomseed(os.time() * 7919 + (tid or 0) * 104729)
end

function request()
  local code = {}
  for i = 1, 7 do
    local k = math.random(62)
    code[i] = alphabet:sub(k, k)
  end
  return wrk.format("GET", "/" .. table.concat(code))
end

function done(summary, latency, requests)
  local e = summary.errors
  -- 404 is this script's expected answer; wrk counts it in e.status.
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":0,"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"status_errors":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, e.status))
end
