-- GET /v1/pesantren?limit=20&region_code=<one of the 38, at random>: the
-- first page of a filtered list.
package.path = os.getenv("BENCH_DIR") .. "/?.lua;" .. package.path
local common = require("common")

setup = common.setup
done = common.done

local regions, headers = {}, nil
for n = 1, 29 do regions[#regions + 1] = string.format("35.%02d", n) end
for n = 71, 79 do regions[#regions + 1] = string.format("35.%02d", n) end

function init(args)
  math.randomseed(tonumber(seed) or 1)
  headers = common.headers()
end

request = function()
  return wrk.format("GET", "/v1/pesantren?limit=20&region_code=" .. regions[math.random(#regions)], headers)
end
