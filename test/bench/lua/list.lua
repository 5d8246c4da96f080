-- wrk script for `make bench-scale`: GET /v1/shortlinks, the first page
-- of a workspace's links (newest first) with one of its keys, as a client
-- of the mix (common.lua); one request in four asks for 100 links, the
-- rest for the default 20.
--
--   wrk -t2 -c16 -d8s -s test/bench/lua/list.lua http://127.0.0.1:8000 -- <workspace key>

-- common.lua sits beside this script, wherever wrk is run from.
dofile(debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") .. "common.lua")

function init(args)
  wrk.headers["Authorization"] = "Bearer " .. (args[1] or error("usage: -- <workspace key>"))
  seed()
end

function request()
  if math.random(4) == 1 then
    return mixed("GET", "/v1/shortlinks?limit=100")
  end
  return mixed("GET", "/v1/shortlinks")
end
