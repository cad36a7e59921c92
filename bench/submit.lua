-- wrk script for bench/submit.sh: POSTs the same health response as the
-- tests' valid submission, each with a fresh random UUID, and prints one
-- RESULT line (requests/s, p50 and p99 in ms, failures, responses answered 201).
local counter = 1
local threads = {}

function setup(thread)
  thread:set("seed", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  -- Entropy of its own: two wrk processes started in the same second
  -- would otherwise send the same ids (replays, not new responses).
  local urandom = io.open("/dev/urandom", "rb")
  local b = urandom:read(4)
  urandom:close()
  local salt = ((b:byte(1) * 256 + b:byte(2)) * 256 + b:byte(3)) * 256 + b:byte(4)
  math.randomseed(salt + seed * 7919)
  failed = 0
end

local hex = "0123456789abcdef"
local function uuid()
  local t = {}
  for i = 1, 32 do
    local r = math.random(1, 16)
    t[i] = hex:sub(r, r)
  end
  t[13] = "4"
  local v = math.random(9, 12)
  t[17] = hex:sub(v, v)
  local s = table.concat(t)
  return s:sub(1, 8) .. "-" .. s:sub(9, 12) .. "-" .. s:sub(13, 16) .. "-" .. s:sub(17, 20) .. "-" .. s:sub(21, 32)
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
  local body = '{"id":"' .. uuid() .. '","unit":"bv-dk-kien-giang","answers":{"A1":4,"A2":5,"B6":2,"C6":"na","D1":5,"G1":80,"G2":"certainly","INSURED":true,"GENDER":"female"},"comment":"Phòng chờ đông, nhân viên nhiệt tình."}'
  return wrk.format(nil, "/api/v1/surveys/health-outpatient/responses", nil, body)
end

function response(status, headers, body)
  if status ~= 201 then
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local failures = 0
  for _, thread in ipairs(threads) do
    failures = failures + (thread:get("failed") or 0)
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT rps=%.0f p50=%.1f p99=%.1f failed=%d stored=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    failures + errors, summary.requests - failures))
end
