-- wrk script for `make bench`: GET /x<7 digits> of links the driver seeded
-- in SQL (x0000000 … x<N-1>), each request a different one: thread t of T
-- (counted from 0) sends the codes (base + k·T + t)·stride mod N for
-- k = 0, 1, …, a walk that repeats no code until it has sent N of them, so
-- every request misses the api's caches (nothing asked for it before) and
-- is answered from Postgres. Each call passes another base, so it walks
-- other codes. Clients are drawn from the mix (common.lua).
--
--   wrk -t2 -c16 -d8s -s test/bench/lua/cold.lua http://127.0.0.1:8000 -- 3000000 0 2

-- common.lua sits beside this script, wherever wrk is run from.
dofile(debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") .. "common.lua")

local stride = 999983 -- a prime: coprime with every N of the form 2^a·3^b·5^c

function init(args)
  links = tonumber(args[1]) or error("usage: -- <links> <base> <threads>")
  base = tonumber(args[2]) or 0
  nthreads = tonumber(args[3]) or 1
  k = 0
  seed()
end

function request()
  local i = base + k * nthreads + (tid - 1)
  k = k + 1
  return mixed("GET", string.format("/x%07d", (i * stride) % links))
end
