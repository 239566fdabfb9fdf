#!/usr/bin/env bash
# Knoe benchmark: raw in-process ONNX Runtime (JMH) vs the scoring function over HTTP (wrk),
# batching on/off, model-1 latency, start -> ready time and RSS. Writes bench/out/summary.md.
#
#   bench/run.sh [--build] [--quick] [--skip-jmh] [--diag] [--java /path/to/bin/java]
#
#   --build     rebuild the scoring function and the JMH jar even if they exist
#   --quick     short runs (3 s wrk, 1 JMH iteration, 2 starts) to check the harness, not for figures
#   --skip-jmh  reuse bench/out/jmh-*.json from an earlier run
#   --diag      also run mlp with KNOE_INTRA_OP_THREADS=1 (batching on and off) and with
#               KNOE_BATCH_MAX_DELAY_MS=0, to show where the server loses throughput
#   --java      JVM for the server and JMH (default: java on PATH)
#
# Environment: DURATION (s per wrk run, 15), WARMUP (minimum s of c=64 load before measuring, 10;
#   continues in 5 s rounds until the JIT is quiet, at most WARMUP_MAX=60 s), STARTS (start->ready samples, 5),
#   QUIET_CORES (0.3) / QUIET_BUDGET (900 s): before each measurement, wait until other processes use
#   less than QUIET_CORES cores, spending at most QUIET_BUDGET seconds waiting over the whole run;
#   ATTEMPTS (3): repeat a wrk run disturbed by more than QUIET_CORES of other load, keep the least
#   disturbed; JMH_ATTEMPTS (5) / JMH_QUIET (0.1): the same for each JMH batch size (ONNX Runtime's
#   2-thread runs lose 2-4x when anything else wants a core).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
OUT=$BENCH/out
JAVA=${JAVA:-java}
BUILD=0 QUICK=0 SKIP_JMH=0 DIAG=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) BUILD=1 ;;
    --quick) QUICK=1 ;;
    --skip-jmh) SKIP_JMH=1 ;;
    --diag) DIAG=1 ;;
    --java) JAVA=$2; shift ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [[ $QUICK == 1 ]]; then
  DURATION=${DURATION:-3} WARMUP=${WARMUP:-2} WARMUP_MAX=${WARMUP_MAX:-5} STARTS=${STARTS:-2}
  JMH_OPTS=(-wi 1 -w 1 -i 2 -r 1)
else
  DURATION=${DURATION:-15} WARMUP=${WARMUP:-10} WARMUP_MAX=${WARMUP_MAX:-60} STARTS=${STARTS:-5}
  JMH_OPTS=(-wi 3 -w 2 -i 5 -r 2)
fi

T0=$(date +%s)
log() { printf '\n[%s +%ss] %s\n' "$(date +%H:%M:%S)" "$(( $(date +%s) - T0 ))" "$*" >&2; }
die() { echo "ERROR: $*" >&2; exit 1; }

# ---------------------------------------------------------------- preflight
command -v wrk >/dev/null || die "wrk is not installed: apt-get install wrk"
for tool in curl jq awk ss "$JAVA"; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done
CORES=$(nproc)
TCK=$(getconf CLK_TCK)
mkdir -p "$OUT"
cd "$ROOT"
# Outputs of an earlier run (JMH results stay with --skip-jmh).
rm -f "$OUT"/wrk-* "$OUT"/server-* "$OUT"/http.tsv* "$OUT"/summary.md "$OUT"/jmh-formed*
[[ $SKIP_JMH == 1 ]] || rm -f "$OUT"/jmh-*

# ---------------------------------------------------------------- servers we start, and cleanup
SERVERS=()
stop_server() {
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.05; done
  kill -9 "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${SERVERS[@]}"; do stop_server "$pid"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  local p
  for _ in $(seq 100); do
    p=$(( 20000 + RANDOM % 12000 ))  # below the ephemeral range (32768+), where wrk's own sockets live
    if [[ -z $(ss -tanH "sport = :$p") ]]; then echo "$p"; return; fi
  done
  die "no free port found"
}

