#!/usr/bin/env bash
# Router benchmark (issues 3, 13): what the `knoe serve` router adds on top of calling an instance
# directly, next to what nginx adds as the same kind of proxy, how soon a traffic change takes
# effect, and the memory it takes. One run, ~6 min:
#
#   bench/router.sh [--build] [--quick] [--out DIR]
#
#   --build   ./mvnw -q install -DskipTests first (otherwise only when a build is missing)
#   --quick   3 s runs, c=1 and 16 only, 1 round, 6 flips: checks the harness, the figures mean little
#   --out     where raw outputs go (default: a new /tmp/knoe-router.XXXXXX, kept and printed)
#
# 1. Overhead: endpoint my-endpoint with deployment blue (model-1, 1 instance, all traffic).
#    wrk (2 threads; 1 at c=1) POSTs samples/requests/model-1.json for DURATION s at each of
#    CONCS against (a) the instance directly (<instance url>/score, no auth), (b) nginx
#    (/endpoints/my-endpoint/score with the key) and (c) the router (the same with the key),
#    a b c a b c; the better run (req/s) of each is kept. A WARMUP s run of each at c=16 comes
#    first. CPU of the proxy (knoe serve, or nginx's workers), the instance, wrk and the rest of the
#    machine is taken from /proc for every run.
#    nginx (Debian nginx-light: apt-get install nginx-light) is started by the script with its own
#    config in the out dir: the same blue instance as an upstream with a keepalive pool, HTTP/1.1
#    to it, no access log, worker_processes auto (one per core: the router's event loops may use
#    every core too, so neither side is held to one). Like the router it drops the Authorization
#    header, sends an x-request-id and names the deployment in azureml-model-deployment; it checks
#    no key (that is the router's 401 work, a few microseconds).
# 2. Switch: deploys green (0 %), then bench/router/Switch.java flips traffic blue=100 <-> green=100
#    FLIPS times with PUT /api/v1/endpoints/my-endpoint and measures, from the PUT's response,
#    the time until the first response whose azureml-model-deployment header names the new one.
# 3. RSS (VmRSS, VmHWM) of knoe serve and the instances; cores, CPU model, load average.
#
# Before every measurement it waits (polling every 10 s, at most QUIET_MAX=1200 s in all) until
# no other benchmark runs (pgrep -f 'bench/run.sh|benchmarks.jar|diag'), then (at most
# CPU_WAIT_MAX=300 s in all) until the rest of the machine uses less than QUIET_CORES=0.3 cores;
# a run disturbed by more than QUIET_CORES anyway is repeated (ATTEMPTS=3 in all). It runs private copies
# of the built apps (a concurrent mvn install cannot swap jars mid-run), a temporary data dir
# and CLI config (~/.knoe is not touched), free ports, and stops everything it started on exit.
# Environment: DURATION (15), WARMUP (5), CONCS ("1 16 64"), ROUNDS (2; 1 with --quick), FLIPS (20), JAVA (java),
#   SERVE_JAVA_OPTS (extra JVM flags for knoe serve only, e.g. a JFR recording to profile the router).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=0 QUICK=0 OUT=
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) BUILD=1 ;;
    --quick) QUICK=1 ;;
    --out) OUT=$2; shift ;;
    -h|--help) sed -n '2,37p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [[ $QUICK == 1 ]]; then
  DURATION=${DURATION:-3} WARMUP=${WARMUP:-2} CONCS=${CONCS:-"1 16"} FLIPS=${FLIPS:-6} ROUNDS=${ROUNDS:-1}
else
  DURATION=${DURATION:-15} WARMUP=${WARMUP:-5} CONCS=${CONCS:-"1 16 64"} FLIPS=${FLIPS:-20}
fi
ROUNDS=${ROUNDS:-2} QUIET_MAX=${QUIET_MAX:-1200} JAVA=${JAVA:-java}
QUIET_CORES=${QUIET_CORES:-0.3} ATTEMPTS=${ATTEMPTS:-3}
BODY=$ROOT/samples/requests/model-1.json
LUA=$ROOT/bench/router/post.lua
ENDPOINT=my-endpoint

T0=$(date +%s)
log() { printf '[%s +%3ss] %s\n' "$(date +%H:%M:%S)" "$(( $(date +%s) - T0 ))" "$*" >&2; }
die() { echo "router.sh: ERROR: $*" >&2; exit 1; }

# ---------------------------------------------------------------- preflight
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $NGINX ]] || die "nginx is not installed (apt-get install nginx-light)"
for tool in curl jq awk ss pgrep "$JAVA"; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
[[ -f $BODY ]] || die "missing $BODY"
[[ -z $OUT ]] && OUT=$(mktemp -d /tmp/knoe-router.XXXXXX)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
TCK=$(getconf CLK_TCK)
cd "$ROOT"

