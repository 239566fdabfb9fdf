-- wrk script: POST the JSON body in $BODY_FILE to the given URL.
--   BODY_FILE=bench/out/mlp-1row.json wrk -t2 -c64 -d15s --latency -s bench/wrk/post.lua http://127.0.0.1:8081/score
local path = os.getenv("BODY_FILE") or error("set BODY_FILE to the request body file")
local f = assert(io.open(path, "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