# start_server NAME [VAR=value...]  -> sets PID, PORT, T_LAUNCH (ns)
start_server() {
  local name=$1; shift
  PORT=$(free_port)
  T_LAUNCH=$(date +%s%N)
  env "$@" QUARKUS_HTTP_PORT="$PORT" QUARKUS_HTTP_HOST=127.0.0.1 \
    "$JAVA" -jar "$APP/quarkus-run.jar" >"$OUT/server-$name.log" 2>&1 &
  PID=$!
  SERVERS+=("$PID")
}

# wait_ready NAME -> sets READY_MS (launch -> first 200 from /v2/health/ready, polled every 10 ms)
wait_ready() {
  local name=$1 deadline=$(( $(date +%s) + 120 ))
  while true; do
    if [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$PORT/v2/health/ready" || true) == 200 ]]; then
      READY_MS=$(( ($(date +%s%N) - T_LAUNCH) / 1000000 ))
      return
    fi
    kill -0 "$PID" 2>/dev/null || { tail -30 "$OUT/server-$name.log" >&2; die "server $name exited before it was ready (log: $OUT/server-$name.log)"; }
    (( $(date +%s) < deadline )) || die "server $name not ready after 120 s (log: $OUT/server-$name.log)"
    sleep 0.01
  done
}

end_server() {
  stop_server "$PID"
  local kept=() p
  for p in "${SERVERS[@]}"; do [[ $p == "$PID" ]] || kept+=("$p"); done
  SERVERS=("${kept[@]+"${kept[@]}"}")
}

# ---------------------------------------------------------------- measurement helpers
metrics() { curl -s --max-time 5 "http://127.0.0.1:$PORT/metrics" >"$1"; }
metric() { awk -v n="$2" '$1 == n { print $2; found=1 } END { if (!found) print 0 }' "$1"; }
busy_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
proc_jiffies() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }  # utime + stime
thread_snap() {  # tid<TAB>name<TAB>jiffies for every thread of the server
  local t
  for t in /proc/"$PID"/task/*; do
    printf '%s\t%s\t%s\n' "${t##*/}" "$(cat "$t/comm" 2>/dev/null)" "$(sed 's/.*) //' "$t/stat" 2>/dev/null | awk '{ print $12 + $13 }')"
  done
}
thread_top() {  # thread_top BEFORE AFTER SECONDS -> "name cores, ..." for the 6 busiest threads
  awk -F'\t' -v w="$(( $3 * TCK ))" 'NR == FNR { b[$1] = $3; next } { d = $3 - b[$1]; if (d > 0) printf "%s\t%.2f\n", $2, d / w }' "$1" "$2" |
    sort -t$'\t' -k2 -rn | head -6 | awk -F'\t' '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }'
}
to_ms() {  # wrk latency like 812.00us, 7.24ms, 1.02s, 1.5m
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000;
    printf "%.3f", n }'
}
fmt() { awk -v v="$1" -v d="${2:-0}" 'BEGIN { printf "%.*f", d, v }'; }
div() { awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { if (b == 0) print "n/a"; else printf "%.*f", d, a / b }'; }

# wrk_run LABEL BODY CONC DURATION -> one row in $OUT/http.tsv and sets RPS P50 P99 ROWS_PER_RUN.
# When other processes took more than QUIET_CORES during a run, it is repeated (ATTEMPTS in all)
# and the attempt with the least interference is kept.
ATTEMPTS=${ATTEMPTS:-3} JMH_ATTEMPTS=${JMH_ATTEMPTS:-5} JMH_QUIET=${JMH_QUIET:-0.1}
printf 'label\tmode\tconc\treq_s\tp50_ms\tp99_ms\terrors\trows_per_run\treqs_per_run\trun_ms\tmodel_busy_pct\tcpu_server\tcpu_wrk\tcpu_other\n' >"$OUT/http.tsv.new"
wrk_attempt() {  # wrk_attempt LABEL BODY CONC DURATION N -> ROW RPS P50 P99 ROWS_PER_RUN OTHER
  local label=$1 body=$2 conc=$3 dur=$4 n=$5 threads=2
  (( conc < threads )) && threads=$conc
  local f="$OUT/wrk-$label-c$conc.a$n"
  wait_quiet
  metrics "$f.before.prom"
  local b0 s0 b1 s1
  b0=$(busy_jiffies); s0=$(proc_jiffies "$PID"); thread_snap >"$f.threads0"
  BODY_FILE=$body /usr/bin/time -f '%U %S' -o "$f.time" \
    wrk -t"$threads" -c"$conc" -d"${dur}s" --latency -s "$BENCH/wrk/post.lua" "http://127.0.0.1:$PORT/score" >"$f.txt"
  b1=$(busy_jiffies); s1=$(proc_jiffies "$PID"); thread_snap >"$f.threads1"
  thread_top "$f.threads0" "$f.threads1" "$dur" >"$f.threads"
  metrics "$f.after.prom"
  RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$f.txt")
  P50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$f.txt")")
  P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$f.txt")")
  local errors
  errors=$(awk '/Non-2xx/ { n += $NF } /Socket errors/ { gsub(/[^0-9 ]/, " "); for (i = 1; i <= NF; i++) n += $i } END { print n + 0 }' "$f.txt")
  d() { awk -v a="$(metric "$f.after.prom" "$1")" -v b="$(metric "$f.before.prom" "$1")" 'BEGIN { print a - b }'; }
  local runs rows reqs inf_s
  runs=$(d knoe_batch_rows_count); rows=$(d knoe_batch_rows_sum); reqs=$(d knoe_batch_size_sum)
  inf_s=$(d knoe_inference_duration_seconds_sum)
  ROWS_PER_RUN=$(div "$rows" "$runs" 1)
  local reqs_per_run run_ms busy wall cpu_total cpu_server cpu_wrk
  reqs_per_run=$(div "$reqs" "$runs" 1)
  run_ms=$(div "$(awk -v s="$inf_s" 'BEGIN { print s * 1000 }')" "$runs" 3)
  busy=$(div "$(awk -v s="$inf_s" 'BEGIN { print s * 100 }')" "$dur" 0)
  wall=$(awk -v d="$dur" -v t="$TCK" 'BEGIN { print d * t }')
  cpu_total=$(div $(( b1 - b0 )) "$wall" 2)
  cpu_server=$(div $(( s1 - s0 )) "$wall" 2)
  cpu_wrk=$(awk '{ printf "%.2f", ($1 + $2) / '"$dur"' }' "$f.time")
  OTHER=$(awk -v t="$cpu_total" -v s="$cpu_server" -v w="$cpu_wrk" 'BEGIN { o = t - s - w; printf "%.2f", o < 0 ? 0 : o }')
  ROW=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$label" "$MODE" "$conc" "$(fmt "$RPS")" "$P50" "$P99" "$errors" \
    "$ROWS_PER_RUN" "$reqs_per_run" "$run_ms" "$busy" "$cpu_server" "$cpu_wrk" "$OTHER")
  log "$label c=$conc: $(fmt "$RPS") req/s, p50 $P50 ms, p99 $P99 ms, errors $errors, $ROWS_PER_RUN rows/run, run $run_ms ms, model busy $busy%, CPU server $cpu_server wrk $cpu_wrk other $OTHER cores"
}
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
wrk_run() {
  local n best_row="" best_other=999 best_vals="" f="$OUT/wrk-$1-c$3"
  for n in $(seq "$ATTEMPTS"); do
    wrk_attempt "$@" "$n"
    if lt "$OTHER" "$best_other"; then
      best_row=$ROW best_other=$OTHER best_vals="RPS=$RPS P50=$P50 P99=$P99 ROWS_PER_RUN=$ROWS_PER_RUN"
      cp "$f.a$n.txt" "$f.txt"; cp "$f.a$n.before.prom" "$f.before.prom"; cp "$f.a$n.after.prom" "$f.after.prom"
      cp "$f.a$n.threads" "$f.threads"
    fi
    lt "$OTHER" "$QUIET_CORES" && break
    (( n < ATTEMPTS )) && log "other processes used $OTHER cores during that run; repeating it"
  done
  eval "$best_vals"
  printf '%s\n' "$best_row" >>"$OUT/http.tsv.new"
}

