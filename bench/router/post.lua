-- wrk script for bench/router.sh: POST the JSON body in $BODY_FILE; with $AUTH set, also send
-- "Authorization: Bearer $AUTH" (the router needs the endpoint key, an instance needs nothing).
--   BODY_FILE=samples/requests/model-1.json AUTH=<key> wrk -t2 -c16 -d15s --latency \
--     -s bench/router/post.lua http://127.0.0.1:8500/endpoints/my-endpoint/score
local path = os.getenv("BODY_FILE") or error("set BODY_FILE to the request body file")
local f = assert(io.open(path, "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
local auth = os.getenv("AUTH")
if auth and auth ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. auth
end