# ---------------------------------------------------------------- cleanup of what we start
SERVE_PID= BG_PID= NGINX_PID=
cleanup() {
  local rc=$?
  [[ -n $BG_PID ]] && kill "$BG_PID" 2>/dev/null
  if [[ -n $NGINX_PID ]] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill "$NGINX_PID" 2>/dev/null  # the master stops its workers
    for _ in $(seq 50); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  if [[ -n $SERVE_PID ]] && kill -0 "$SERVE_PID" 2>/dev/null; then
    local kids
    kids=$(pgrep -P "$SERVE_PID" || true)
    kill "$SERVE_PID" 2>/dev/null  # its shutdown hook stops the instances
    for _ in $(seq 150); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVE_PID" 2>/dev/null || true
    for k in $kids; do kill -9 "$k" 2>/dev/null || true; done
  fi
  # The app copies (~650 MiB, mostly ONNX Runtime) and the uploaded models are of no use afterwards.
  rm -rf "$OUT/data/models" "$OUT/data/code" "$OUT/control-app" "$OUT/scoring-function" 2>/dev/null || true
  (( rc == 0 )) || echo "router.sh: failed (exit $rc); raw outputs and logs in $OUT" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Run a command in the background and wait for it, so that a signal interrupts the wait at once.
run_bg() { "$@" & BG_PID=$!; local rc=0; wait "$BG_PID" || rc=$?; BG_PID=; return $rc; }

# ---------------------------------------------------------------- quiet machine
QUIET_WAITED=0 NOT_QUIET=0
wait_quiet() {
  local others
  while others=$(pgrep -f 'bench/run.sh|benchmarks.jar|diag' | grep -vx "$$" || true); [[ -n $others ]]; do
    if (( QUIET_WAITED >= QUIET_MAX )); then
      log "WARNING: another benchmark is still running after ${QUIET_MAX} s of waiting; measuring anyway"
      NOT_QUIET=1
      return
    fi
    (( QUIET_WAITED % 60 == 0 )) && log "waiting for another benchmark to finish (pids $(echo $others)); load $(cut -d' ' -f1-3 /proc/loadavg)"
    sleep 10
    QUIET_WAITED=$(( QUIET_WAITED + 10 ))
  done
  # Anything else busy (a build, tests)? Our own processes are idle between runs, so the machine's
  # busy time is someone else's: wait (5 s steps, at most CPU_WAIT_MAX s in all) until it is low.
  local busy
  while busy=$(busy_cores); ! awk -v b="$busy" -v q="${QUIET_CORES:-0.3}" 'BEGIN { exit !(b < q) }'; do
    if (( CPU_WAITED >= CPU_WAIT_MAX )); then
      (( CPU_WAITED <= CPU_WAIT_MAX + 4 )) && log "WARNING: other processes still use $busy cores; no more waiting for them"
      CPU_WAITED=$(( CPU_WAIT_MAX + 5 ))
      return
    fi
    (( CPU_WAITED % 60 == 0 )) && log "other processes use $busy cores; waiting (top: $(ps -eo pcpu=,comm= --sort=-pcpu | head -3 | awk '{ printf "%s %s%% ", $2, $1 }'))"
    sleep 5
    CPU_WAITED=$(( CPU_WAITED + 5 ))
  done
}
CPU_WAITED=0 CPU_WAIT_MAX=${CPU_WAIT_MAX:-300}
nginx_pids() { [[ -n ${NGINX_PID:-} ]] && echo "$NGINX_PID" $(pgrep -P "$NGINX_PID") || true; }  # master + workers
busy_cores() {  # cores busy over the next second, but for knoe serve, its instances and nginx
  local a b p
  a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)
  for p in ${SERVE_PID:-} ${BLUE_PID:-} ${GREEN_PID:-} $(nginx_pids); do a=$(( a + $(own_jiffies "$p") )); done
  sleep 1
  b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)
  for p in ${SERVE_PID:-} ${BLUE_PID:-} ${GREEN_PID:-} $(nginx_pids); do b=$(( b + $(own_jiffies "$p") )); done
  awk -v d=$(( b - a )) -v t="$(getconf CLK_TCK)" 'BEGIN { d = d < 0 ? 0 : d; printf "%.2f", d / t }'
}
own_jiffies() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print -($12 + $13) } END { if (NR == 0) print 0 }'; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# ---------------------------------------------------------------- build and private copies
wait_quiet
LOAD_START=$(loadavg)
if [[ $BUILD == 1 || ! -f control/target/quarkus-app/quarkus-run.jar || ! -f scoring-function/target/quarkus-app/quarkus-run.jar ]]; then
  log "building (./mvnw -q install -DskipTests)"
  ./mvnw -q -B install -DskipTests || die "the build failed"
