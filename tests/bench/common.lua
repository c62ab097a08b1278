-- Shared by the tests/bench wrk scripts: a per-thread random seed, the
-- bearer token from BENCH_TOKEN, and one machine-readable summary line
-- ("BENCH key=value ...") that run.sh parses.
local common = {}

local counter = 0
function common.setup(thread)
  counter = counter + 1
  thread:set("seed", counter * 7919)
end

function common.headers()
  local token = os.getenv("BENCH_TOKEN")
  if token and token ~= "" then
    return { ["Authorization"] = "Bearer " .. token }
  end
  return {}
end

function common.done(summary, latency)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "BENCH rps=%.1f p50_ms=%.2f p99_ms=%.2f requests=%d non2xx=%d socket_errors=%d\n",
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end

return common
