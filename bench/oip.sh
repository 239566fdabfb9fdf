#!/usr/bin/env bash
# Open Inference Protocol benchmark (issue 13): what a request costs as JSON, as binary tensor data
# (Triton's binary_tensor_data extension) and over gRPC (when ghz is installed), against one
# scoring-function instance, directly and through knoe serve's router, with raw in-process ONNX
# Runtime at the instance's thread count, at batch 1 and at the batch the server formed, as the
# ceiling. One run:
#
#   bench/oip.sh [--quick] [--out DIR]
#
#   --quick   3 s runs at c=1 and 16: checks the harness, the figures mean little
#   --out     where raw outputs go (default: a new /tmp/knoe-oip.XXXXXX, kept and printed)
#
# Models: `mlp` (1x256 FP32 in, 1x10 out: the payload is small, the model does the work) and `image`
# (1x3x224x224 FP32 in, 602 KB; 1x1000 out; a cheap model: the payload is the work). One knoe serve
# deploys each as endpoint oip-<model>, deployment blue (one instance, batching at its defaults).
# For each, wrk (2 threads; 1 at c=1) POSTs the same input as JSON and as binary data (answer asked
# as binary too) for DURATION s at each of CONCS after a WARMUP s run of each; ghz sends ModelInfer
# with raw_input_contents (a serialized message, one HTTP/2 connection): to the instance itself
# ("direct"), then to knoe serve with the endpoint's key ("router": /endpoints/<name>/v2/... for
# HTTP, the knoe-endpoint header for gRPC). The answer of each kind is checked once before it is
# measured. Raw: JMH's RawOnnxBenchmark (bench/jmh) with the instance's intra-op threads (half the
# cores) at batch 1 and at the mean rows per run the instance formed over all its runs
# (knoe_batch_rows on its /metrics).
# Needs wrk, jq, the built apps (./mvnw -q package -DskipTests), the tests' Python venv (~/.cache/knoe/pyvenv, made by .ci/run) and, for gRPC,
# ghz (`GOBIN=~/.cache/knoe/bin go install github.com/bojand/ghz/cmd/ghz@v0.120.0`).
# Environment: DURATION (10), WARMUP (5), CONCS ("1 16 64"), MODELS ("mlp image"), JAVA (java).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-5}
CONCS=${CONCS:-"1 16 64"}
MODELS=${MODELS:-"mlp image"}
JAVA=${JAVA:-java}
OUT=
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) DURATION=3; WARMUP=2; CONCS="1 16" ;;
    --out) OUT=$2; shift ;;
    *) echo "usage: bench/oip.sh [--quick] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