fi
log "copying the built apps to $OUT (a concurrent build cannot change them mid-run)"
rm -rf "$OUT/control-app" "$OUT/scoring-function"
cp -r control/target/quarkus-app "$OUT/control-app"
mkdir -p "$OUT/scoring-function/target"
cp -r scoring-function/bin "$OUT/scoring-function/bin"
cp -r scoring-function/target/quarkus-app "$OUT/scoring-function/target/quarkus-app"

knoe() {  # the CLI on the private copy, against our server only
  KNOE_APP_DIR=$OUT/control-app KNOE_URL=$URL KNOE_ADMIN_KEY=$ADMIN KNOE_CONFIG=$OUT/cli-config.json \
    "$ROOT/control/bin/knoe" "$@"
}

free_port() {
  local p
  for _ in $(seq 100); do
    p=$(( 20000 + RANDOM % 12000 ))  # below the ephemeral range, where wrk's own sockets live
    if [[ -z $(ss -tanH "sport = :$p") ]]; then echo "$p"; return; fi
  done
  die "no free port found"
}

# ---------------------------------------------------------------- knoe serve
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
DATA=$OUT/data
log "starting knoe serve on port $PORT, data in $DATA"
(cd "$OUT" && exec env KNOE_SCORING_HOME="$OUT/scoring-function" KNOE_CLI_CONFIG="$OUT/cli-config.json" \
  "$JAVA" ${SERVE_JAVA_OPTS:-} -jar "$OUT/control-app/quarkus-run.jar" serve --port "$PORT" --data-dir "$DATA" >"$OUT/serve.log" 2>&1) &
SERVE_PID=$!
for i in $(seq 600); do
  [[ -s $DATA/admin-key ]] && [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 \
      -H "Authorization: Bearer $(cat "$DATA/admin-key")" "$URL/api/v1/endpoints" || true) == 200 ]] && break
  kill -0 "$SERVE_PID" 2>/dev/null || { tail -30 "$OUT/serve.log" >&2; die "knoe serve exited (log: $OUT/serve.log)"; }
  (( i < 600 )) || die "knoe serve did not answer within 60 s (log: $OUT/serve.log)"
  sleep 0.1
done
ADMIN=$(cat "$DATA/admin-key")
log "knoe serve is up (pid $SERVE_PID)"

log "creating $ENDPOINT and deploying blue (model-1) with all traffic"
knoe online-endpoint create -f samples/endpoint.yml >"$OUT/cli-endpoint.json" 2>"$OUT/cli-endpoint.err" \
  || { cat "$OUT/cli-endpoint.err" >&2; die "online-endpoint create failed"; }
knoe online-deployment create -f samples/blue-deployment.yml --all-traffic >"$OUT/cli-blue.json" 2>"$OUT/cli-blue.err" \
  || { cat "$OUT/cli-blue.err" >&2; die "online-deployment create (blue) failed"; }
KEY=$(knoe online-endpoint get-credentials -n "$ENDPOINT" -o json | jq -r .primaryKey)
[[ -n $KEY && $KEY != null ]] || die "no primaryKey from get-credentials"

instance_url() {  # instance_url DEPLOYMENT -> http://127.0.0.1:<port> of its (first) ready instance
  curl -sf -H "Authorization: Bearer $ADMIN" "$URL/api/v1/endpoints/$ENDPOINT/deployments/$1" |
    jq -r '.instances[0].url // empty'
}
port_pid() {  # the pid listening on a loopback port
  ss -ltnpH "sport = :$1" | sed -n 's/.*pid=\([0-9]*\),.*/\1/p' | head -1
}
BLUE_URL=$(instance_url blue)
[[ -n $BLUE_URL ]] || die "the deployment view has no instances[].url: rebuild (bench/router.sh --build)"
BLUE_PID=$(port_pid "${BLUE_URL##*:}")
[[ -n $BLUE_PID ]] || die "no process listens on $BLUE_URL"
DIRECT=$BLUE_URL/score
ROUTED=$URL/endpoints/$ENDPOINT/score
log "blue instance: $BLUE_URL (pid $BLUE_PID)"

