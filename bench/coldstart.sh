#!/usr/bin/env bash
# Cold-start benchmark (issue 4): zero -> first response for model-1 through `knoe serve`, with
# its breakdown. One run, ~3 min:
#
#   bench/coldstart.sh [--build] [--out DIR]
#
#   --build   ./mvnw -q install -DskipTests and bin/aot-train first (otherwise only when missing)
#   --out     where raw outputs go (default: a new /tmp/knoe-coldstart.XXXXXX, kept and printed)
#
# An endpoint `cold` gets two deployments of samples/models/model-1, both target_utilization with
# min_instances 0: `fast` (KNOE_FAST_START=1: C1 only) and `plain` (the full JIT). knoe serve runs
# with a 6 s stable window, no grace period and 1 s ticks, so an idle deployment is at zero ~7 s
# after its last request. For each deployment, N times: wait until it has no instance, send one
# request (curl, with the deployment header) and time it to the response; then 20 warm requests.
# The breakdown comes from the logs: the supervisor's "ready after N ms" (process spawned -> first
# passing readiness probe) and the instance's "Cold start:" line (process start -> framework ready,
# ONNX Runtime + model load, first (warm-up) inference); "router + probe" is the rest of the total
# (the poke to the autoscaler, process spawn, probe interval, the request itself).
# Environment: N (10), JAVA (java for knoe serve). Do not run it beside a build: two cores.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=0 OUT=
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) BUILD=1 ;;
    --out) OUT=$2; shift ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
N=${N:-10}
OUT=${OUT:-$(mktemp -d /tmp/knoe-coldstart.XXXXXX)}
mkdir -p "$OUT"
cd "$ROOT"

if [[ $BUILD == 1 || ! -f control/target/quarkus-app/quarkus-run.jar || ! -f scoring-function/target/quarkus-app/quarkus-run.jar ]]; then
  ./mvnw -q -B -ntp install -DskipTests
fi
if [[ $BUILD == 1 || ! -f scoring-function/target/quarkus-app/app.aot ]]; then
  scoring-function/bin/aot-train
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
KNOE_AUTOSCALER_STABLE_WINDOW=6s KNOE_AUTOSCALER_SCALE_TO_ZERO_GRACE_PERIOD=0s KNOE_AUTOSCALER_TICK_INTERVAL=1s \
  KNOE_CLI_CONFIG=$OUT/cli.json KNOE_JAVA=${JAVA:-} \
  control/bin/knoe serve --port "$port" --data-dir "$OUT/data" > "$OUT/serve.log" 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null; wait $serve 2>/dev/null || true' EXIT
for _ in $(seq 600); do curl -s -o /dev/null "$base/q/health" 2>/dev/null && [ -f "$OUT/data/admin-key" ] && break; sleep 0.1; done
admin=$(cat "$OUT/data/admin-key")
api() { curl -sf -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' -X "$1" "$base/api/v1$2" ${3:+-d "$3"}; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin).get('$1', ''))"; }

api POST /endpoints '{"name": "cold"}' > /dev/null
model=$ROOT/samples/models/model-1/model
for d in fast plain; do
  env="{\"KNOE_FAST_START\": \"$([[ $d == fast ]] && echo 1 || echo 0)\"}"
  api PUT "/endpoints/cold/deployments/$d" "{\"name\": \"$d\", \"endpoint_name\": \"cold\", \"model\": {\"path\": \"$model\"},
    \"environment_variables\": $env, \"scale_settings\": {\"type\": \"target_utilization\", \"min_instances\": 0, \"max_instances\": 1}}" > /dev/null
done
key=$(api GET /endpoints/cold/keys | field primaryKey)
body=$ROOT/samples/requests/model-1.json

echo "variant,round,total_ms,spawn_to_ready_ms,process_to_framework_ms,model_load_ms,first_inference_ms" > "$OUT/cold.csv"
: > "$OUT/warm.txt"
for d in fast plain; do
  for i in $(seq "$N"); do
    # At zero: no instance ready and none wanted.
    for _ in $(seq 600); do
      v=$(api GET "/endpoints/cold/deployments/$d")
      [[ $(echo "$v" | field ready_instances) == 0 && $(echo "$v" | field desired_instances) == 0 ]] && break
      sleep 0.2
    done
    before=$(grep -c "ready on port" "$OUT/serve.log" || true)
    t=$(curl -s -o "$OUT/answer.json" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $key" \
      -H 'Content-Type: application/json' -H "azureml-model-deployment: $d" --data-binary "@$body" "$base/endpoints/cold/score")
    [[ ${t%% *} == 200 ]] || { echo "cold request to $d answered ${t%% *}: $(cat "$OUT/answer.json")" >&2; exit 1; }
    total=$(python3 -c "print(round(${t#* } * 1000, 1))")
    ready=$(grep "cold/$d: instance .* ready on port" "$OUT/serve.log" | tail -1 | sed -n 's/.* after \([0-9]*\) ms.*/\1/p')
    log=$(ls -t "$OUT/data/logs/cold/$d/"*.log | head -1)
    for _ in $(seq 50); do grep -q "Cold start:" "$log" && break; sleep 0.1; done
    parts=$(grep "Cold start:" "$log" | tail -1 | sed -n 's/.*framework ready \([0-9]*\) ms, ONNX Runtime and model load \([0-9]*\) ms, first inference \([0-9]*\) ms.*/\1,\2,\3/p')
    echo "$d,$i,$total,$ready,$parts" >> "$OUT/cold.csv"
    echo "$d round $i: ${total} ms (spawn to ready ${ready} ms; $parts)"
    for _ in $(seq 20); do
      curl -s -o /dev/null -w "$d %{time_total}\n" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
        -H "azureml-model-deployment: $d" --data-binary "@$body" "$base/endpoints/cold/score" >> "$OUT/warm.txt"
    done
  done
done

python3 - "$OUT" <<'EOF'
import csv, statistics, sys, os
out = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(out, "cold.csv"))))
warm = {}
for line in open(os.path.join(out, "warm.txt")):
    d, t = line.split()
    warm.setdefault(d, []).append(float(t) * 1000)
print()
print("zero -> first response, model-1, through knoe serve (ms); medians of the breakdown")
print(f"{'variant':8} {'n':>3} {'p50':>7} {'min':>7} {'max':>7} | {'spawn->ready':>12} {'proc->fw':>9} {'model':>6} {'1st inf':>7} {'router+probe':>12} | {'warm p50':>8}")
for d in ("fast", "plain"):
    r = [x for x in rows if x["variant"] == d]
    if not r:
        continue
    tot = [float(x["total_ms"]) for x in r]
    med = lambda k: statistics.median(float(x[k]) for x in r if x[k])
    rest = statistics.median(float(x["total_ms"]) - float(x["spawn_to_ready_ms"]) for x in r)
    w = statistics.median(warm.get(d, [0]))
    print(f"{d:8} {len(r):>3} {statistics.median(tot):>7.0f} {min(tot):>7.0f} {max(tot):>7.0f} | {med('spawn_to_ready_ms'):>12.0f} "
          f"{med('process_to_framework_ms'):>9.0f} {med('model_load_ms'):>6.0f} {med('first_inference_ms'):>7.0f} {rest:>12.0f} | {w:>8.2f}")
print(f"\ncold/warm ratio (p50): " + ", ".join(
    f"{d} {statistics.median(float(x['total_ms']) for x in rows if x['variant']==d) / statistics.median(warm[d]):.0f}x"
    for d in ("fast", "plain") if d in warm))
print(f"raw: {out}/cold.csv, {out}/serve.log, {out}/data/logs")
EOF
