-- What the bench's wrk scripts share, loaded first by each of them from
-- beside itself: a thread number, a browser's headers, and done(), which
-- prints one line "BENCHJSON {...}" the driver parses (latencies in µs).

local threads = 0

-- setup numbers the threads 1, 2, …: each script's init reads tid.
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

-- browser sends a browser's User-Agent (and a Referer) with every request,
-- which visit counting reads.
function browser(referer)
  wrk.headers["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
  if referer then wrk.headers["Referer"] = "https://t.co/AbCdEfGh" end
end

-- expect404 makes done() count answers ≥ 400 apart, not as errors: for a
-- script whose codes are unknown on purpose.
expect404 = false

function done(summary, latency, requests)
  local e = summary.errors
  local status, statusErrors = e.status, 0
  if expect404 then status, statusErrors = 0, e.status end
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"status_errors":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, statusErrors))
end
