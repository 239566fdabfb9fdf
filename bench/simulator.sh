#!/usr/bin/env bash
# Autoscaler simulator benchmark (issue 4): 10,000 deployments x 1 hour of Poisson traffic at 2
# requests/s each (service exponential, mean 50 ms; ~72 M requests, each replayed autoscaled and
# at a fixed size) through knoe-simulate, on every core. Target: under 60 s wall time.
#
#   bench/simulator.sh [traffic options instead of "--pattern poisson --rate 2",
#                       e.g. --pattern bursty --rate 0.5 --peak 20 --concurrency 4 --service-ms 200]
#
# Builds the autoscaler module first when its classes or target/lib are missing. Prints the
# simulator's report and the wall time of the whole command (JVM start included).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
traffic=(--pattern poisson --rate 2)
if [[ $# -gt 0 ]]; then
  traffic=("$@")
fi
cmd=("$root/autoscaler/bin/knoe-simulate" --deployments 10000 --duration 1h "${traffic[@]}")
if [[ ! -f "$root/autoscaler/target/classes/dev/knoe/autoscaler/sim/Simulate.class" \
  || ! -d "$root/autoscaler/target/lib" ]]; then
  (cd "$root" && ./mvnw -q -B -ntp -pl autoscaler package -DskipTests)
fi
echo "\$ ${cmd[*]#"$root"/}"
echo "cores: $(nproc), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s.%N)
"${cmd[@]}"
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "wall time of the command: %.1f s\n", e - s }'
