#!/usr/bin/env bash
# Soak benchmark (issue 15, point 4): `knoe serve` under steady mixed traffic for MINUTES, with the
# control plane busy meanwhile; reports errors, p99 per interval and the memory of every process.
#
#   bench/soak.sh [--quick] [--out DIR]
#
#   --quick   ~2 min (MINUTES=2, 20 s intervals, faster moves, key rotations and scale to zero):
#             checks the harness; growth figures over 2 min mean little
#   --out     where raw outputs go (default: a new /tmp/knoe-soak.XXXXXX, kept and printed)
#
# Set up: endpoint my-endpoint with blue (model-1) and green (model-2) from samples/, traffic
# 50/50, and endpoint soak-zero with deployment sleepy (model-1, target_utilization,
# min_instances 0, max_instances 1).
# Load: wrk (CONC connections, 2 threads, bench/soak/mixed.lua) in back-to-back runs of INTERVAL s:
# requests in turn routed by the split, pinned to blue and pinned to green (azureml-model-deployment).
# A WARMUP s run comes first (not counted); the RSS at start is taken after it.
# Meanwhile, in the background:
#   - every MOVE_EVERY s the split moves, blue=80 green=20 <-> blue=20 green=80 (PUT endpoint);
#   - every REGEN_EVERY s the key wrk does not use is regenerated and becomes the one the next
#     wrk run uses (as a client rotates keys: the standby key is renewed, then clients move to it),
#     so an auth failure means a key was refused while valid;
#   - every WAKE_EVERY s soak-zero is scored once: asleep by then (it scales to zero a stable
#     window + grace period after its last request, 60 s + 30 s by default; ZERO_WINDOW and
#     ZERO_GRACE set knoe serve's KNOE_AUTOSCALER_STABLE_WINDOW / _SCALE_TO_ZERO_GRACE_PERIOD,
#     6s / 4s with --quick), so each call waits for a cold start.
# Errors: non-2xx other than 401/403, plus socket errors (target 0); auth failures apart (also
# expected 0); control-plane calls that failed. RSS (VmRSS) of knoe serve and of each instance
# at start and end, with growth (target < 10 % after warm-up).
# Like bench/router.sh: private copies of the built apps (built with ./mvnw when missing), a
# temporary data dir and CLI config, free ports; stops everything it started. Waits (at most
# QUIET_MAX s) until no other benchmark runs and (at most CPU_WAIT_MAX s) until the rest of the
# machine uses less than QUIET_CORES cores; the load average is reported.
# Environment: MINUTES (30), INTERVAL (60), CONC (16), WARMUP (30), MOVE_EVERY (30),
#   REGEN_EVERY (300), WAKE_EVERY (240), ZERO_WINDOW, ZERO_GRACE (platform defaults), QUIET_MAX (600), CPU_WAIT_MAX (120), QUIET_CORES (0.3), JAVA (java).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QUICK=0 OUT=
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) QUICK=1 ;;
    --out) OUT=$2; shift ;;
    -h|--help) sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [[ $QUICK == 1 ]]; then
  MINUTES=${MINUTES:-2} INTERVAL=${INTERVAL:-20} WARMUP=${WARMUP:-10} MOVE_EVERY=${MOVE_EVERY:-10}
  REGEN_EVERY=${REGEN_EVERY:-45} WAKE_EVERY=${WAKE_EVERY:-30} ZERO_WINDOW=${ZERO_WINDOW:-6s} ZERO_GRACE=${ZERO_GRACE:-4s}
fi
MINUTES=${MINUTES:-30} INTERVAL=${INTERVAL:-60} CONC=${CONC:-16} WARMUP=${WARMUP:-30}
MOVE_EVERY=${MOVE_EVERY:-30} REGEN_EVERY=${REGEN_EVERY:-300} WAKE_EVERY=${WAKE_EVERY:-240}
QUIET_MAX=${QUIET_MAX:-600} CPU_WAIT_MAX=${CPU_WAIT_MAX:-120} QUIET_CORES=${QUIET_CORES:-0.3} JAVA=${JAVA:-java}
BODY=$ROOT/samples/requests/model-1.json
LUA=$ROOT/bench/soak/mixed.lua
ENDPOINT=my-endpoint ZERO=soak-zero

