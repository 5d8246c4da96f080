-- wrk script for `make bench-scale`: GET /v1/shortlink/x<7 digits>/stats of
-- a random link the driver seeded in SQL, with an admin key.
--
--   wrk -t1 -c16 -d8s -s test/bench/lua/stats.lua http://127.0.0.1:8000 -- 10000000 <admin key>
--
-- done() prints one line "BENCHJSON {...}" the driver parses (latencies in µs).

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  links = tonumber(args[1]) or error("usage: -- <links> <admin key>")
  wrk.headers["Authorization"] = "Bearer " .. (args[2] or error("usage: -- <links> <admin key>"))
  math.randomseed(os.time() * 7919 + (tid or 0))
end

function request()
  return wrk.format("GET", string.format("/v1/shortlink/x%07d/stats", math.random(0, links - 1)))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
