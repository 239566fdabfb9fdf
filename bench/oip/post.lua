-- wrk script for bench/oip.sh: POST the body in $BODY_FILE; with $HLEN set, as binary tensor data
-- (Inference-Header-Content-Length: $HLEN), else as JSON; with $AUTH set, as the Authorization header
-- (the endpoint's key, through knoe serve's router).
local path = os.getenv("BODY_FILE") or error("set BODY_FILE to the request body file")
local f = assert(io.open(path, "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
local hlen = os.getenv("HLEN")
if hlen and hlen ~= "" then
  wrk.headers["Content-Type"] = "application/octet-stream"
  wrk.headers["Inference-Header-Content-Length"] = hlen
else
  wrk.headers["Content-Type"] = "application/json"
end
local auth = os.getenv("AUTH")
if auth and auth ~= "" then
  wrk.headers["Authorization"] = auth
end
