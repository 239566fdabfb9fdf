-- wrk script for bench/oip.sh: POST the body in $BODY_FILE; with $HLEN set, as binary tensor data
-- (Inference-Header-Content-Length: $HLEN), else as JSON.
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