T0=$(date +%s)
# At the start: the apps copied below are this commit's build (the work tree may move meanwhile).
GIT_REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
log() { printf '[%s +%4ss] %s\n' "$(date +%H:%M:%S)" "$(( $(date +%s) - T0 ))" "$*" >&2; }
die() { echo "soak.sh: ERROR: $*" >&2; exit 1; }

(( REGEN_EVERY > 2 * INTERVAL )) || die "REGEN_EVERY ($REGEN_EVERY) must exceed 2 x INTERVAL ($INTERVAL): a wrk run must end before the key it uses is regenerated"
WRK=$(command -v wrk || echo "$HOME/.cache/knoe/bin/wrk")
[[ -x $WRK ]] || die "wrk is not installed (apt-get install wrk)"
for tool in curl jq awk ss pgrep "$JAVA"; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
[[ -z $OUT ]] && OUT=$(mktemp -d /tmp/knoe-soak.XXXXXX)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
cd "$ROOT"

# ---------------------------------------------------------------- cleanup of what we start
SERVE_PID= BG_PIDS=()
cleanup() {
  local rc=$? p
  for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [[ -n $SERVE_PID ]] && kill -0 "$SERVE_PID" 2>/dev/null; then
    local kids
    kids=$(pgrep -P "$SERVE_PID" || true)
    kill "$SERVE_PID" 2>/dev/null  # its shutdown hook stops the instances
    for _ in $(seq 150); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVE_PID" 2>/dev/null || true
    for p in $kids; do kill -9 "$p" 2>/dev/null || true; done
  fi
  rm -rf "$OUT/data/models" "$OUT/data/code" "$OUT/control-app" "$OUT/scoring-function" 2>/dev/null || true
  (( rc == 0 )) || echo "soak.sh: failed (exit $rc); raw outputs and logs in $OUT" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- quiet machine
QUIET_WAITED=0 CPU_WAITED=0
busy_cores() {  # cores the whole machine keeps busy over one second
  local a b
  a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat); sleep 1
  b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)
  awk -v d=$(( b - a )) -v t="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", d / t }'
}
wait_quiet() {  # before knoe serve starts: everything busy is someone else's
  local others busy
  while others=$(pgrep -f 'bench/run.sh|bench/router.sh|benchmarks.jar' | grep -vx "$$" || true); [[ -n $others ]]; do
    (( QUIET_WAITED >= QUIET_MAX )) && { log "WARNING: another benchmark still runs after ${QUIET_MAX} s; measuring anyway"; break; }
    (( QUIET_WAITED % 60 == 0 )) && log "waiting for another benchmark to finish (pids $(echo $others))"
    sleep 10; QUIET_WAITED=$(( QUIET_WAITED + 10 ))
  done
  while busy=$(busy_cores); ! awk -v b="$busy" -v q="$QUIET_CORES" 'BEGIN { exit !(b < q) }'; do
    (( CPU_WAITED >= CPU_WAIT_MAX )) && { log "WARNING: other processes still use $busy cores; measuring anyway"; break; }
    (( CPU_WAITED % 60 == 0 )) && log "other processes use $busy cores; waiting (top: $(ps -eo pcpu=,comm= --sort=-pcpu | head -3 | awk '{ printf "%s %s%% ", $2, $1 }'))"
    sleep 5; CPU_WAITED=$(( CPU_WAITED + 5 ))
  done
  BUSY_BEFORE=$busy
}

# ---------------------------------------------------------------- build and private copies
if [[ ! -f control/target/quarkus-app/quarkus-run.jar || ! -f scoring-function/target/quarkus-app/quarkus-run.jar ]]; then
  log "building (./mvnw -q package -DskipTests)"
  ./mvnw -q -B -pl control,scoring-function -am package -DskipTests || die "the build failed"
