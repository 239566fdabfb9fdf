package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// secure is a container securityContext that Knative does not warn about.
const secure = `{allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}`

const serviceWithInit = `
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: withinit, namespace: demo}
spec:
  template:
    spec:
      initContainers:
      - {name: fetch, image: busybox, securityContext: ` + secure + `}
      containers:
      - {image: example.com/model:1, securityContext: ` + secure + `}
`

const featuresInitOn = `
apiVersion: v1
kind: ConfigMap
metadata: {name: config-features, namespace: knative-serving}
data:
  kubernetes.podspec-init-containers: enabled
`

// featuresExampleOnly enables init containers only inside _example, which Knative ignores.
const featuresExampleOnly = `
apiVersion: v1
kind: ConfigMap
metadata: {name: config-features, namespace: knative-serving}
data:
  _example: |
    kubernetes.podspec-init-containers: enabled
`

func trigger(name, attr string) string {
	return `
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: {name: ` + name + `, namespace: demo}
spec:
  broker: default
  filter: {attributes: {` + attr + `: dev.knoe.event}}
  subscriber: {ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: blue}}
`
}

const broker = `
apiVersion: eventing.knative.dev/v1
kind: Broker
metadata: {name: default, namespace: demo}
`

func TestJudge(t *testing.T) {
	cases := []struct {
		name    string
		input   string
		configs []string // ConfigMap YAML, each written to its own file
		status  int
		stdout  []string // exact lines
		stderr  string   // substring
	}{{
		name: "activation-scale 1 is refused, insecure container is a warning",
		input: `
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: blue, namespace: demo}
spec:
  template:
    metadata:
      annotations: {autoscaling.knative.dev/activation-scale: "1"}
    spec:
      containers: [{image: example.com/model:1}]
`,
		status: 1,
		stdout: []string{
			"refused Service demo/blue: activation-scale=1 must be greater than 1: spec.template.metadata.annotations.autoscaling.knative.dev/activation-scale",
			"warning Service demo/blue: Kubernetes default value is insecure, Knative may default this to secure in a future release: " +
				"spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation, spec.template.spec.containers[0].securityContext.capabilities, " +
				"spec.template.spec.containers[0].securityContext.runAsNonRoot, spec.template.spec.containers[0].securityContext.seccompProfile",
		},
	}, {
		name:   "init containers are off by default",
		input:  serviceWithInit,
		status: 1,
		stdout: []string{"refused Service demo/withinit: must not set the field(s): spec.template.spec.initContainers; " +
			"pod spec support for init-containers is off, but found 1 init containers: "},
	}, {
		name:    "_example keys are ignored",
		input:   serviceWithInit,
		configs: []string{featuresExampleOnly},
		status:  1,
		stdout: []string{"refused Service demo/withinit: must not set the field(s): spec.template.spec.initContainers; " +
			"pod spec support for init-containers is off, but found 1 init containers: "},
	}, {
		name:    "init containers with the flag enabled",
		input:   serviceWithInit,
		configs: []string{featuresInitOn},
		status:  0,
		stdout:  []string{"ok Service demo/withinit"},
	}, {
		name:   "trigger filter attribute names",
		input:  trigger("upper", "Type") + "---" + trigger("dash", "my-attr") + "---" + trigger("lower", "type"),
		status: 1,
		stdout: []string{
			`refused Trigger demo/upper: invalid key name "Type": spec.filter.attributes[Type]; Attribute name must start with a letter and can only contain lowercase alphanumeric`,
			`refused Trigger demo/dash: invalid key name "my-attr": spec.filter.attributes[my-attr]; Attribute name must start with a letter and can only contain lowercase alphanumeric`,
			"ok Trigger demo/lower",
		},
	}, {
		name:   "broker gets the upstream default class; other kinds are skipped",
		input:  broker + "---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: demo}\n",
		status: 0,
		stdout: []string{"ok Broker demo/default"},
		stderr: "skipped: ConfigMap x\n",
	}, {
		name:  "broker without a cluster default class",
		input: broker,
		configs: []string{`
apiVersion: v1
kind: ConfigMap
metadata: {name: config-br-defaults, namespace: knative-eventing}
data:
  default-br-config: |
    namespaceDefaults:
      elsewhere: {brokerClass: MTChannelBasedBroker}
`},
		status: 1,
		stdout: []string{"refused Broker demo/default: missing field(s): eventing.knative.dev/broker.class"},
	}, {
		name:   "fields Knative does not know are refused",
		input:  "apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: {name: t, namespace: demo}\nspec: {broker: default, bogus: 1, subscriber: {uri: 'http://x.example'}}\n",
		status: 1,
		stdout: []string{`refused Trigger demo/t: cannot decode: json: unknown field "bogus"`},
	}, {
		name:   "undecodable input",
		input:  broker + "---\nspec: {}\n",
		status: 2,
		stdout: []string{"ok Broker demo/default"},
		stderr: "<stdin> document 2: Object 'Kind' is missing",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var args []string
			for i, cfg := range c.configs {
				p := filepath.Join(t.TempDir(), "cm"+string(rune('0'+i))+".yaml")
				if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--config", p)
			}
			var stdout, stderr bytes.Buffer
			status := run(args, strings.NewReader(c.input), &stdout, &stderr)
			if status != c.status {
				t.Errorf("status %d, want %d; stderr: %s", status, c.status, stderr.String())
			}
			want := strings.Join(c.stdout, "\n") + "\n"
			if stdout.String() != want {
				t.Errorf("stdout:\n%s\nwant:\n%s", stdout.String(), want)
			}
			if !strings.Contains(stderr.String(), c.stderr) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), c.stderr)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	var stdout bytes.Buffer
	if status := run([]string{"--version"}, nil, &stdout, &stdout); status != 0 {
		t.Fatalf("status %d", status)
	}
	for _, want := range []string{"knative.dev/serving v0.50.0\n", "knative.dev/eventing v0.50.0\n"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("--version printed %q, want %q in it", stdout.String(), want)
		}
	}
}
