-- wrk script for `make bench`: GET /<code> for codes picked at random from a
-- file of one code a line, each as a client of the mix (common.lua) sends
-- it. Redirects are not followed (wrk never does).
--
--   wrk -t1 -c64 -d8s -s test/bench/lua/redirect.lua http://127.0.0.1:8000 -- codes.txt

-- common.lua sits beside this script, wherever wrk is run from.
dofile(debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") .. "common.lua")

local paths = {}

function init(args)
  local file = args[1] or error("usage: -- <codes file>")
  for line in io.lines(file) do
    if line ~= "" then paths[#paths + 1] = "/" .. line end
  end
  if #paths == 0 then error("no codes in " .. file) end
  seed()
end

function request()
  return mixed("GET", paths[math.random(#paths)])
end
