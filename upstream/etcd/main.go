// Command etcd is upstream etcd, built from the Go module proxy at the version go.mod pins, so the
// cluster tests run against a real etcd under a real kube-apiserver. Nothing here is Knoe's code.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
