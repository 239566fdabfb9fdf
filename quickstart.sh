#!/usr/bin/env bash
# One command from a fresh clone: builds Knoe, starts `knoe serve` (the embedded platform: control
# API, router, local instances) with the sample endpoint deployed, prints how to score it, and keeps
# serving until Ctrl-C. State lives in KNOE_DATA_DIR (default ~/.knoe/data); port KNOE_PORT (8500).
set -euo pipefail
cd "$(dirname "$0")"
port=${KNOE_PORT:-8500}
knoe=control/bin/knoe

if [ "${1:-}" != "--no-build" ]; then
  echo "==> Building (./mvnw install -DskipTests; the first build downloads dependencies)"
  ./mvnw -q -B install -DskipTests
  scoring-function/bin/aot-train || true   # JDK 25 AOT cache for faster instance starts, when a JDK 25 is here
fi

echo "==> Starting knoe serve on port $port"
args=(serve --port "$port")
[ -n "${KNOE_DATA_DIR:-}" ] && args+=(--data-dir "$KNOE_DATA_DIR")
$knoe "${args[@]}" &
serve=$!
trap 'kill $serve 2>/dev/null; wait $serve 2>/dev/null' EXIT INT TERM
for _ in $(seq 600); do
  curl -s -o /dev/null "http://127.0.0.1:$port/api/v1/endpoints" && break
  kill -0 $serve 2>/dev/null || { echo "knoe serve exited" >&2; exit 1; }
  sleep 0.1
done
export KNOE_URL=http://127.0.0.1:$port

if ! $knoe online-endpoint show -n my-endpoint -o json >/dev/null 2>&1; then
  echo "==> Creating the sample endpoint and deploying blue (model-1) with all traffic"
  $knoe online-endpoint create -f samples/endpoint.yml >/dev/null
  $knoe online-deployment create -f samples/blue-deployment.yml --all-traffic >/dev/null
else
  echo "==> The sample endpoint is already there (restored from the data directory)"
fi
# green's model, registered for the web console's safe rollout (its deployment template names the
# newest registered model)
if ! $knoe model show -n model-2 -o json >/dev/null 2>&1; then
  $knoe model create --name model-2 --path samples/models/model-2/model/model.onnx >/dev/null
fi
$knoe online-endpoint invoke -n my-endpoint --request-file samples/requests/model-1.json >/dev/null

key=$($knoe online-endpoint get-credentials -n my-endpoint -o json | sed -n 's/.*"primaryKey" *: *"\([^"]*\)".*/\1/p')
cat <<MSG

Knoe is serving the sample endpoint 'my-endpoint' (deployment blue, model-1) at $KNOE_URL.

Score it with curl:
  curl -s -X POST $KNOE_URL/endpoints/my-endpoint/score \\
    -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \\
    -d @samples/requests/model-1.json

or with the CLI (it finds the server and the admin key in ~/.knoe/config.json):
  control/bin/knoe online-endpoint invoke -n my-endpoint --request-file samples/requests/model-1.json

Walk through a safe rollout (blue -> green) in another terminal:
  samples/safe-rollout.sh

or in the web console (sign in with the admin key): $KNOE_URL/

Ctrl-C stops knoe serve; state stays in ${KNOE_DATA_DIR:-~/.knoe/data} and comes back on the next start.
MSG
wait $serve