OUT=${OUT:-$(mktemp -d /tmp/knoe-oip.XXXXXX)}
mkdir -p "$OUT"

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { echo "oip.sh: ERROR: $*" >&2; exit 1; }
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
command -v jq >/dev/null || die "jq is not installed (apt-get install jq)"
VENV=${KNOE_PYTHON_VENV:-$HOME/.cache/knoe/pyvenv}
[[ -x $VENV/bin/python ]] || die "no Python venv at $VENV: run .ci/run (it makes it) or set KNOE_PYTHON_VENV"
GHZ=${GHZ:-$(command -v ghz || echo "$HOME/.cache/knoe/bin/ghz")}
PROTO=$(ls scoring-function/src/main/proto/*.proto 2>/dev/null | head -1 || true)

SERVE_PID=
cleanup() { [[ -n $SERVE_PID ]] && kill "$SERVE_PID" 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- builds (never install: ~/.m2 is shared)
if [[ ! -f scoring-function/target/quarkus-app/quarkus-run.jar || ! -f control/target/quarkus-app/quarkus-run.jar ]]; then
  log "building the scoring function and the control plane"
  ./mvnw -q -B -pl scoring-function,control -am package -DskipTests
fi
JMH_JAR=bench/jmh/target/benchmarks.jar
[[ -f $JMH_JAR ]] || { log "building the JMH benchmark"; ./mvnw -q -f bench/jmh/pom.xml package; }
# Private copies: a build meanwhile cannot swap them.
rm -rf "$OUT/control-app" "$OUT/scoring-function"
cp -r control/target/quarkus-app "$OUT/control-app"
mkdir -p "$OUT/scoring-function/target"
cp -r scoring-function/bin "$OUT/scoring-function/bin"
cp -r scoring-function/target/quarkus-app "$OUT/scoring-function/target/quarkus-app"
CORES=$(nproc)
INTRA=$(( CORES / 2 > 0 ? CORES / 2 : 1 ))  # the instance's default KNOE_INTRA_OP_THREADS

log "request bodies for: $MODELS"
# The V2 model name of a local deployment is <endpoint>-<deployment>: the gRPC message carries it.
"$VENV/bin/python" bench/oip/bodies.py "$OUT" $(for m in $MODELS; do echo "$m:oip-$m-blue"; done)

free_port() {
  local p
  for _ in $(seq 100); do
    p=$(( 20000 + RANDOM % 12000 ))
    if [[ -z $(ss -tanH "sport = :$p") ]]; then echo "$p"; return; fi
  done
  die "no free port found"
}
to_ms() {  # wrk latency like 812.00us, 7.24ms, 1.02s
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; printf "%.3f", n }'
}
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }

# v2_url MODEL VIA -> the infer URL of the model's instance, directly or through the router
v2_url() {
  if [[ $2 == direct ]]; then echo "$INSTANCE/v2/models/oip-$1-blue/infer"
  else echo "$URL/endpoints/oip-$1/v2/models/oip-$1-blue/infer"; fi
}

# wrk_run MODEL KIND VIA CONC SECONDS -> RPS P50 P99 (KIND json or bin; VIA direct or router)
wrk_run() {
  local model=$1 kind=$2 via=$3 c=$4 secs=$5 threads=2 f
  [[ $c == 1 ]] && threads=1
  f=$OUT/wrk-$model-$kind-$via-c$c
  BODY_FILE=$OUT/$model.$kind HLEN=$([[ $kind == bin ]] && cat "$OUT/$model.bin.hlen" || true) \
    AUTH=$([[ $via == router ]] && echo "Bearer $KEY" || true) \
    wrk -t"$threads" -c"$c" -d"${secs}s" --latency -s bench/oip/post.lua "$(v2_url "$model" "$via")" >"$f.txt"
  grep -q "Non-2xx" "$f.txt" && die "errors in $f.txt"
  RPS=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$f.txt")
  P50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$f.txt")")
  P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$f.txt")")
}

# ghz_run MODEL VIA CONC SECONDS -> RPS P50 P99
ghz_run() {
  local model=$1 via=$2 c=$3 secs=$4 f target metadata='{}'
  f=$OUT/ghz-$model-$via-c$c
  target=${INSTANCE#http://}
  if [[ $via == router ]]; then
    target=${URL#http://}
    metadata=$(jq -cn --arg e "oip-$model" --arg k "Bearer $KEY" '{"knoe-endpoint": $e, authorization: $k}')
  fi
  "$GHZ" --insecure --proto "$PROTO" --import-paths "$(dirname "$PROTO")" \
    --call inference.GRPCInferenceService/ModelInfer -B "$OUT/$model.grpc.bin" --metadata "$metadata" \
    -c "$c" --connections 1 -z "${secs}s" --duration-stop wait -O json "$target" >"$f.json" 2>"$f.err" || die "ghz failed: $(cat "$f.err")"
  [[ $(jq '.statusCodeDistribution | keys | map(select(. != "OK")) | length' "$f.json") == 0 ]] \
    || die "gRPC errors in $f.json"
  RPS=$(jq '.rps | floor' "$f.json")
  P50=$(jq -r '[.latencyDistribution[] | select(.percentage == 50)][0].latency / 1e6 * 1000 | round / 1000' "$f.json")
  P99=$(jq -r '[.latencyDistribution[] | select(.percentage == 99)][0].latency / 1e6 * 1000 | round / 1000' "$f.json")
}

GRPC=0
if [[ -n $PROTO && -x $GHZ ]]; then GRPC=1; else
  log "gRPC not measured: $([[ -z $PROTO ]] && echo "the scoring function has no .proto" || echo "no ghz ($GHZ)")"
fi

# ---------------------------------------------------------------- knoe serve, one endpoint per model
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
DATA=$OUT/data
log "starting knoe serve on port $PORT, data in $DATA"
(cd "$OUT" && exec env KNOE_SCORING_HOME="$OUT/scoring-function" KNOE_CLI_CONFIG="$OUT/cli-config.json" \
  "$JAVA" -jar "$OUT/control-app/quarkus-run.jar" serve --port "$PORT" --data-dir "$DATA" >"$OUT/serve.log" 2>&1) &
SERVE_PID=$!
for i in $(seq 600); do
  [[ -s $DATA/admin-key ]] && [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 \
      -H "Authorization: Bearer $(cat "$DATA/admin-key")" "$URL/api/v1/endpoints" || true) == 200 ]] && break
  kill -0 "$SERVE_PID" 2>/dev/null || { tail -30 "$OUT/serve.log" >&2; die "knoe serve exited (log: $OUT/serve.log)"; }
  (( i < 600 )) || die "knoe serve did not answer within 60 s (log: $OUT/serve.log)"
  sleep 0.1
done
ADMIN="Authorization: Bearer $(cat "$DATA/admin-key")"
api() {  # api METHOD PATH [JSON]
  curl -sf -X "$1" -H "$ADMIN" -H 'Content-Type: application/json' ${3:+--data "$3"} "$URL/api/v1$2"
}

printf 'model\tkind\tvia\tconc\treq_s\tp50_ms\tp99_ms\n' >"$OUT/runs.tsv"
printf 'model\tbatch\traw_rows_s\n' >"$OUT/raw.tsv"
for model in $MODELS; do
  EP=oip-$model
  log "$model: endpoint $EP, deployment blue"
  api POST /endpoints "{\"name\": \"$EP\"}" >/dev/null || die "cannot create $EP"
  # max_concurrent_requests_per_instance 64: the router admits 2 x 64 waiting or in flight, so
  # c=64 is never refused with 429.
  api PUT "/endpoints/$EP/deployments/blue" "{\"name\": \"blue\", \"endpoint_name\": \"$EP\",
    \"model\": {\"path\": \"$ROOT/samples/models/$model/model\"}, \"instance_count\": 1,
    \"request_settings\": {\"max_concurrent_requests_per_instance\": 64}}" >/dev/null \
    || die "cannot deploy $EP/blue"
  for _ in $(seq 1200); do
    state=$(api GET "/endpoints/$EP/deployments/blue" | jq -r .provisioning_state)
    [[ $state == Succeeded || $state == Failed ]] && break
    sleep 0.1
  done
  [[ $state == Succeeded ]] || die "$EP/blue is $state (log: $OUT/serve.log)"
  api PUT "/endpoints/$EP" "{\"name\": \"$EP\", \"traffic\": {\"blue\": 100}}" >/dev/null || die "cannot route $EP"
  KEY=$(api GET "/endpoints/$EP/keys" | jq -r .primaryKey)
  INSTANCE=$(api GET "/endpoints/$EP/deployments/blue" | jq -r '.instances[0].url // empty')
  [[ -n $INSTANCE ]] || die "the deployment view has no instances[].url"
  log "$model: instance $INSTANCE"

  # Each kind answers, directly and through the router, with what the model says, before it is
  # measured.
  for via in direct router; do
    auth=(); [[ $via == router ]] && auth=(-H "Authorization: Bearer $KEY")
    curl -sf "${auth[@]}" -H 'Content-Type: application/json' --data-binary @"$OUT/$model.json" \
      "$(v2_url "$model" "$via")" | jq -e '.outputs[0].data | length > 0' >/dev/null \
      || die "$model $via: the JSON request failed"
    curl -sf "${auth[@]}" -H 'Content-Type: application/octet-stream' \
      -H "Inference-Header-Content-Length: $(cat "$OUT/$model.bin.hlen")" \
      --data-binary @"$OUT/$model.bin" -D "$OUT/$model.bin.headers" -o "$OUT/$model.bin.answer" \
      "$(v2_url "$model" "$via")" || die "$model $via: the binary request failed"
    grep -qi '^inference-header-content-length:' "$OUT/$model.bin.headers" || die "$model $via: the answer is not binary"
  done

  for kind in json bin; do
    log "$model $kind: warm-up ${WARMUP}s at c=16"
    wrk_run "$model" "$kind" direct 16 "$WARMUP"
  done
  [[ $GRPC == 1 ]] && { log "$model grpc: warm-up"; ghz_run "$model" direct 16 "$WARMUP"; }
  for via in direct router; do
    for c in $CONCS; do
      for kind in json bin $([[ $GRPC == 1 ]] && echo grpc); do
        if [[ $kind == grpc ]]; then ghz_run "$model" "$via" "$c" "$DURATION"; else wrk_run "$model" "$kind" "$via" "$c" "$DURATION"; fi
        log "$model $kind $via c=$c: $RPS req/s, p50 $P50 ms, p99 $P99 ms"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$model" "$kind" "$via" "$c" "$RPS" "$P50" "$P99" >>"$OUT/runs.tsv"
      done
    done
  done
  # The batch the instance formed: mean rows per run over all of its runs above.
  curl -sf "$INSTANCE/metrics" >"$OUT/metrics-$model.prom" || die "no metrics from $INSTANCE"
  FORMED=$(awk '/^knoe_batch_rows_sum/ { s += $2 } /^knoe_batch_rows_count/ { n += $2 }
    END { if (n > 0) printf "%d", s / n + 0.5; else print 1 }' "$OUT/metrics-$model.prom")
  (( FORMED >= 1 )) || FORMED=1
  api DELETE "/endpoints/$EP" >/dev/null || true  # frees the instance's cores for JMH

  for batch in $(echo 1 "$FORMED" | tr ' ' '\n' | sort -un); do
    log "$model: raw ONNX Runtime, batch $batch, intra-op $INTRA (JMH)"
    "$JAVA" -jar "$JMH_JAR" RawOnnxBenchmark -p model="samples/models/$model/model/model.onnx" -p batch="$batch" \
      -p intraOpThreads="$INTRA" -f 1 -wi 2 -w 2s -i 3 -r 2s -rf json -rff "$OUT/jmh-$model-$batch.json" >"$OUT/jmh-$model-$batch.log" 2>&1 \
      || die "JMH failed ($OUT/jmh-$model-$batch.log)"
    printf '%s\t%s\t%.0f\n' "$model" "$batch" "$(jq '.[0].secondaryMetrics.rows.score' "$OUT/jmh-$model-$batch.json")" >>"$OUT/raw.tsv"
  done
done

# ---------------------------------------------------------------- summary
{
  echo "Open Inference Protocol, $(date -u +%FT%TZ), $CORES cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)),"
  echo "server built from $(git rev-parse --short HEAD), $DURATION s per run; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| model | protocol | via | conc | req/s | p50 ms | p99 ms | × JSON | router / direct | / raw (best of batch 1 and formed) |"
  echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' 'NR == FNR { if (FNR > 1 && $3 > raw[$1]) raw[$1] = $3; next }
    FNR == 1 { next }
    { key = $1 "/" $3 "/" $4; if ($2 == "json") json[key] = $5;
      d = $1 "/" $2 "/" $4; if ($3 == "direct") direct[d] = $5;
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %.2f |\n", $1, $2, $3, $4, $5, $6, $7,
        (json[key] > 0 ? sprintf("%.2f", $5 / json[key]) : "-"),
        ($3 == "router" && direct[d] > 0 ? sprintf("%.2f", $5 / direct[d]) : "-"), $5 / raw[$1] }' \
    "$OUT/raw.tsv" "$OUT/runs.tsv"
  echo
  awk -F'\t' 'NR > 1 { printf "raw ONNX Runtime, %s, batch %s: %s rows/s\n", $1, $2, $3 }' "$OUT/raw.tsv"
} | tee "$OUT/summary.md"
log "raw outputs in $OUT"
