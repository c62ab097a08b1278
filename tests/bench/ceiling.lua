-- The bare ulfius hello: GET /json.
package.path = os.getenv("BENCH_DIR") .. "/?.lua;" .. package.path
local common = require("common")

setup = common.setup
done = common.done

request = function()
  return wrk.format("GET", "/json")
end
