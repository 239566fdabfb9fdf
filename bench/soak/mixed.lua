-- wrk script for bench/soak.sh: mixed traffic through the router, in turn
--   1. /score routed by the endpoint's traffic split,
--   2. /score pinned to blue  (azureml-model-deployment: blue),
--   3. /score pinned to green (azureml-model-deployment: green),
-- with "Authorization: Bearer $AUTH" and the JSON body in $BODY_FILE. Counts responses by status
-- and prints one line for the soak script:
--   RESULT requests=N p50_ms=.. p99_ms=.. max_ms=.. ok=N auth=N(401/403) other=N sock=N s<code>=N..
local path = os.getenv("BODY_FILE") or error("set BODY_FILE to the request body file")
local f = assert(io.open(path, "rb"))
local body = f:read("*a")
f:close()
local auth = os.getenv("AUTH") or error("set AUTH to the endpoint key")

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counts = {}
  local base = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. auth }
  local function with(extra)
    local h = {}
    for k, v in pairs(base) do h[k] = v end
    for k, v in pairs(extra) do h[k] = v end
    return wrk.format("POST", nil, h, body)
  end
  reqs = {
    with({}),
    with({ ["azureml-model-deployment"] = "blue" }),
    with({ ["azureml-model-deployment"] = "green" }),
  }
  n = 0
end

function request()
  n = n + 1
  return reqs[(n % #reqs) + 1]
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    for code, c in pairs(t:get("counts")) do
      all[code] = (all[code] or 0) + c
    end
  end
  local ok, authf, other, codes = 0, 0, 0, ""
  for code, c in pairs(all) do
    if code >= 200 and code < 300 then ok = ok + c
    elseif code == 401 or code == 403 then authf = authf + c
    else other = other + c end
    codes = codes .. string.format(" s%d=%d", code, c)
  end
  local e = summary.errors
  local sock = e.connect + e.read + e.write + e.timeout
  io.write(string.format("RESULT requests=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f ok=%d auth=%d other=%d sock=%d%s\n",
    summary.requests, latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    ok, authf, other, sock, codes))
end
