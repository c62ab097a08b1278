-- POST /v1/measurements, every request a new (indicator, pesantren, period):
-- BENCH_IDS lists pesantren ids; BENCH_SLICE (0, 1, ...) keeps runs against
-- one database apart. Periods are months, quarters and years of 2019-2022.
package.path = os.getenv("BENCH_DIR") .. "/?.lua;" .. package.path
local common = require("common")

done = common.done

local threads = 0
function setup(thread)
  thread:set("thread_no", threads)
  threads = threads + 1
end

local codes = { "OMZET", "ASET", "SANTRI_TRAINED", "ALUMNI_TRAINED", "KOPPONTREN_MEMBERS", "PRODUCTS_HALAL", "EMPLOYEES" }
local ids, periods, headers, next_key, stride = {}, {}, nil, 0, 1

function init(args)
  for line in io.lines(os.getenv("BENCH_IDS")) do
    if line ~= "" then
      ids[#ids + 1] = line
    end
  end
  for y = 2019, 2022 do
    periods[#periods + 1] = tostring(y)
    for q = 1, 4 do
      periods[#periods + 1] = string.format("%d-Q%d", y, q)
    end
    for m = 1, 12 do
      periods[#periods + 1] = string.format("%d-%02d", y, m)
    end
  end
  headers = common.headers()
  headers["Content-Type"] = "application/json"
  -- Threads take turns through the keys; a slice is 100,000 of them.
  stride = tonumber(os.getenv("BENCH_THREADS") or "2")
  next_key = (tonumber(os.getenv("BENCH_SLICE") or "0")) * 100000 + thread_no
end

request = function()
  local k = next_key
  next_key = next_key + stride
  local pes = ids[k % #ids + 1]
  local rest = math.floor(k / #ids)
  local code = codes[rest % #codes + 1]
  local period = periods[math.floor(rest / #codes) % #periods + 1]
  local body = string.format('{"indicator_code":"%s","pesantren_id":"%s","period":"%s","value":%d,"note":"bench"}',
    code, pes, period, k % 1000)
  return wrk.format("POST", "/v1/measurements", headers, body)
end