# Warm up at c=64 in 5 s rounds until the JIT compiler threads go quiet (< 5% of a core over a
# round), at least WARMUP s and at most WARMUP_MAX s: on 2 cores C2 needs ~20 s of load to settle, and
# figures taken before that are 30-50% low.
jit_jiffies() {
  local t sum=0
  for t in /proc/"$PID"/task/*; do
    case $(cat "$t/comm" 2>/dev/null) in "C1 Compiler"*|"C2 Compiler"*) sum=$(( sum + $(awk '{ print $14 + $15 }' "$t/stat") )) ;; esac
  done
  echo "$sum"
}
warm_up() {  # not recorded
  local start j0 j1 rounds=0
  start=$(date +%s)
  while true; do
    j0=$(jit_jiffies)
    BODY_FILE=$1 wrk -t2 -c64 -d5s -s "$BENCH/wrk/post.lua" "http://127.0.0.1:$PORT/score" >"$OUT/wrk-warmup.txt"
    j1=$(jit_jiffies); rounds=$(( rounds + 1 ))
    if (( $(date +%s) - start >= WARMUP && (j1 - j0) * 100 < 5 * 5 * TCK )) || (( $(date +%s) - start >= WARMUP_MAX )); then
      log "warmed up in $(( $(date +%s) - start )) s (JIT used $(div $(( j1 - j0 )) "$TCK" 2) s CPU in the last 5 s)"
      return
    fi
  done
}

# The machine may be shared (builds, tests): wait for it to calm down before each measurement.
QUIET_CORES=${QUIET_CORES:-0.3} QUIET_BUDGET=${QUIET_BUDGET:-900}
wait_quiet() {
  local b0 b1 busy said=0 t
  while true; do
    t=$(date +%s); b0=$(busy_jiffies); sleep 2; b1=$(busy_jiffies)
    busy=$(div $(( b1 - b0 )) $(( 2 * TCK )) 2)
    awk -v b="$busy" -v q="$QUIET_CORES" 'BEGIN { exit !(b < q) }' && return
    QUIET_BUDGET=$(( QUIET_BUDGET - $(date +%s) + t ))
    if (( QUIET_BUDGET <= 0 )); then
      log "other processes use $busy cores and the quiet-wait budget is spent; measuring anyway (see the CPU other column)"
      return
    fi
    (( said )) || log "other processes use $busy cores; waiting for < $QUIET_CORES (budget left ${QUIET_BUDGET} s)"
    said=1
  done
}

rss() { awk -v k="$2:" '$1 == k { print int($2 / 1024) }' "/proc/$1/status"; }  # MiB

# ---------------------------------------------------------------- (a) build
JAR=scoring-function/target/quarkus-app/quarkus-run.jar
if [[ $BUILD == 1 || ! -f $JAR ]]; then
  log "building the scoring function (./mvnw -q install -DskipTests)"
  ./mvnw -q install -DskipTests
fi
JMH_JAR=$BENCH/jmh/target/benchmarks.jar
if [[ $BUILD == 1 || ! -f $JMH_JAR ]]; then
  log "building the JMH benchmark (./mvnw -f bench/jmh/pom.xml -q package)"
  ./mvnw -q -f bench/jmh/pom.xml package
fi
# Run a private copy, so a concurrent `mvn install` in the work tree cannot swap the jar mid-run.
APP=$OUT/app
rm -rf "$APP"
cp -r scoring-function/target/quarkus-app "$APP"
BUILT_AT=$(date -u -r "$JAR" +%Y-%m-%dT%H:%M:%SZ)
GIT_REV=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
GIT_DIRTY=$(git status --porcelain -- scoring-function scoring-spi 2>/dev/null | wc -l)

# Request bodies: one row each.
jq -c '{data: [.data[0]]}' samples/requests/mlp.json >"$OUT/mlp-1row.json"
jq -c '{data: [.data[0]]}' samples/requests/model-1.json >"$OUT/model-1-1row.json"

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- (b) raw JMH
# One JMH run per (intra-op threads, batch size), each after a quiet-wait and repeated
# (JMH_ATTEMPTS in all) when other processes took more than JMH_QUIET cores meanwhile; the attempt
# with the least interference is kept. All results collect in $OUT/jmh-raw.json.
RAW_INTRA=${RAW_INTRA:-$CORES}                                       # the brief's raw ceiling: one thread per core
SERVER_INTRA=${SERVER_INTRA:-$(( CORES / 2 > 0 ? CORES / 2 : 1 ))}  # the server's KNOE_INTRA_OP_THREADS=0 default
run_jmh() {  # run_jmh INTRA BATCH...
  local intra=$1 batch n b0 b1 other best f key
  shift
  for batch in "$@"; do
    key="i$intra-b$batch"
    [[ -f $OUT/jmh-$key.json ]] && continue
    best=999
    for n in $(seq "$JMH_ATTEMPTS"); do
      f="$OUT/jmh-$key.a$n"
      wait_quiet
      b0=$(busy_jiffies)
      /usr/bin/time -f '%e %U %S' -o "$f.time" \
        "$JAVA" -jar "$JMH_JAR" RawOnnxBenchmark -p batch="$batch" -p intraOpThreads="$intra" "${JMH_OPTS[@]}" \
        -rf json -rff "$f.json" >"$f.log" 2>&1 || { tail -30 "$f.log" >&2; die "JMH failed (log: $f.log)"; }
      b1=$(busy_jiffies)
      other=$(awk -v b=$(( b1 - b0 )) -v t="$TCK" '{ o = (b / t - $2 - $3) / $1; printf "%.2f", o < 0 ? 0 : o }' "$f.time")
      log "raw batch $batch, intra-op $intra: $(fmt "$(jq '.[0].secondaryMetrics.rows.score' "$f.json")") rows/s (other processes: $other cores)"
      if lt "$other" "$best"; then best=$other; cp "$f.json" "$OUT/jmh-$key.json"; fi
      lt "$other" "$JMH_QUIET" && break
    done
    printf '%s\t%s\t%s\n' "$intra" "$batch" "$best" >>"$OUT/jmh-other.tsv"
  done
  local parts=()
  for f in "$OUT"/jmh-i*-b*.json; do
    [[ ${f##*/} =~ ^jmh-i[0-9]+-b[0-9]+\.json$ ]] && parts+=("$f")
  done
  jq -s add "${parts[@]}" >"$OUT/jmh-raw.json"
}
raw_rows() {  # raw_rows INTRA BATCH -> rows/s
  jq -r --arg i "$1" --arg b "$2" \
    '[.[] | select(.params.batch == $b and .params.intraOpThreads == $i)][0].secondaryMetrics.rows.score // empty' "$OUT/jmh-raw.json"
}
if [[ $SKIP_JMH == 1 && -f $OUT/jmh-raw.json ]]; then
  log "reusing the JMH results in $OUT"