fi
log "copying the built apps to $OUT"
cp -r control/target/quarkus-app "$OUT/control-app"
mkdir -p "$OUT/scoring-function/target"
cp -r scoring-function/bin "$OUT/scoring-function/bin"
cp -r scoring-function/target/quarkus-app "$OUT/scoring-function/target/quarkus-app"
wait_quiet
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

knoe() {  # the CLI on the private copy, against our server only
  KNOE_APP_DIR=$OUT/control-app KNOE_URL=$URL KNOE_ADMIN_KEY=$ADMIN KNOE_CONFIG=$OUT/cli-config.json \
    "$ROOT/control/bin/knoe" "$@"
}
api() {  # api BODY_FILE METHOD PATH [JSON] -> the HTTP status; the response body in BODY_FILE
  curl -s -o "$1" -w '%{http_code}' --max-time 30 -X "$2" -H "Authorization: Bearer $ADMIN" \
    -H 'Content-Type: application/json' ${4:+--data-binary "$4"} "$URL$3" || echo 000
}
free_port() {
  local p
  for _ in $(seq 100); do
    p=$(( 20000 + RANDOM % 12000 ))
    if [[ -z $(ss -tanH "sport = :$p") ]]; then echo "$p"; return; fi
  done
  die "no free port found"
}

# ---------------------------------------------------------------- knoe serve and the deployments
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
DATA=$OUT/data
log "starting knoe serve on port $PORT, data in $DATA"
(cd "$OUT" && exec env KNOE_SCORING_HOME="$OUT/scoring-function" KNOE_CLI_CONFIG="$OUT/cli-config.json" \
  ${ZERO_WINDOW:+KNOE_AUTOSCALER_STABLE_WINDOW=$ZERO_WINDOW} ${ZERO_GRACE:+KNOE_AUTOSCALER_SCALE_TO_ZERO_GRACE_PERIOD=$ZERO_GRACE} \
  "$JAVA" -jar "$OUT/control-app/quarkus-run.jar" serve --port "$PORT" --data-dir "$DATA" >"$OUT/serve.log" 2>&1) &
SERVE_PID=$!
for i in $(seq 600); do
  [[ -s $DATA/admin-key ]] && [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 \
      -H "Authorization: Bearer $(cat "$DATA/admin-key")" "$URL/api/v1/endpoints" || true) == 200 ]] && break
  kill -0 "$SERVE_PID" 2>/dev/null || { tail -30 "$OUT/serve.log" >&2; die "knoe serve exited (log: $OUT/serve.log)"; }
  (( i < 600 )) || die "knoe serve did not answer within 60 s (log: $OUT/serve.log)"
  sleep 0.1
done
ADMIN=$(cat "$DATA/admin-key")
log "knoe serve is up (pid $SERVE_PID); deploying blue, green and $ZERO/sleepy"
cli() { local name=$1; shift; knoe "$@" >"$OUT/cli-$name.out" 2>"$OUT/cli-$name.err" || { cat "$OUT/cli-$name.err" >&2; die "knoe $* failed"; }; }
cli endpoint online-endpoint create -f samples/endpoint.yml
cli blue online-deployment create -f samples/blue-deployment.yml --all-traffic
cli green online-deployment create -f samples/green-deployment.yml
cli split online-endpoint update -n "$ENDPOINT" --traffic "blue=50 green=50"
cat >"$OUT/zero-endpoint.yml" <<EOF
name: $ZERO
auth_mode: key
EOF
# The stable window and grace period are knoe serve's (above).
cat >"$OUT/zero-deployment.yml" <<EOF
name: sleepy
endpoint_name: $ZERO
model:
  path: $ROOT/samples/models/model-1/model/
instance_type: cpu-small
instance_count: 1
scale_settings:
  type: target_utilization
  min_instances: 0
  max_instances: 1
