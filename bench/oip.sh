#!/usr/bin/env bash
# Open Inference Protocol benchmark (issue 13): what a request costs as JSON, as binary tensor data
# (Triton's binary_tensor_data extension) and over gRPC (when the scoring function serves it and
# ghz is installed), against one scoring-function instance, with raw in-process ONNX Runtime at the
# same batch (1) and thread count as the ceiling. One run:
#
#   bench/oip.sh [--quick] [--out DIR]
#
#   --quick   3 s runs at c=1 and 16: checks the harness, the figures mean little
#   --out     where raw outputs go (default: a new /tmp/knoe-oip.XXXXXX, kept and printed)
#
# Models: `mlp` (1x256 FP32 in, 1x10 out: the payload is small, the model does the work) and `image`
# (1x3x224x224 FP32 in, 602 KB; 1x1000 out; a cheap model: the payload is the work). For each,
# wrk (2 threads; 1 at c=1) POSTs the same input as JSON and as binary data (answer asked as binary
# too) for DURATION s at each of CONCS after a WARMUP s run of each; ghz sends ModelInfer with
# raw_input_contents (a serialized message, one HTTP/2 connection). The answer of each kind is checked once before it is measured. Raw: JMH's
# RawOnnxBenchmark (bench/jmh) at batch 1 with the instance's intra-op threads (half the cores).
# Needs wrk, jq, the tests' Python venv (~/.cache/knoe/pyvenv, made by .ci/run) and, for gRPC,
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

SERVERS=()
cleanup() { for p in "${SERVERS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- builds (never install: ~/.m2 is shared)
JAR=scoring-function/target/quarkus-app/quarkus-run.jar
[[ -f $JAR ]] || { log "building the scoring function"; ./mvnw -q -B -pl scoring-function -am package -DskipTests; }
JMH_JAR=bench/jmh/target/benchmarks.jar
[[ -f $JMH_JAR ]] || { log "building the JMH benchmark"; ./mvnw -q -f bench/jmh/pom.xml package; }
APP=$OUT/app
rm -rf "$APP" && cp -r scoring-function/target/quarkus-app "$APP"  # a build meanwhile cannot swap it
CORES=$(nproc)
INTRA=$(( CORES / 2 > 0 ? CORES / 2 : 1 ))  # the instance's default KNOE_INTRA_OP_THREADS

log "request bodies for: $MODELS"
"$VENV/bin/python" bench/oip/bodies.py "$OUT" $MODELS

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

# wrk_run MODEL KIND CONC SECONDS -> RPS P50 P99 (KIND json or bin)
wrk_run() {
  local model=$1 kind=$2 c=$3 secs=$4 threads=2 f
  [[ $c == 1 ]] && threads=1
  f=$OUT/wrk-$model-$kind-c$c
  BODY_FILE=$OUT/$model.$kind HLEN=$([[ $kind == bin ]] && cat "$OUT/$model.bin.hlen" || true) \
    wrk -t"$threads" -c"$c" -d"${secs}s" --latency -s bench/oip/post.lua \
    "http://127.0.0.1:$PORT/v2/models/$model/infer" >"$f.txt"
  grep -q "Non-2xx" "$f.txt" && die "errors in $f.txt"
  RPS=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$f.txt")
  P50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$f.txt")")
  P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$f.txt")")
}

