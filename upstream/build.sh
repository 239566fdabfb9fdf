#!/usr/bin/env bash
# Builds an upstream binary the tests run (etcd, kube-apiserver, knative-judge) from the Go module
# proxy at the release its wrapper module here pins, once: the result is cached under
# ${KNOE_UPSTREAM_CACHE:-~/.cache/knoe/upstream}/<name>-<hash of the wrapper module>/, so a change
# of pin builds anew and an unchanged one costs nothing. Prints the binary's path on stdout;
# progress goes to stderr. Several callers at once build it once (flock).
#
#   upstream/build.sh etcd|kube-apiserver|knative-judge
#
# First build on 2 cores with empty Go caches, downloads included: etcd ~45 s, kube-apiserver
# ~3 min, knative-judge ~2 min.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
name=${1:?usage: upstream/build.sh etcd|kube-apiserver|knative-judge}

ldflags=""
case "$name" in
  etcd) module=etcd; pkg=. ;;
  kube-apiserver)
    module=kube; pkg=./kube-apiserver
    # The version kube-apiserver reports (kubectl and clients parse it); taken from the pin.
    v=$(cd "$here/kube" && go list -m -f '{{.Version}}' k8s.io/kubernetes)
    [ -n "$v" ] || { echo "cannot read the k8s.io/kubernetes pin from upstream/kube/go.mod" >&2; exit 1; }
    minor=$(echo "$v" | cut -d. -f2)
    ldflags="-X k8s.io/component-base/version.gitVersion=$v -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
    ;;
  knative-judge) module=knative-judge; pkg=. ;;
  *) echo "unknown upstream binary: $name" >&2; exit 2 ;;
esac

command -v go >/dev/null || { echo "Go is needed to build $name (https://go.dev/dl or apt-get install golang)" >&2; exit 1; }
src="$here/$module"
key=$( (cd "$src" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) | sort | xargs sha256sum; \
  go version; echo "$pkg $ldflags") | sha256sum | cut -c1-12)
cache=${KNOE_UPSTREAM_CACHE:-$HOME/.cache/knoe/upstream}
out="$cache/$name-$key/$name"
mkdir -p "$cache"
exec 9>"$cache/.lock-$name"
flock 9
if [ ! -x "$out" ]; then
  echo "building $name (once; cached as $out)" >&2
  start=$(date +%s)
  # GOFLAGS=-mod=readonly: the committed go.sum is the pin; a build never rewrites it.
  (cd "$src" && GOFLAGS="-mod=readonly -buildvcs=false" go build -trimpath -ldflags "$ldflags" -o "$out.tmp" "$pkg")
  mv "$out.tmp" "$out"
  echo "built $name in $(( $(date +%s) - start )) s" >&2
fi
echo "$out"