# A woken request waits for the cold start within request_timeout_ms. Azure's 5000 ms default was
# too close: with wrk, knoe serve and two busy instances on both cores, cold starts took 3.2-5.1 s
# and 2 of 7 wakes of the first 30-minute run were answered 503 at 5.0 s (README: scale to zero).
request_settings:
  request_timeout_ms: 30000
readiness_probe:
  initial_delay: 0
  period: 1
EOF
cli zero-endpoint online-endpoint create -f "$OUT/zero-endpoint.yml"
cli zero online-deployment create -f "$OUT/zero-deployment.yml" --all-traffic
ZERO_KEY=$(knoe online-endpoint get-credentials -n "$ZERO" -o json | jq -r .primaryKey)
[[ $(api "$OUT/api.json" GET "/api/v1/endpoints/$ENDPOINT/keys") == 200 ]] || die "no keys: $(cat "$OUT/api.json")"
# The key wrk uses: "<type> <value>"; the background rotation renews the other type and moves to it.
echo "secondary $(jq -r .secondaryKey "$OUT/api.json")" >"$OUT/key.active"

instance_pid() {  # instance_pid ENDPOINT DEPLOYMENT -> pid listening on its first instance's port, or empty
  local url
  url=$(curl -sf --max-time 5 -H "Authorization: Bearer $ADMIN" "$URL/api/v1/endpoints/$1/deployments/$2" |
    jq -r '.instances[0].url // empty' 2>/dev/null || true)
  [[ -n $url ]] && ss -ltnpH "sport = :${url##*:}" | sed -n 's/.*pid=\([0-9]*\),.*/\1/p' | head -1
  return 0
}
rss() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || true; }

# ---------------------------------------------------------------- load
# wrk_run NAME SECONDS -> appends "NAME START_EPOCH KEY_TYPE RESULT..." to $OUT/runs.txt
wrk_run() {
  local type key start
  read -r type key <"$OUT/key.active"
  start=$(date +%s)
  BODY_FILE=$BODY AUTH=$key "$WRK" -t2 -c"$CONC" -d"$2s" --timeout 10s -s "$LUA" "$URL/endpoints/$ENDPOINT/score" \
    >"$OUT/wrk-$1.txt" 2>&1 || die "wrk failed: $(cat "$OUT/wrk-$1.txt")"
  echo "$1 $start $type $(grep '^RESULT' "$OUT/wrk-$1.txt" | cut -d' ' -f2-)" >>"$OUT/runs.txt"
}
field() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print $2 }'; }

log "warm-up: ${WARMUP} s of mixed traffic (not counted)"
: >"$OUT/runs.txt"
wrk_run warmup "$WARMUP"
declare -A PID0 RSS0
PID0[serve]=$SERVE_PID; PID0[blue]=$(instance_pid "$ENDPOINT" blue); PID0[green]=$(instance_pid "$ENDPOINT" green)
PID0[sleepy]=$(instance_pid "$ZERO" sleepy)
for p in serve blue green sleepy; do RSS0[$p]=$([[ -n ${PID0[$p]} ]] && rss "${PID0[$p]}" || echo -); done
log "RSS after warm-up (MiB): serve ${RSS0[serve]}, blue ${RSS0[blue]}, green ${RSS0[green]}, sleepy ${RSS0[sleepy]:--} (asleep when -)"