# Sanity: both paths answer 200, the router names blue.
code=$(curl -s -o "$OUT/direct.json" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$BODY" "$DIRECT")
[[ $code == 200 ]] || die "the instance answered $code: $(cat "$OUT/direct.json")"
hdr=$(curl -s -D - -o "$OUT/routed.json" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  --data-binary @"$BODY" "$ROUTED" | tr -d '\r' | awk -F': ' 'tolower($1) == "azureml-model-deployment" { print $2 }')
[[ $hdr == blue ]] || die "the router did not answer from blue (header '$hdr'): $(cat "$OUT/routed.json")"
cmp -s "$OUT/direct.json" "$OUT/routed.json" || log "note: direct and routed bodies differ"

# ---------------------------------------------------------------- nginx, the yardstick
NGINX_PORT=$(free_port)
NGX=$OUT/nginx
mkdir -p "$NGX/logs" "$NGX/tmp"
# worker_processes auto: one worker per core, as nginx is deployed; the router's event loops may
# use every core as well. keepalive 64: idle connections kept per worker, enough for c=64 without
# a connect per request. Temp paths in the out dir, so nothing of the system's nginx is touched.
cat >"$NGX/nginx.conf" <<NGINX_CONF
worker_processes auto;
$( (( EUID == 0 )) && echo 'user root;' )
pid $NGX/nginx.pid;
error_log $NGX/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $NGX/tmp/body;
  proxy_temp_path $NGX/tmp/proxy;
  fastcgi_temp_path $NGX/tmp/fastcgi;
  uwsgi_temp_path $NGX/tmp/uwsgi;
  scgi_temp_path $NGX/tmp/scgi;
  upstream blue {
    server ${BLUE_URL#http://};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location /endpoints/$ENDPOINT/ {
      proxy_pass http://blue/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Authorization "";
      proxy_set_header X-Request-Id \$request_id;
      add_header azureml-model-deployment blue;
    }
  }
}
NGINX_CONF
"$NGINX" -t -p "$NGX" -c "$NGX/nginx.conf" 2>"$NGX/logs/test.log" || die "nginx -t failed: $(cat "$NGX/logs/test.log")"
"$NGINX" -p "$NGX" -c "$NGX/nginx.conf" -g 'daemon off;' >"$NGX/logs/stdout.log" 2>&1 &
NGINX_PID=$!
NGINXED=http://127.0.0.1:$NGINX_PORT/endpoints/$ENDPOINT/score
for i in $(seq 100); do
  code=$(curl -s -o "$OUT/nginx.json" -w '%{http_code}' -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    --data-binary @"$BODY" "$NGINXED" || true)
  [[ $code == 200 ]] && break
  kill -0 "$NGINX_PID" 2>/dev/null || die "nginx exited: $(cat "$NGX/logs/stdout.log" "$NGX/logs/error.log")"
  (( i < 100 )) || die "nginx answered $code: $(cat "$OUT/nginx.json")"
  sleep 0.1
done
NGINX_VERSION=$("$NGINX" -v 2>&1 | sed "s/.*\///")
log "nginx $NGINX_VERSION on port $NGINX_PORT (pid $NGINX_PID, workers $(pgrep -P "$NGINX_PID" | xargs))"

# ---------------------------------------------------------------- wrk runs
# Each of these takes one or more pids and sums over them (nginx is a master and its workers).
jiffies() { local p; for p; do sed 's/.*) //' "/proc/$p/stat" 2>/dev/null; done | awk '{ n += $12 + $13 } END { print n + 0 }'; }  # utime + stime
sys_jiffies() { local p; for p; do sed 's/.*) //' "/proc/$p/stat" 2>/dev/null; done | awk '{ n += $13 } END { print n + 0 }'; }
ctx_switches() {  # voluntary + involuntary context switches of all threads of the pids
  local p; for p; do cat /proc/"$p"/task/*/status 2>/dev/null; done | awk '/ctxt_switches:/ { n += $2 } END { print n + 0 }'
}
syscalls() { local p; for p; do cat "/proc/$p/io" 2>/dev/null; done | awk '/^sysc[rw]:/ { n += $2 } END { print n + 0 }'; }  # read + write calls
metrics() { curl -s --max-time 5 "$1/metrics" >"$2" || true; }
metric() { awk -v n="$2" '$1 == n { print $2; found = 1 } END { if (!found) print 0 }' "$1"; }
busy_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
children_cpu() {  # FILE: user + sys seconds of this shell's waited-for children, from `times` output
  awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); s += p[1] * 60 + p[2] } printf "%.3f", s }' "$1"
}
thread_snap() {  # name<TAB>jiffies for every thread of the pids
  local t
  for t in $(for p; do echo /proc/"$p"/task/*; done); do
    printf '%s\t%s\t%s\n' "${t##*/}" "$(cat "$t/comm" 2>/dev/null)" "$(sed 's/.*) //' "$t/stat" 2>/dev/null | awk '{ print $12 + $13 }')"
  done
}
thread_top() {  # BEFORE AFTER SECONDS -> the 5 busiest threads, in cores
  awk -F'\t' -v w="$(( $3 * TCK ))" 'NR == FNR { b[$1] = $3; next } { d = $3 - b[$1]; if (d > 0) printf "%s\t%.2f\n", $2, d / w }' "$1" "$2" |
    sort -t$'\t' -k2 -rn | head -5 | awk -F'\t' '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }'
}
to_ms() {  # wrk latency like 812.00us, 7.24ms, 1.02s
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000; printf "%.3f", n }'
}
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }

