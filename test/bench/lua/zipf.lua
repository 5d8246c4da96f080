-- wrk script for `make bench`: GET /x<7 digits> of the links the driver
-- seeded in SQL, the rank drawn from a Zipf-like law (s = 1): rank
-- ⌊N^u⌋ for u uniform in [0, 1), so the link of rank r is asked for 1/r
-- as often as the first. Most links are cold, a few are hot. Clients are
-- drawn from the mix (common.lua).
--
--   wrk -t1 -c32 -d20s -s test/bench/lua/zipf.lua http://127.0.0.1:8000 -- 3000000

-- common.lua sits beside this script, wherever wrk is run from.
dofile(debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") .. "common.lua")

function init(args)
  links = tonumber(args[1]) or error("usage: -- <links>")
  seed()
end

function request()
  local rank = math.floor(links ^ math.random()) -- 1 … links-1
  return mixed("GET", string.format("/x%07d", rank - 1))
end