# Background: traffic moves.
(
  split=0 n=0
  while sleep "$MOVE_EVERY"; do
    if (( split )); then t='{"blue":80,"green":20}'; else t='{"blue":20,"green":80}'; fi
    split=$(( 1 - split )) n=$(( n + 1 ))
    code=$(api "$OUT/move.json" PUT "/api/v1/endpoints/$ENDPOINT" "{\"name\":\"$ENDPOINT\",\"traffic\":$t}")
    echo "$(date +%s) move $t $code" >>"$OUT/control.txt"
  done
) &
BG_PIDS+=($!)
# Background: key rotation. Renew the standby key, then make it the one the next wrk run uses.
(
  while sleep "$REGEN_EVERY"; do
    read -r type _ <"$OUT/key.active"
    other=primary; [[ $type == primary ]] && other=secondary
    code=$(api "$OUT/regen.json" POST "/api/v1/endpoints/$ENDPOINT/keys/regenerate" "{\"key_type\":\"$other\"}")
    if [[ $code == 200 ]]; then
      echo "$other $(jq -r ".${other}Key" "$OUT/regen.json")" >"$OUT/key.active.new" && mv "$OUT/key.active.new" "$OUT/key.active"
    fi
    echo "$(date +%s) regenerate $other $code" >>"$OUT/control.txt"
  done
) &
BG_PIDS+=($!)
# Background: wake the scale-to-zero deployment.
(
  while sleep "$WAKE_EVERY"; do
    before=$(curl -sf --max-time 5 -H "Authorization: Bearer $ADMIN" "$URL/api/v1/endpoints/$ZERO/deployments/sleepy" |
      jq -r '.ready_instances // 0' 2>/dev/null || echo '?')
    r=$(curl -s -o "$OUT/wake.json" -w '%{http_code} %{time_total}' --max-time 60 -H "Authorization: Bearer $ZERO_KEY" \
      -H 'Content-Type: application/json' --data-binary @"$BODY" "$URL/endpoints/$ZERO/score" || echo "000 0")
    pid=$(instance_pid "$ZERO" sleepy)
    echo "$(date +%s) wake ready_before=$before $r rss=$([[ -n $pid ]] && rss "$pid" || echo '?')" >>"$OUT/control.txt"
  done
) &
BG_PIDS+=($!)

RUNS=$(( (MINUTES * 60 + INTERVAL - 1) / INTERVAL ))
log "soak: $RUNS runs of ${INTERVAL} s, c=$CONC; moves every ${MOVE_EVERY} s, key rotation every ${REGEN_EVERY} s, wake every ${WAKE_EVERY} s"
: >"$OUT/control.txt"
for i in $(seq "$RUNS"); do
  wrk_run "run$i" "$INTERVAL"
  r=$(tail -1 "$OUT/runs.txt")
  log "run $i/$RUNS: $(field "$r" requests) requests, p99 $(field "$r" p99_ms) ms, errors $(( $(field "$r" other) + $(field "$r" sock) )), auth failures $(field "$r" auth)"
done
for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
BG_PIDS=()