# wrk_run NAME URL AUTH CONC SECONDS PROXY_PIDS -> sets RPS P50 P99 ERR CPU_SERVE CPU_INST CPU_WRK
#   CPU_OTHER LOAD THREADS US_SERVE US_INST (CPU microseconds per request), SYS_SERVE (kernel share
#   of the proxy's CPU), CS_SERVE (the proxy's context switches per request), SC_SERVE SC_INST
#   (read/write-family syscalls per request), REQ_RUN (requests per model run in the instance).
#   "serve" is the proxy of the run: knoe serve for the router and direct runs, nginx for nginx's.
wrk_run() {
  local name=$1 url=$2 auth=$3 conc=$4 dur=$5 proxy=$6 threads=2
  (( conc < threads )) && threads=$conc
  local f=$OUT/wrk-$name
  wait_quiet
  LOAD=$(loadavg)
  local b0 s0 i0 w0 b1 s1 i1 w1 wall
  times >"$f.times0"  # in this shell, not a subshell: a fork starts with zero children's time
  metrics "$BLUE_URL" "$f.before.prom"
  local y0 y1 x0 x1 q0 q1 r0 r1
  b0=$(busy_jiffies); s0=$(jiffies $proxy); i0=$(jiffies "$BLUE_PID"); y0=$(sys_jiffies $proxy); x0=$(ctx_switches $proxy)
  q0=$(syscalls $proxy); r0=$(syscalls "$BLUE_PID")
  thread_snap $proxy >"$f.threads0"
  BODY_FILE=$BODY AUTH=$auth run_bg wrk -t"$threads" -c"$conc" -d"${dur}s" --latency -s "$LUA" "$url" >"$f.txt" \
    || die "wrk failed: $(cat "$f.txt")"
  times >"$f.times1"
  b1=$(busy_jiffies); s1=$(jiffies $proxy); i1=$(jiffies "$BLUE_PID"); y1=$(sys_jiffies $proxy); x1=$(ctx_switches $proxy)
  q1=$(syscalls $proxy); r1=$(syscalls "$BLUE_PID")
  metrics "$BLUE_URL" "$f.after.prom"
  w0=$(children_cpu "$f.times0"); w1=$(children_cpu "$f.times1")
  thread_snap $proxy >"$f.threads1"
  THREADS=$(thread_top "$f.threads0" "$f.threads1" "$dur")
  wall=$(( dur * TCK ))
  RPS=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$f.txt")
  P50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$f.txt")")
  P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$f.txt")")
  ERR=$(awk '/Non-2xx/ { n += $NF } /Socket errors/ { gsub(/[^0-9 ]/, " "); for (i = 1; i <= NF; i++) n += $i } END { print n + 0 }' "$f.txt")
  CPU_SERVE=$(calc "($s1 - $s0) / $wall")
  CPU_INST=$(calc "($i1 - $i0) / $wall")
  CPU_WRK=$(calc "($w1 - $w0) / $dur")
  CPU_OTHER=$(calc "(($b1 - $b0) / $wall) - $CPU_SERVE - $CPU_INST - $CPU_WRK")
  awk -v o="$CPU_OTHER" 'BEGIN { exit !(o <= 0) }' && CPU_OTHER=0.00
  local n reqs runs
  n=$(awk '/requests in/ { print $1 }' "$f.txt")
  US_SERVE=$(calc "($s1 - $s0) * 1000000 / $TCK / $n" 0)
  US_INST=$(calc "($i1 - $i0) * 1000000 / $TCK / $n" 0)
  SYS_SERVE=$(awk -v y=$(( y1 - y0 )) -v s=$(( s1 - s0 )) 'BEGIN { if (s == 0) print "n/a"; else printf "%.0f%%", 100 * y / s }')
  CS_SERVE=$(calc "($x1 - $x0) / $n" 1)
  SC_SERVE=$(calc "($q1 - $q0) / $n" 1)
  SC_INST=$(calc "($r1 - $r0) / $n" 1)
  reqs=$(calc "$(metric "$f.after.prom" knoe_batch_size_sum) - $(metric "$f.before.prom" knoe_batch_size_sum)" 0)
  runs=$(calc "$(metric "$f.after.prom" knoe_batch_rows_count) - $(metric "$f.before.prom" knoe_batch_rows_count)" 0)
  REQ_RUN=$(awk -v a="$reqs" -v b="$runs" 'BEGIN { if (b == 0) print "n/a"; else printf "%.1f", a / b }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$conc" "$RPS" "$P50" "$P99" "$ERR" \
    "$CPU_SERVE" "$CPU_INST" "$CPU_WRK" "$CPU_OTHER" "$US_SERVE" "$US_INST" "$SYS_SERVE" "$CS_SERVE" "$SC_SERVE" "$SC_INST" "$REQ_RUN" "$LOAD" "$THREADS" >>"$OUT/runs.tsv"
  log "$name: $RPS req/s, p50 $P50 ms, p99 $P99 ms, errors $ERR; CPU proxy $CPU_SERVE ($US_SERVE us/req, $SYS_SERVE kernel, $CS_SERVE ctx switches, $SC_SERVE read/write syscalls per req), instance $CPU_INST ($US_INST us/req, $SC_INST syscalls/req, $REQ_RUN req/model run), wrk $CPU_WRK, other $CPU_OTHER cores; load before $LOAD"
}

