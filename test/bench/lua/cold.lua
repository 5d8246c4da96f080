-- wrk script for `make bench`: GET /x<7 digits> of links the driver seeded
-- in SQL (x0000000 … x<N-1>), each request a different one: thread t of T
-- sends the codes (base + k·T + t)·stride mod N for k = 0, 1, …, a walk
-- that repeats no code until it has sent N of them, so every request
-- misses the api's caches (nothing requested them before) and is answered
-- from Postgres. Rounds pass a different base so they walk other codes.
--
--   wrk -t2 -c16 -d8s -s test/bench/lua/cold.lua http://127.0.0.1:8000 -- 3000000 0 2
--
-- done() prints one line "BENCHJSON {...}" the driver parses (latencies in µs).

local stride = 999983 -- a prime: coprime with every N of the form 2^a·3^b·5^c
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads - 1)
end

function init(args)
  links = tonumber(args[1]) or error("usage: -- <links> <base> <threads>")
  base = tonumber(args[2]) or 0
  nthreads = tonumber(args[3]) or 1
  k = 0
end

wrk.headers["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
wrk.headers["Referer"] = "https://t.co/AbCdEfGh"

function request()
  local i = base + k * nthreads + tid
  k = k + 1
  return wrk.format("GET", string.format("/x%07d", (i * stride) % links))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