else
  printf 'intra\tbatch\tcpu_other\n' >"$OUT/jmh-other.tsv"
  log "JMH raw ONNX Runtime throughput, mlp, intra-op $RAW_INTRA, batch 1, 8, 16, 32, 64 (about 20 s each)"
  run_jmh "$RAW_INTRA" 1 8 16 32 64
  if [[ $SERVER_INTRA != "$RAW_INTRA" ]]; then
    log "JMH raw at the server's default intra-op threads ($SERVER_INTRA), batch 1 and 32"
    run_jmh "$SERVER_INTRA" 1 32
  fi
fi

# ---------------------------------------------------------------- (c) mlp over HTTP, batching on then off
mlp_phase() {  # mlp_phase LABEL "CONCURRENCIES" MODE [VAR=value...]
  local label=$1 concs=$2; MODE=$3; shift 3
  log "mlp, batching $MODE: starting the scoring function"
  start_server "mlp-$label" KNOE_MODEL_DIR=samples/models/mlp/model "$@"
  wait_ready "mlp-$label"
  warm_up "$OUT/mlp-1row.json"
  local c
  for c in $concs; do
    wrk_run "mlp-$label" "$OUT/mlp-1row.json" "$c" "$DURATION"
    eval "RPS_${label}_$c=$RPS P50_${label}_$c=$P50 P99_${label}_$c=$P99 ROWS_${label}_$c=$ROWS_PER_RUN"
  done
  eval "RSS_$label=$(rss "$PID" VmRSS) HWM_$label=$(rss "$PID" VmHWM)"
  end_server
}
mlp_phase on "1 16 64" "on (defaults)"
mlp_phase off "1 16 64" "off (KNOE_BATCH_MAX_SIZE=1)" KNOE_BATCH_MAX_SIZE=1
# The same as "on", with the JVM bound knoe serve gives a cpu-small instance (scoring.JvmMemory):
# the phases above run with the JVM's own sizing from the whole machine, as the image's entrypoint
# did before the bound. JAVA_TOOL_OPTIONS, because this script starts java itself.
BOUND="-XX:MaxRAM=2147483648 -XX:MaxRAMPercentage=50.0"
mlp_phase bounded "64" "on, bounded like cpu-small" JAVA_TOOL_OPTIONS="$BOUND"
if [[ $DIAG == 1 ]]; then
  # Knobs that change where the 2 cores go: ONNX Runtime threads (and their spinning) against the
  # event loops, the batcher's wait for more requests, and concurrent merged runs.
  mlp_phase allcores "1 16 64" "on, KNOE_INTRA_OP_THREADS=$CORES" KNOE_INTRA_OP_THREADS="$CORES"
  mlp_phase allcores_nospin "1 64" "on, KNOE_INTRA_OP_THREADS=$CORES KNOE_INTRA_OP_SPINNING=false" \
    KNOE_INTRA_OP_THREADS="$CORES" KNOE_INTRA_OP_SPINNING=false
  mlp_phase off_allcores "64" "off, KNOE_INTRA_OP_THREADS=$CORES" KNOE_BATCH_MAX_SIZE=1 KNOE_INTRA_OP_THREADS="$CORES"
  mlp_phase delay0 "16 64" "on, KNOE_BATCH_MAX_DELAY_MS=0" KNOE_BATCH_MAX_DELAY_MS=0
  mlp_phase workers2 "64" "on, KNOE_BATCH_WORKERS=2" KNOE_BATCH_WORKERS=2