printf 'run\tconc\treq_s\tp50_ms\tp99_ms\terrors\tcpu_serve\tcpu_instance\tcpu_wrk\tcpu_other\tus_serve_req\tus_inst_req\tserve_kernel\tserve_cs_req\tserve_syscalls_req\tinst_syscalls_req\tinst_req_per_run\tload_before\tserve_top_threads\n' >"$OUT/runs.tsv"
log "warm-up: ${WARMUP} s each of direct, nginx and router at c=16"
wrk_run warmup-direct "$DIRECT" "" 16 "$WARMUP" "$SERVE_PID"
wrk_run warmup-nginx "$NGINXED" "$KEY" 16 "$WARMUP" "$(nginx_pids)"
wrk_run warmup-router "$ROUTED" "$KEY" 16 "$WARMUP" "$SERVE_PID"

# A run during which the rest of the machine used more than QUIET_CORES is repeated (ATTEMPTS in
# all); a disturbed run is kept only when every run of that side and concurrency was disturbed.
declare -A BEST BEST_OTHER
DISTURBED=0
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
for c in $CONCS; do
  for r in $(seq "$ROUNDS"); do
    for side in direct nginx router; do
      bk=$side-$c
      for a in $(seq "$ATTEMPTS"); do
        case $side in
          direct) wrk_run "$side-c$c-r$r-a$a" "$DIRECT" "" "$c" "$DURATION" "$SERVE_PID" ;;
          nginx) wrk_run "$side-c$c-r$r-a$a" "$NGINXED" "$KEY" "$c" "$DURATION" "$(nginx_pids)" ;;
          router) wrk_run "$side-c$c-r$r-a$a" "$ROUTED" "$KEY" "$c" "$DURATION" "$SERVE_PID" ;;
        esac
        quiet=0; lt "$CPU_OTHER" "$QUIET_CORES" && quiet=1
        # Keep: a quiet run over a disturbed one, then the higher req/s.
        if [[ -z ${BEST[$bk]:-} ]] || (( quiet > ${BEST_OTHER[$bk]} )) ||
           { (( quiet == ${BEST_OTHER[$bk]} )) && awk -v a="$RPS" -v b="${BEST[$bk]%% *}" 'BEGIN { exit !(a > b) }'; }; then
          BEST_OTHER[$bk]=$quiet
          BEST[$bk]="$RPS $P50 $P99 $ERR $CPU_SERVE $CPU_INST $CPU_WRK $CPU_OTHER $US_SERVE $US_INST $SYS_SERVE $CS_SERVE $REQ_RUN $SC_SERVE $SC_INST"
        fi
        (( quiet )) && break
        log "other processes used $CPU_OTHER cores during that run"
      done
    done
  done
done
for bk in "${!BEST_OTHER[@]}"; do (( BEST_OTHER[$bk] )) || DISTURBED=1; done

rss() {  # VmRSS VmHWM in MiB of a pid
  awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } END { printf "%.0f %.0f\n", r / 1024, h / 1024 }' "/proc/$1/status"
}
read -r RSS_SERVE HWM_SERVE < <(rss "$SERVE_PID")
read -r RSS_BLUE HWM_BLUE < <(rss "$BLUE_PID")

