-- wrk script for `make bench`: POST /v1/shortlink with a random target URL
-- and no alias, so every request creates a link with a generated code.
--
--   wrk -t2 -c16 -d8s -s test/bench/lua/create.lua http://127.0.0.1:8000
--
-- done() prints one line "BENCHJSON {...}" the driver parses (latencies in µs).

local threads = 0
local n = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  math.randomseed(os.time() * 7919 + (tid or 0))
  wrk.method = "POST"
  wrk.path = "/v1/shortlink"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  n = n + 1
  -- 44 characters, like the redirect targets the driver seeds.
  local body = string.format('{"url":"https://example.com/bench/%x%07x%08x"}',
    tid or 0, n % 0x10000000, math.random(0, 0x7fffffff))
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