fi

# ---------------------------------------------------------------- (d) model-1 at concurrency 1
model1_phase() {  # model1_phase LABEL MODE [VAR=value...]
  local label=$1; MODE=$2; shift 2
  log "model-1, batching $MODE: latency at concurrency 1"
  start_server "$label" KNOE_MODEL_DIR=samples/models/model-1/model "$@"
  wait_ready "$label"
  warm_up "$OUT/model-1-1row.json"
  wrk_run "$label" "$OUT/model-1-1row.json" 1 "$DURATION"
  end_server
}
model1_phase model-1 "on (defaults)"
M1_RPS=$RPS M1_P50=$P50 M1_P99=$P99
if [[ $DIAG == 1 ]]; then
  model1_phase model-1-delay0 "on, KNOE_BATCH_MAX_DELAY_MS=0" KNOE_BATCH_MAX_DELAY_MS=0
  model1_phase model-1-off "off (KNOE_BATCH_MAX_SIZE=1)" KNOE_BATCH_MAX_SIZE=1
fi

# ---------------------------------------------------------------- (e) start -> ready, model-1
log "model-1: start -> ready, $STARTS starts"
READY=()
for i in $(seq "$STARTS"); do
  wait_quiet
  start_server "model-1-start$i" KNOE_MODEL_DIR=samples/models/model-1/model
  wait_ready "model-1-start$i"
  READY+=("$READY_MS")
  end_server
  log "start $i: ready after $READY_MS ms ($(grep -o 'ready in [0-9]* ms' "$OUT/server-model-1-start$i.log" || true) in the model loader; $(grep -o 'started in [0-9.]*s' "$OUT/server-model-1-start$i.log" || true) per Quarkus)"