# ghz_run MODEL CONC SECONDS -> RPS P50 P99
ghz_run() {
  local model=$1 c=$2 secs=$3 f
  f=$OUT/ghz-$model-c$c
  "$GHZ" --insecure --proto "$PROTO" --import-paths "$(dirname "$PROTO")" \
    --call inference.GRPCInferenceService/ModelInfer -B "$OUT/$model.grpc.bin" \
    -c "$c" --connections 1 -z "${secs}s" --duration-stop wait -O json "127.0.0.1:$PORT" >"$f.json" 2>"$f.err" || die "ghz failed: $(cat "$f.err")"
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

printf 'model\tkind\tconc\treq_s\tp50_ms\tp99_ms\n' >"$OUT/runs.tsv"
printf 'model\traw_rows_s\n' >"$OUT/raw.tsv"
for model in $MODELS; do
  PORT=$(free_port)
  log "$model: starting the scoring function on port $PORT"
  env KNOE_MODEL_DIR="samples/models/$model/model" QUARKUS_HTTP_PORT="$PORT" QUARKUS_HTTP_HOST=127.0.0.1 \
    "$JAVA" -jar "$APP/quarkus-run.jar" >"$OUT/server-$model.log" 2>&1 &
  SERVERS+=("$!")
  for _ in $(seq 600); do curl -sf "127.0.0.1:$PORT/v2/health/ready" >/dev/null && break; sleep 0.1; done
  curl -sf "127.0.0.1:$PORT/v2/health/ready" >/dev/null || die "$model did not become ready ($OUT/server-$model.log)"

  # Each kind answers, and with what the model says, before it is measured.
  curl -sf -H 'Content-Type: application/json' --data-binary @"$OUT/$model.json" \
    "127.0.0.1:$PORT/v2/models/$model/infer" | jq -e '.outputs[0].data | length > 0' >/dev/null \
    || die "$model: the JSON request failed"
  curl -sf -H 'Content-Type: application/octet-stream' -H "Inference-Header-Content-Length: $(cat "$OUT/$model.bin.hlen")" \
    --data-binary @"$OUT/$model.bin" -D "$OUT/$model.bin.headers" -o "$OUT/$model.bin.answer" \
    "127.0.0.1:$PORT/v2/models/$model/infer" || die "$model: the binary request failed"
  grep -qi '^inference-header-content-length:' "$OUT/$model.bin.headers" || die "$model: the answer is not binary"

  for kind in json bin; do
    log "$model $kind: warm-up ${WARMUP}s at c=16"
    wrk_run "$model" "$kind" 16 "$WARMUP"
  done
  [[ $GRPC == 1 ]] && { log "$model grpc: warm-up"; ghz_run "$model" 16 "$WARMUP"; }
  for c in $CONCS; do
    for kind in json bin $([[ $GRPC == 1 ]] && echo grpc); do
      if [[ $kind == grpc ]]; then ghz_run "$model" "$c" "$DURATION"; else wrk_run "$model" "$kind" "$c" "$DURATION"; fi
      log "$model $kind c=$c: $RPS req/s, p50 $P50 ms, p99 $P99 ms"
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$model" "$kind" "$c" "$RPS" "$P50" "$P99" >>"$OUT/runs.tsv"
    done
  done
  kill "${SERVERS[-1]}" 2>/dev/null || true

  log "$model: raw ONNX Runtime, batch 1, intra-op $INTRA (JMH)"
  "$JAVA" -jar "$JMH_JAR" RawOnnxBenchmark -p model="samples/models/$model/model/model.onnx" -p batch=1 \
    -p intraOpThreads="$INTRA" -f 1 -wi 2 -w 2s -i 3 -r 2s -rf json -rff "$OUT/jmh-$model.json" >"$OUT/jmh-$model.log" 2>&1 \
    || die "JMH failed ($OUT/jmh-$model.log)"
  printf '%s\t%.0f\n' "$model" "$(jq '.[0].secondaryMetrics.rows.score' "$OUT/jmh-$model.json")" >>"$OUT/raw.tsv"
done

# ---------------------------------------------------------------- summary
{
  echo "Open Inference Protocol, $(date -u +%FT%TZ), $CORES cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)),"
  echo "server built from $(git rev-parse --short HEAD), $DURATION s per run; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| model | protocol | conc | req/s | p50 ms | p99 ms | × JSON | / raw |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' 'NR == FNR { if (FNR > 1) raw[$1] = $2; next }
    FNR == 1 { next }
    { key = $1 "/" $3; if ($2 == "json") json[key] = $4;
      printf "| %s | %s | %s | %s | %s | %s | %s | %.2f |\n", $1, $2, $3, $4, $5, $6,
        (json[key] > 0 ? sprintf("%.2f", $4 / json[key]) : "-"), $4 / raw[$1] }' "$OUT/raw.tsv" "$OUT/runs.tsv"
  echo
  awk -F'\t' 'NR > 1 { printf "raw ONNX Runtime, %s, batch 1: %s rows/s\n", $1, $2 }' "$OUT/raw.tsv"
} | tee "$OUT/summary.md"
log "raw outputs in $OUT"
