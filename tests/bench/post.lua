-- wrk script: residents adding points to an inventory through the API.
-- TOKENS (one per simulated resident) and SLUG come from the environment.
local tokens = {}
for t in string.gmatch(os.getenv("TOKENS") or "", "[^,]+") do tokens[#tokens + 1] = t end
local path = "/api/v1/inventories/" .. (os.getenv("SLUG") or "bench") .. "/features"
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  accepted = 0
  other = 0
  math.randomseed(id * 7919)
end

function request()
  counter = counter + 1
  local token = tokens[((counter * 31 + id) % #tokens) + 1]
  local lon = 3.80 + math.random() * 0.15
  local lat = 43.55 + math.random() * 0.10
  local body = string.format(
    '{"geometry":{"type":"Point","coordinates":[%.7f,%.7f]},' ..
    '"properties":{"scientific_name":"Passer domesticus","observed_on":"2026-05-01","count":%d}}',
    lon, lat, (counter % 20) + 1)
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end

function response(status, headers, body)
  if status == 201 then accepted = accepted + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local total_accepted, total_other = 0, 0
  for _, thread in ipairs(threads) do
    total_accepted = total_accepted + thread:get("accepted")
    total_other = total_other + thread:get("other")
  end
  io.write(string.format("RESULT accepted=%d other=%d p95_us=%d p50_us=%d seconds=%.3f errors=%d\n",
    total_accepted, total_other, latency:percentile(95), latency:percentile(50),
    summary.duration / 1e6, summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout))
end