declare -A PID1 RSS1
PID1[serve]=$SERVE_PID; PID1[blue]=$(instance_pid "$ENDPOINT" blue); PID1[green]=$(instance_pid "$ENDPOINT" green)
PID1[sleepy]=$(instance_pid "$ZERO" sleepy)
for p in serve blue green sleepy; do RSS1[$p]=$([[ -n ${PID1[$p]} ]] && rss "${PID1[$p]}" || echo -); done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- report
{
  echo "Command: \`bench/soak.sh$([[ $QUICK == 1 ]] && echo ' --quick')\` (MINUTES=$MINUTES in runs of INTERVAL=$INTERVAL s, c=$CONC, warm-up $WARMUP s; moves every $MOVE_EVERY s, key rotation every $REGEN_EVERY s, wake every $WAKE_EVERY s, stable window ${ZERO_WINDOW:-60s} and scale-to-zero grace ${ZERO_GRACE:-30s}), started $STARTED, commit $GIT_REV."
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM; load average $LOAD_START at start (the rest of the machine used $BUSY_BEFORE cores before knoe serve started; waited ${QUIET_WAITED} s for other benchmarks, ${CPU_WAITED} s for busy processes), $LOAD_END at the end. wrk, knoe serve and the instances share the cores."
  echo
  echo "| run | from (s) | key | requests | req/s | p50 ms | p99 ms | max ms | errors (non-auth) | auth failures | statuses |"
  echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|"
  awk -v t0="$(awk 'NR == 2 { print $2 }' "$OUT/runs.txt")" -v iv="$INTERVAL" -v w="$WARMUP" '{
    delete f; codes = ""
    for (i = 4; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2]; if (kv[1] ~ /^s[0-9]+$/) codes = codes " " substr(kv[1], 2) ":" kv[2] }
    d = ($1 == "warmup") ? w : iv
    printf "| %s | %s | %s | %d | %.0f | %s | %s | %s | %d | %d |%s |\n", $1, ($1 == "warmup") ? "-" : $2 - t0, $3,
      f["requests"], f["requests"] / d, f["p50_ms"], f["p99_ms"], f["max_ms"], f["other"] + f["sock"], f["auth"], codes
  }' "$OUT/runs.txt"
  awk 'NR > 1 { for (i = 4; i <= NF; i++) { split($i, kv, "="); f[kv[1]] += kv[2] } for (i = 4; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "p99_ms" && kv[2] > m) m = kv[2] } }
    END { printf "\nTotal after warm-up: %d requests, **%d errors** (non-2xx other than 401/403, and socket errors; target 0), %d auth failures; worst p99 of a run %s ms.\n", f["requests"], f["other"] + f["sock"], f["auth"], m }' "$OUT/runs.txt"
  echo
  moves=$(grep -c ' move ' "$OUT/control.txt" || true); moves_bad=$(grep ' move ' "$OUT/control.txt" | awk '$NF != 200' | wc -l)
  regens=$(grep -c ' regenerate ' "$OUT/control.txt" || true); regens_bad=$(grep ' regenerate ' "$OUT/control.txt" | awk '$NF != 200' | wc -l)
  echo "Control plane meanwhile: $moves traffic moves ($moves_bad failed), $regens key regenerations ($regens_bad failed; each followed by the next wrk run switching to the new key)."
  wakes=$(grep -c ' wake ' "$OUT/control.txt" || true); wakes_bad=$(grep ' wake ' "$OUT/control.txt" | awk '$4 != 200' | wc -l)
  echo -n "Scale-to-zero wakes of $ZERO/sleepy: $wakes, **$wakes_bad not answered 200** (target 0); each: instances ready before -> status, seconds to the answer, RSS MiB of the woken instance just after:"
  grep ' wake ' "$OUT/control.txt" | awk '{ sub("ready_before=", "", $3); sub("rss=", "", $6); printf " %s->%s %.2f s %s MiB;", $3, $4, $5, $6 }' || true
  echo
  echo
  echo "**RSS** (VmRSS, MiB) after warm-up and at the end (growth target < 10 %):"
  echo
  echo "| process | pid start/end | RSS start | RSS end | growth |"
  echo "|---|---|---:|---:|---:|"
  for p in serve blue green sleepy; do
    name=$p; [[ $p == serve ]] && name="knoe serve"; [[ $p == sleepy ]] && name="sleepy (scale to zero; - = asleep)"
    g=$(awk -v a="${RSS0[$p]}" -v b="${RSS1[$p]}" -v same="$([[ ${PID0[$p]} == "${PID1[$p]}" ]] && echo 1 || echo 0)" \
      'BEGIN { if (a == "-" || b == "-" || a == "" || b == "" || !same) print "n/a"; else printf "%+.1f %%", 100 * (b - a) / a }')
    echo "| $name | ${PID0[$p]:--}/${PID1[$p]:--} | ${RSS0[$p]:--} | ${RSS1[$p]:--} | $g |"
  done
  echo
  echo "Instance JVM memory bound (from the instance type): $(tr '\0' ' ' <"/proc/${PID1[blue]}/cmdline" 2>/dev/null | grep -o -- '-XX:MaxRAM[^ ]*' | xargs || echo '?')."
  echo "knoe serve logged $(grep -c 'ERROR' "$OUT/serve.log" || true) ERROR lines ($OUT/serve.log)."
} >"$OUT/summary.md"

echo
cat "$OUT/summary.md"
echo
echo "Raw outputs (wrk runs, control-plane calls, logs): $OUT"
log "done"
