-- What the bench's wrk scripts share, loaded first by each of them from
-- beside itself: a thread number; mixed(), which builds a request with the
-- headers of a client drawn at random from a realistic mix; and done(),
-- which prints one line "BENCHJSON {...}" the driver parses (latencies in µs).
--
-- The mix, so that what the api does per client (bot detection and its
-- cache, per-address work behind a trusted proxy, the referrer's host) is
-- exercised as in production rather than by one client repeated:
--   User-Agent       useragents.txt: 68 real-world agents, weighted;
--                    browsers on desktops, phones and tablets 85 %, bots
--                    (crawlers, link previewers, HTTP libraries) 15 %
--   X-Forwarded-For  one of 6 000 addresses drawn (the same set in every
--                    thread and run) from ranges that ISPs of several
--                    countries announce, a fifth of them IPv6; wrk connects
--                    from 127.0.0.1, a trusted proxy, as nginx or an ALB would
--   Accept-Language  browsers only: a weighted list, with q-values
--   Referer          browsers only: a weighted list of hosts, or none (45 %)
--   Accept, Accept-Encoding  what browsers send; bots send Accept: */*
-- Every step, the bare server's included, gets the same mix, so ratios
-- compare servers, not loads. Each wrk thread has its own Lua state, so
-- math.random (LuaJIT's generator, seeded per thread by seed()) is a
-- per-thread PRNG, and a request is one concatenation of prebuilt lines.

local dir = debug.getinfo(1, "S").source:match("^@(.-)[^/]*$")
local random = math.random

local threads = 0

-- setup numbers the threads 1, 2, …: each script's init reads tid.
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

-- seed seeds this thread's generator: another sequence per thread and run.
function seed()
  math.randomseed(os.time() * 7919 + (tid or 0) * 104729)
end

-- expand returns a list in which each {weight, value} of weighted appears
-- weight times, as the header line name: value (or "" for an empty
-- value): a weighted draw is one uniform index.
local function expand(weighted, name)
  local out = {}
  for _, item in ipairs(weighted) do
    local line = item[2] == "" and "" or name .. ": " .. item[2] .. "\r\n"
    for _ = 1, item[1] do out[#out + 1] = line end
  end
  return out
end

local browserAccept = "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n" ..
  "Accept-Encoding: gzip, deflate, br, zstd\r\n"
local botAccept = "Accept: */*\r\n"

-- agents holds each agent of useragents.txt (weight, kind, value) weight
-- times: its header lines and whether it is a bot.
local agents, kinds = {}, 0
for line in io.lines(dir .. "useragents.txt") do
  local weight, kind, agent = line:match("^(%d+)\t(%a+)\t(.+)$")
  if weight then
    kinds = kinds + 1
    local a = { bot = kind == "bot", lines = "User-Agent: " .. agent .. "\r\n" .. (kind == "bot" and botAccept or browserAccept) }
    for _ = 1, tonumber(weight) do agents[#agents + 1] = a end
  end
end
if kinds < 60 then error("useragents.txt: " .. kinds .. " agents, want at least 60") end

local languages = expand({
  {30, "en-US,en;q=0.9"}, {6, "en-GB,en;q=0.9"}, {3, "en-US,en;q=0.9,es;q=0.8"}, {2, "en"},
  {6, "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7"}, {3, "de,en-US;q=0.7,en;q=0.3"},
  {5, "fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7"}, {2, "fr,fr-FR;q=0.8,en-US;q=0.5,en;q=0.3"},
  {5, "es-ES,es;q=0.9"}, {3, "es-419,es;q=0.9,en;q=0.8"}, {7, "pt-BR,pt;q=0.9,en-US;q=0.8,en;q=0.7"},
  {3, "it-IT,it;q=0.9,en-US;q=0.8,en;q=0.7"}, {2, "nl-NL,nl;q=0.9,en-US;q=0.8,en;q=0.7"},
  {2, "pl-PL,pl;q=0.9,en-US;q=0.8,en;q=0.7"}, {3, "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7"},
  {2, "tr-TR,tr;q=0.9,en-US;q=0.8,en;q=0.7"}, {5, "ja,en-US;q=0.9,en;q=0.8"}, {1, "ja-JP"},
  {2, "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7"}, {2, "zh-CN,zh;q=0.9,en;q=0.8"},
  {1, "zh-TW,zh;q=0.9,en-US;q=0.8,en;q=0.7"}, {3, "hi-IN,hi;q=0.9,en-IN;q=0.8,en;q=0.7"},
  {4, "en-IN,en-GB;q=0.9,en-US;q=0.8,en;q=0.7"}, {2, "id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7"},
  {1, "vi-VN,vi;q=0.9,fr-FR;q=0.8,fr;q=0.7,en-US;q=0.6,en;q=0.5"},
  {1, "ar-SA,ar;q=0.9,en-US;q=0.8,en;q=0.7"}, {1, "sv-SE,sv;q=0.9,en-US;q=0.8,en;q=0.7"},
}, "Accept-Language")

local referers = expand({
  {45, ""}, -- typed, bookmarked, opened from an app or a mail client
  {12, "https://t.co/"}, {8, "https://www.google.com/"}, {6, "https://l.facebook.com/"},
  {3, "https://lm.facebook.com/"}, {4, "https://l.instagram.com/"}, {4, "https://www.linkedin.com/"},
  {3, "https://www.reddit.com/"}, {2, "https://out.reddit.com/"}, {2, "https://news.ycombinator.com/"},
  {2, "https://www.bing.com/"}, {1, "https://duckduckgo.com/"}, {2, "https://mail.google.com/"},
  {1, "https://outlook.live.com/"}, {1, "https://teams.microsoft.com/"}, {1, "https://app.slack.com/"},
  {1, "https://web.whatsapp.com/"}, {1, "https://discord.com/"}, {1, "https://www.youtube.com/"},
  {1, "https://medium.com/"}, {1, "https://github.com/"}, {1, "android-app://com.google.android.gm/"},
  {1, "android-app://org.telegram.messenger/"},
}, "Referer")

-- Address ranges, each {share of the 6 000, IPv4 first address and prefix
-- length} or {share, IPv6 first two groups, length of the second group's
-- varying part}: ranges announced by ISPs of the countries named.
local ranges4 = {
  {1000, 73, 0, 0, 0, 8},     -- Comcast, US
  {400, 172, 56, 0, 0, 13},   -- T-Mobile, US (mobile)
  {500, 79, 192, 0, 0, 10},   -- Deutsche Telekom, DE
  {400, 86, 128, 0, 0, 10},   -- BT, GB
  {400, 90, 0, 0, 0, 9},      -- Orange, FR
  {400, 126, 0, 0, 0, 8},     -- SoftBank, JP
  {500, 49, 32, 0, 0, 11},    -- Reliance Jio, IN
  {500, 177, 0, 0, 0, 8},     -- LACNIC, mostly BR
  {300, 41, 0, 0, 0, 8},      -- AFRINIC: ZA, NG, EG, KE …
  {400, 14, 0, 0, 0, 8},      -- APNIC: CN, VN, AU …
}
local ranges6 = {
  {500, 0x2601, 0x0000, 12},  -- Comcast, US (2601::/20)
  {300, 0x2003, 0x0000, 13},  -- Deutsche Telekom, DE (2003::/19)
  {250, 0x2409, 0x4000, 10},  -- Reliance Jio, IN (2409:4000::/22)
  {150, 0x2a01, 0x0e00, 6},   -- Free, FR (2a01:e00::/26)
}

-- The addresses are the same in every thread and run: drawn from a fixed
-- seed, before seed() reseeds the thread's generator.
local addresses = {}
math.randomseed(20250101)
for _, r in ipairs(ranges4) do
  local base = ((r[2] * 256 + r[3]) * 256 + r[4]) * 256 + r[5]
  local span = 2 ^ (32 - r[6])
  for _ = 1, r[1] do
    local a = base + random(0, span - 1)
    addresses[#addresses + 1] = string.format("X-Forwarded-For: %d.%d.%d.%d\r\n",
      math.floor(a / 16777216), math.floor(a / 65536) % 256, math.floor(a / 256) % 256, a % 256)
  end
end
for _, r in ipairs(ranges6) do
  for _ = 1, r[1] do
    addresses[#addresses + 1] = string.format("X-Forwarded-For: %x:%x:%x:%x:%x:%x:%x:%x\r\n", r[2],
      r[3] + random(0, 2 ^ r[4] - 1), random(0, 65535), random(0, 65535),
      random(0, 65535), random(0, 65535), random(0, 65535), random(0, 65535))
  end
end

local head -- "Host: …\r\n" and the script's own wrk.headers, built on first use

-- mixed returns the request method path (with body, if any) as a client
-- drawn from the mix sends it, with the script's wrk.headers.
function mixed(method, path, body)
  if not head then
    head = ""
    for name, value in pairs(wrk.headers) do
      if name ~= "Content-Length" then head = head .. name .. ": " .. value .. "\r\n" end
    end
  end
  local a = agents[random(#agents)]
  local client = a.lines
  if not a.bot then
    client = client .. languages[random(#languages)] .. referers[random(#referers)]
  end
  local req = method .. " " .. path .. " HTTP/1.1\r\n" .. head .. client .. addresses[random(#addresses)]
  if body then
    return req .. "Content-Length: " .. #body .. "\r\n\r\n" .. body
  end
  return req .. "\r\n"
end

-- expect404 makes done() count answers ≥ 400 apart, not as errors: for a
-- script whose codes are unknown on purpose.
expect404 = false

function done(summary, latency, requests)
  local e = summary.errors
  local status, statusErrors = e.status, 0
  if expect404 then status, statusErrors = 0, e.status end
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,"status_errors":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, statusErrors))
end
