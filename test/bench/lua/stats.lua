-- wrk script for `make bench-scale`: GET /v1/shortlink/x<7 digits>/stats of
-- a random link the driver seeded in SQL, with an admin key, as a client
-- of the mix (common.lua).
--
--   wrk -t2 -c16 -d8s -s test/bench/lua/stats.lua http://127.0.0.1:8000 -- 10000000 <admin key>

-- common.lua sits beside this script, wherever wrk is run from.
dofile(debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") .. "common.lua")

function init(args)
  links = tonumber(args[1]) or error("usage: -- <links> <admin key>")
  wrk.headers["Authorization"] = "Bearer " .. (args[2] or error("usage: -- <links> <admin key>"))
  seed()
end

function request()
  return mixed("GET", string.format("/v1/shortlink/x%07d/stats", math.random(0, links - 1)))
end
