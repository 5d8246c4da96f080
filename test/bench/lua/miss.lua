-- wrk script for `make bench` capacity steps: GET /<code> of a random
-- 7-character base62 code per request, which no link holds: every request
-- misses the cache (a Redis GET), looks the code up in Postgres and caches
-- the miss (a SET NX), the cost of a redirect whose link is not cached.
-- Clients are drawn from the mix (common.lua). 404 is the expected
-- answer: done() counts it apart, not as an error.
--
--   wrk -t2 -c16 -d8s -s test/bench/lua/miss.lua http://127.0.0.1:8000

-- common.lua sits beside this script, wherever wrk is run from.
dofile(debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") .. "common.lua")
expect404 = true

local alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

function init(args)
  seed()
end

function request()
  local code = {}
  for i = 1, 7 do
    local k = math.random(62)
    code[i] = alphabet:sub(k, k)
  end
  return mixed("GET", "/" .. table.concat(code))
end
