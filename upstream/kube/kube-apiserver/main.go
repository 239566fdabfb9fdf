// Command kube-apiserver is upstream Kubernetes' API server, built from the Go module proxy at the
// release go.mod pins, so Knoe's cluster tests meet real admission, schema pruning and
// resourceVersion rules instead of a mock. Nothing here is Knoe's code.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() { os.Exit(cli.Run(app.NewAPIServerCommand())) }
