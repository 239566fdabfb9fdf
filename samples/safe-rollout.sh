#!/usr/bin/env bash
# The safe-rollout walk-through with the knoe CLI, against a running `knoe serve`
# (start one with ./quickstart.sh or `control/bin/knoe serve`). Exits non-zero at the first failure.
#
#   samples/safe-rollout.sh [endpoint-name]      (default: rollout-demo)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
knoe() { "$here/../control/bin/knoe" "$@"; }
ep=${1:-rollout-demo}
request=$here/requests/model-1.json
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

if knoe online-endpoint show -n "$ep" -o json >/dev/null 2>&1; then
  step "Removing the endpoint '$ep' left by an earlier run"
  knoe online-endpoint delete -n "$ep" --yes
fi

step "1. Create the endpoint"
knoe online-endpoint create -f "$here/endpoint.yml" --set name="$ep" -o table

step "2. Deploy blue (model-1) with all traffic"
knoe online-deployment create -f "$here/blue-deployment.yml" -e "$ep" --all-traffic -o table

step "3. Invoke the endpoint"
knoe online-endpoint invoke -n "$ep" --request-file "$request"

step "4. Scale blue to 2 instances"
knoe online-deployment update -n blue -e "$ep" --set instance_count=2 -o table

step "5. Deploy green (model-2) beside it, with 0 % traffic"
knoe online-deployment create -f "$here/green-deployment.yml" -e "$ep" -o table

step "6. Test green directly, bypassing the traffic rules"
knoe online-endpoint invoke -n "$ep" --deployment green --request-file "$request"

step "7. Move 10 % of live traffic to green"
knoe online-endpoint update -n "$ep" --traffic "blue=90 green=10" -o table
for _ in $(seq 20); do knoe online-endpoint invoke -n "$ep" --request-file "$request" >/dev/null; done

step "8. Mirror 10 % of traffic to green instead (its answers are dropped)"
knoe online-endpoint update -n "$ep" --traffic "blue=100 green=0" --mirror-traffic "green=10" -o table
for _ in $(seq 20); do knoe online-endpoint invoke -n "$ep" --request-file "$request" >/dev/null; done

step "9. Move all traffic to green"
knoe online-endpoint update -n "$ep" --mirror-traffic "green=0" --traffic "blue=0 green=100" -o table
knoe online-endpoint invoke -n "$ep" --request-file "$request"

step "10. Delete blue"
knoe online-endpoint update -n "$ep" --traffic "green=100" >/dev/null
knoe online-deployment delete -n blue -e "$ep" --yes
knoe online-deployment list -e "$ep"

step "11. Delete the endpoint"
knoe online-endpoint delete -n "$ep" --yes

step "Done: the safe rollout ran to the end."