# ---------------------------------------------------------------- traffic switch
log "deploying green (model-2) with 0 % traffic"
knoe online-deployment create -f samples/green-deployment.yml >"$OUT/cli-green.json" 2>"$OUT/cli-green.err" \
  || { cat "$OUT/cli-green.err" >&2; die "online-deployment create (green) failed"; }
GREEN_URL=$(instance_url green)
GREEN_PID=$(port_pid "${GREEN_URL##*:}")
wait_quiet
LOAD_SWITCH=$(loadavg)
log "switch: $FLIPS flips blue <-> green (load before $LOAD_SWITCH)"
run_bg "$JAVA" "$ROOT/bench/router/Switch.java" "$URL" "$ADMIN" "$KEY" "$ENDPOINT" "$BODY" "$FLIPS" blue green \
  >"$OUT/switch.txt" 2>"$OUT/switch.err" || { cat "$OUT/switch.err" >&2; die "Switch.java failed"; }
cat "$OUT/switch.txt" >&2
SUMMARY=$(grep '^SUMMARY' "$OUT/switch.txt") || die "no SUMMARY line from Switch.java"
sw() { tr ' ' '\n' <<<"$SUMMARY" | awk -F= -v k="$1" '$1 == k { print $2 }'; }

read -r RSS_SERVE2 HWM_SERVE2 < <(rss "$SERVE_PID")
read -r RSS_GREEN HWM_GREEN < <([[ -n $GREEN_PID ]] && rss "$GREEN_PID" || echo "? ?")
LOAD_END=$(loadavg)
UNCAUGHT=$(grep -c 'Uncaught exception' "$OUT/serve.log" || true)

