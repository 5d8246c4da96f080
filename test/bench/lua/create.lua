-- wrk script for `make bench`: POST /v1/shortlink with a random target URL
-- and no alias, so every request creates a link with a generated code,
-- each as a client of the mix (common.lua) sends it.
--
--   wrk -t2 -c32 -d8s -s test/bench/lua/create.lua http://127.0.0.1:8000

-- common.lua sits beside this script, wherever wrk is run from.
dofile(debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") .. "common.lua")

local n = 0

function init(args)
  seed()
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  n = n + 1
  -- 44 characters, like the redirect targets the driver seeds.
  local body = string.format('{"url":"https://example.com/bench/%x%07x%08x"}',
    tid or 0, n % 0x10000000, math.random(0, 0x7fffffff))
  return mixed("POST", "/v1/shortlink", body)
end