done
READY_MEDIAN=$(printf '%s\n' "${READY[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')

# ---------------------------------------------------------------- raw at the batch size the server formed
FORMED=$(awk -v r="$ROWS_on_64" 'BEGIN { n = int(r + 0.5); print n < 1 ? 1 : n }')
if [[ -z $(raw_rows "$RAW_INTRA" "$FORMED") || -z $(raw_rows "$SERVER_INTRA" "$FORMED") ]]; then
  log "JMH raw ONNX Runtime throughput at the formed batch size $FORMED"
  run_jmh "$RAW_INTRA" "$FORMED"
  run_jmh "$SERVER_INTRA" "$FORMED"
fi
RAW_FORMED=$(raw_rows "$RAW_INTRA" "$FORMED")
RAW_FORMED_SERVER=$(raw_rows "$SERVER_INTRA" "$FORMED")
mv "$OUT/http.tsv.new" "$OUT/http.tsv"

# ---------------------------------------------------------------- (g) summary
RAW1=$(raw_rows "$RAW_INTRA" 1); RAW32=$(raw_rows "$RAW_INTRA" 32)
ON_OFF=$(div "$RPS_on_64" "$RPS_off_64")
HTTP_RAW=$(div "$RPS_on_64" "$RAW_FORMED")
HTTP_RAW_SERVER=$(div "$RPS_on_64" "$RAW_FORMED_SERVER")
HTTP_RAW32=$(div "$RPS_on_64" "$RAW32")
verdict() { awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { ok = (op == ">=") ? v >= t : v <= t; print ok ? "**met**" : "**not met**" }'; }
ELAPSED=$(( $(date +%s) - T0 ))

{
  echo "# Knoe benchmark summary"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $CORES cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $("$JAVA" -version 2>&1 | head -1)."
  echo "Server jar built $BUILT_AT from $GIT_REV ($GIT_DIRTY uncommitted file(s) under scoring-function/ and scoring-spi/ at run time)."
  echo "Load average at start: $LOAD_AT_START. wrk runs for ${DURATION} s after a c=64 warm-up of at least ${WARMUP} s until the JIT is quiet, 1-row requests, wrk and server share the machine."
  echo
  echo "## Raw in-process ONNX Runtime, mlp (JMH, 1 calling thread, ALL_OPT, inter-op 1, spinning on)"
  echo
  echo "| intra-op threads | batch | runs/s | rows/s | +/- (99.9%) | CPU other |"
  echo "|---:|---:|---:|---:|---:|---:|"
  jq -r 'sort_by((.params.intraOpThreads | tonumber) * -1000 + (.params.batch | tonumber)) | .[] | "\(.params.intraOpThreads)\t\(.params.batch)\t\(.primaryMetric.score | floor)\t\(.secondaryMetrics.rows.score | floor)\t\(.secondaryMetrics.rows.scoreError | if type == "number" then floor else "n/a" end)"' \
    "$OUT/jmh-raw.json" |
    awk -F'\t' 'NR == FNR { other[$1 "/" $2] = $3; next } { printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, other[$1 "/" $2] }' "$OUT/jmh-other.tsv" -
  echo
  echo "## Scoring function over HTTP (wrk, POST /score, 1 row per request)"
  echo
  echo "| model | batching | conc | req/s | p50 ms | p99 ms | errors | rows/run | reqs/run | run ms | model busy % | CPU server | CPU wrk | CPU other |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  tail -n +2 "$OUT/http.tsv" | awk -F'\t' '{ model = ($1 ~ /^model-1/) ? "model-1" : "mlp";
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", model, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14 }'
  echo
  echo "rows/run, reqs/run, run ms and model busy % come from the server's /metrics (knoe_batch_rows, knoe_batch_size, knoe_inference_duration_seconds) over each run; model busy % = inference seconds / wall seconds (can exceed 100 with concurrent runs); CPU in cores from /proc (other = everything else on the machine)."
  echo
  echo "Busiest server threads per run, in cores (\`java\` = threads created natively, i.e. ONNX Runtime's intra-op pool):"
  echo
  tail -n +2 "$OUT/http.tsv" | while IFS=$'\t' read -r label mode conc _; do
    echo "- $label c=$conc ($mode): $(cat "$OUT/wrk-$label-c$conc.threads" 2>/dev/null)"
  done
  echo
  echo "| figure | value |"
  echo "|---|---|"
  echo "| RSS after mlp load, batching on (VmRSS / VmHWM) | $RSS_on / $HWM_on MiB |"
  echo "| RSS after mlp load, batching off (VmRSS / VmHWM) | $RSS_off / $HWM_off MiB |"
  echo "| RSS after mlp load, batching on, bounded like cpu-small ($BOUND; c=64 only) (VmRSS / VmHWM) | $RSS_bounded / $HWM_bounded MiB (**$(div "$RSS_bounded" "$RSS_on")** of unbounded) |"
  echo "| model-1 start -> ready, $STARTS starts (ms) | ${READY[*]} (median $READY_MEDIAN) |"
  echo "| raw rows/s at the formed batch ($FORMED rows, mean $ROWS_on_64 at c=64), intra-op $RAW_INTRA / $SERVER_INTRA | $(fmt "$RAW_FORMED") / $(fmt "$RAW_FORMED_SERVER") |"
  echo
  echo "## Targets"
  echo
  echo "| target | figure | verdict |"
  echo "|---|---|---|"
  echo "| mlp c=64: batching on >= 3x batching off | $(fmt "$RPS_on_64") / $(fmt "$RPS_off_64") req/s = **${ON_OFF}x** | $(verdict "$ON_OFF" '>=' 3) |"
  echo "| mlp c=64 batching on >= 0.8 x raw at the formed batch | $(fmt "$RPS_on_64") / $(fmt "$RAW_FORMED") rows/s (batch $FORMED) = **$HTTP_RAW** (vs raw at the server's own $SERVER_INTRA intra-op thread(s): $HTTP_RAW_SERVER; vs raw batch 32: $HTTP_RAW32; vs raw batch 1: $(div "$RPS_on_64" "$RAW1")) | $(verdict "$HTTP_RAW" '>=' 0.8) |"
  echo "| model-1 c=1 p50 <= 1 ms | **$M1_P50 ms** (p99 $M1_P99 ms, $(fmt "$M1_RPS") req/s) | $(verdict "$M1_P50" '<=' 1) |"
  echo "| model-1 start -> ready <= 1.0 s | median **$READY_MEDIAN ms** | $(verdict "$READY_MEDIAN" '<=' 1000) |"
  echo
  echo "HTTP/raw compares requests/s (1 row each) with raw rows/s at the batch size the server formed at c=64 (mean knoe_batch_rows over that run, rounded; JMH is run at exactly that size when it is not in 1,8,16,32,64), with intra-op threads = cores (the ceiling) and with the server's own default ($SERVER_INTRA)."
  echo
  echo "bench/run.sh took ${ELAPSED} s."
} >"$OUT/summary.md"

log "done in ${ELAPSED} s; summary in $OUT/summary.md"
cat "$OUT/summary.md"