# ---------------------------------------------------------------- report
met() { awk -v a="$1" -v b="$2" -v op="$3" 'BEGIN { ok = (op == "ge") ? (a >= b) : (a <= b); print ok ? "met" : "**missed**" }'; }
{
  echo "Command: \`bench/router.sh$([[ $QUICK == 1 ]] && echo ' --quick')\` (DURATION=$DURATION s per run after a ${WARMUP} s warm-up of each path, ROUNDS=$ROUNDS alternating direct/nginx/router, better req/s kept; nginx $NGINX_VERSION, worker_processes auto; FLIPS=$FLIPS), $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD)."
  echo
  echo "Machine: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM; knoe serve on $("$JAVA" -version 2>&1 | head -1), instances on $(tr '\0' ' ' </proc/"$BLUE_PID"/cmdline | awk '{ print $1 }'). wrk, knoe serve and the instance share the cores."
  echo "Load average (1/5/15 min): $LOAD_START at start, $LOAD_SWITCH before the switch test, $LOAD_END at the end (our own runs raise it: wrk + serve + instance keep ~2 cores busy)."
  if [[ $NOT_QUIET == 1 ]]; then echo "**Another benchmark was still running during some runs (waited the maximum ${QUIET_MAX} s).**"
  else echo "No other benchmark ran during the measurements (waited ${QUIET_WAITED} s for one to finish, then ${CPU_WAITED} s for other busy processes)."; fi
  if [[ $DISTURBED == 1 ]]; then echo "**Some kept runs had other processes using >= $QUIET_CORES cores (see cpu_other in $OUT/runs.tsv).**"
  else echo "Every kept run had other processes below $QUIET_CORES cores (disturbed runs were repeated)."; fi
  echo
  echo "**Router overhead, next to nginx** (model-1, 1 instance, \`samples/requests/model-1.json\`; errors = non-2xx + socket errors; in the kept runs; p50 added = the proxy's p50 - direct p50)"
  echo
  echo "| conc | direct req/s | nginx req/s | router req/s | nginx/direct | router/direct | **router/nginx** | direct p50 ms | nginx p50 ms | router p50 ms | p50 added nginx ms | p50 added router ms | p99 ms d/n/r | errors d/n/r |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"
  for c in $CONCS; do
    read -r dr dp50 dp99 de _ <<<"${BEST[direct-$c]}"
    read -r nr np50 np99 ne _ <<<"${BEST[nginx-$c]}"
    read -r rr rp50 rp99 re _ <<<"${BEST[router-$c]}"
    printf '| %s | %s | %s | %s | %s | %s | **%s** | %s | %s | %s | %s | %s | %s/%s/%s | %s/%s/%s |\n' "$c" "$dr" "$nr" "$rr" \
      "$(calc "$nr / $dr")" "$(calc "$rr / $dr")" "$(calc "$rr / $nr")" "$dp50" "$np50" "$rp50" \
      "$(calc "$np50 - $dp50" 3)" "$(calc "$rp50 - $dp50" 3)" "$dp99" "$np99" "$rp99" "$de" "$ne" "$re"
  done
  echo
  echo "Where the CPU goes in the same runs (cores of 2: the proxy (knoe serve, or nginx's master and workers) / instance / wrk / rest of the machine; CPU microseconds per request; requests per model run in the instance's batcher; the proxy's kernel share and context switches per request; in direct runs the proxy column is knoe serve, idle):"
  echo
  echo "| conc | path | CPU proxy/inst/wrk/other | proxy us/req | instance us/req | req per model run | proxy kernel share | proxy ctx switches/req | read+write syscalls/req proxy/instance |"
  echo "|---:|---|---|---:|---:|---:|---:|---:|---:|"
  for c in $CONCS; do
    for side in direct nginx router; do
      read -r _ _ _ _ cs ci cw co us ui sy cx rq ss si <<<"${BEST[$side-$c]}"
      if [[ $side == direct ]]; then us=-; sy=-; cx=-; ss=-; fi
      printf '| %s | %s | %s/%s/%s/%s | %s | %s | %s | %s | %s | %s/%s |\n' "$c" "$side" "$cs" "$ci" "$cw" "$co" "$us" "$ui" "$rq" "$sy" "$cx" "$ss" "$si"
    done
  done
  echo
  echo -n "Targets (issue 13): router/nginx >= 1.0:"
  for c in $CONCS; do read -r nr _ <<<"${BEST[nginx-$c]}"; read -r rr _ <<<"${BEST[router-$c]}"; echo -n " c=$c $(met "$(calc "$rr / $nr")" 1.0 ge);"; done
  echo; echo -n "router p50 added <= nginx's + 0.05 ms:"
  for c in $CONCS; do
    read -r _ np50 _ <<<"${BEST[nginx-$c]}"; read -r _ rp50 _ <<<"${BEST[router-$c]}"
    echo -n " c=$c $(met "$(calc "$rp50 - $np50" 3)" 0.05 le);"
  done
  echo; echo -n "Targets (issue 3): router/direct >= 0.9:"
  for c in $CONCS; do read -r dr _ <<<"${BEST[direct-$c]}"; read -r rr _ <<<"${BEST[router-$c]}"; echo -n " c=$c $(met "$(calc "$rr / $dr")" 0.9 ge);"; done
  echo; echo -n "p50 added <= 0.3 ms:"
  for c in $CONCS; do read -r _ dp50 _ <<<"${BEST[direct-$c]}"; read -r _ rp50 _ <<<"${BEST[router-$c]}"; echo -n " c=$c $(met "$(calc "$rp50 - $dp50" 3)" 0.3 le);"; done
  echo
  echo
  echo "**Traffic switch** ($FLIPS flips blue=100 <-> green=100 by \`PUT /api/v1/endpoints/my-endpoint\`; latency from the PUT's response to the first response naming the new deployment, including that request's round trip):"
  echo "p50 $(sw switch_p50) ms, p90 $(sw switch_p90) ms, max $(sw switch_max) ms; $(sw first_request_new)/$FLIPS flips answered by the new deployment on the very first request (stale responses in all: $(sw stale_total)); the request that saw the switch took $(sw last_request_p50) ms (p50), against a steady $(sw base_blue_p50) ms (blue) and $(sw base_green_p50) ms (green) per routed request with the same client. The PUT itself: p50 $(sw put_p50) ms, max $(sw put_max) ms. Target <= 100 ms: $(met "$(sw switch_max)" 100 le)."
  echo
  echo "knoe serve logged $UNCAUGHT 'Uncaught exception received by Vert.x' errors (in $OUT/serve.log); they come when wrk closes its connections at the end of a run with requests in flight."
  echo
  echo "**Memory** (VmRSS / peak VmHWM): knoe serve $RSS_SERVE / $HWM_SERVE MiB after the wrk runs, $RSS_SERVE2 / $HWM_SERVE2 MiB at the end; blue instance $RSS_BLUE / $HWM_BLUE MiB; green instance (idle but for the switch test) $RSS_GREEN / $HWM_GREEN MiB; knoe serve + blue: $(( RSS_SERVE + RSS_BLUE )) MiB."
} >"$OUT/summary.md"

echo
cat "$OUT/summary.md"
echo
echo "All runs (raw wrk output, thread CPU, logs): $OUT"
column -t -s$'\t' "$OUT/runs.tsv" 2>/dev/null || cat "$OUT/runs.tsv"
log "done"
