-- GET /v1/pesantren/{id}, a random one of the seeded ids (BENCH_IDS: a file
-- with one id a line).
package.path = os.getenv("BENCH_DIR") .. "/?.lua;" .. package.path
local common = require("common")

setup = common.setup
done = common.done

local ids, headers = {}, nil

function init(args)
  math.randomseed(tonumber(seed) or 1)
  for line in io.lines(os.getenv("BENCH_IDS")) do
    if line ~= "" then
      ids[#ids + 1] = line
    end
  end
  headers = common.headers()
end

request = function()
  return wrk.format("GET", "/v1/pesantren/" .. ids[math.random(#ids)], headers)
end
