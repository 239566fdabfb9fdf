// Command knative-judge runs Knative's own admission logic (SetDefaults, then Validate, under
// apis.WithinCreate) on Knative Serving and Eventing objects read from YAML, outside a cluster.
// See README.md.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	eventingcfg "knative.dev/eventing/pkg/apis/config"
	eventingv1 "knative.dev/eventing/pkg/apis/eventing/v1"
	"knative.dev/eventing/pkg/apis/feature"
	"knative.dev/pkg/apis"
	webhookjson "knative.dev/pkg/webhook/json"
	servingcfg "knative.dev/serving/pkg/apis/config"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
	asconfig "knative.dev/serving/pkg/autoscaler/config"
)

// Exit statuses.
const (
	exitOK      = 0
	exitRefused = 1
	exitUsage   = 2
)

const usage = `usage: knative-judge [--config FILE_OR_DIR]... [FILE...]
       knative-judge --version
Runs Knative's own SetDefaults + Validate (as on create) on the Serving Service, Configuration,
Route, Revision and Eventing Trigger, Broker objects in FILEs (YAML, many documents; none or "-"
reads standard input). --config names ConfigMap YAML files or directories of them:
config-features, config-defaults, config-autoscaler, config-br-defaults.
Prints "ok|refused|warning <Kind> <namespace>/<name>[: message]" per object; exit status 0 when
all pass, 1 when any is refused, 2 for usage or input errors.`

// object is what Knative's admission webhooks handle (resourcesemantics.GenericCRD, minus
// runtime.Object which is not needed here).
type object interface {
	apis.Defaultable
	apis.Validatable
}

// judged lists the kinds the judge knows, with a constructor of an empty typed object.
var judged = map[schema.GroupVersionKind]func() object{
	servingv1.SchemeGroupVersion.WithKind("Service"):       func() object { return &servingv1.Service{} },
	servingv1.SchemeGroupVersion.WithKind("Configuration"): func() object { return &servingv1.Configuration{} },
	servingv1.SchemeGroupVersion.WithKind("Route"):         func() object { return &servingv1.Route{} },
	servingv1.SchemeGroupVersion.WithKind("Revision"):      func() object { return &servingv1.Revision{} },
	eventingv1.SchemeGroupVersion.WithKind("Trigger"):      func() object { return &eventingv1.Trigger{} },
	eventingv1.SchemeGroupVersion.WithKind("Broker"):       func() object { return &eventingv1.Broker{} },
}

// upstreamBrokerDefaults is the default-br-config of Eventing's release ConfigMap
// config-br-defaults (config/core/configmaps/default-broker.yaml), used when none is given.
const upstreamBrokerDefaults = `clusterDefault:
  brokerClass: MTChannelBasedBroker
  apiVersion: v1
  kind: ConfigMap
  name: config-br-default-channel
  namespace: knative-eventing
  delivery:
    retry: 10
    backoffPolicy: exponential
    backoffDelay: PT0.2S
`

// ConfigMap names read by --config.
const (
	cmFeatures   = servingcfg.FeaturesConfigName  // "config-features", also Eventing's feature.FlagsConfigName
	cmDefaults   = servingcfg.DefaultsConfigName  // "config-defaults"
	cmAutoscaler = asconfig.ConfigName            // "config-autoscaler"
	cmBrDefaults = eventingcfg.DefaultsConfigName // "config-br-defaults"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the whole command; it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var configs, files []string
	flags := true
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case flags && a == "--":
			flags = false
		case flags && (a == "--config" || a == "-config"):
			if i+1 >= len(args) {
				fmt.Fprintf(stderr, "knative-judge: %s needs a value\n%s\n", a, usage)
				return exitUsage
			}
			i++
			configs = append(configs, args[i])
		case flags && (strings.HasPrefix(a, "--config=") || strings.HasPrefix(a, "-config=")):
			configs = append(configs, a[strings.Index(a, "=")+1:])
		case flags && (a == "--version" || a == "-version"):
			printVersion(stdout)
			return exitOK
		case flags && (a == "--help" || a == "-help" || a == "-h"):
			fmt.Fprintln(stdout, usage)
			return exitOK
		case flags && strings.HasPrefix(a, "-") && a != "-":
			fmt.Fprintf(stderr, "knative-judge: unknown flag %s\n%s\n", a, usage)
			return exitUsage
		default:
			files = append(files, a)
		}
	}
	if len(files) == 0 {
		files = []string{"-"}
	}

	ctx, err := loadContext(configs, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "knative-judge: %v\n", err)
		return exitUsage
	}

	out := stdout
	status := exitOK
	for _, f := range files {
		docs, err := readDocuments(f, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "knative-judge: %v\n", err)
			return exitUsage
		}
		for i, doc := range docs {
			refused, err := judgeDocument(ctx, doc, out, stderr)
			if err != nil {
				fmt.Fprintf(stderr, "knative-judge: %s document %d: %v\n", displayName(f), i+1, err)
				return exitUsage
			}
			if refused {
				status = exitRefused
			}
		}
	}
	return status
}

func displayName(file string) string {
	if file == "-" {
		return "<stdin>"
	}
	return file
}

// readDocuments returns the YAML documents of a file ("-" is stdin), converted to JSON; an empty
// document is returned as nil so that document indexes match the file.
func readDocuments(file string, stdin io.Reader) ([][]byte, error) {
	var r io.Reader = stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(r))
	var docs [][]byte
	for {
		raw, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s document %d: %v", displayName(file), len(docs)+1, err)
		}
		j, err := yaml.YAMLToJSON(raw)
		if err != nil {
			return nil, fmt.Errorf("%s document %d: %v", displayName(file), len(docs)+1, err)
		}
		if t := bytes.TrimSpace(j); len(t) == 0 || bytes.Equal(t, []byte("null")) {
			j = nil
		}
		docs = append(docs, j)
	}
}

// toUnstructured decodes a JSON document into unstructured; it must be an object with a kind.
func toUnstructured(doc []byte) (*unstructured.Unstructured, error) {
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(doc); err != nil {
		return nil, err
	}
	return u, nil
}

// judgeDocument judges one document and prints its verdict. It reports whether the object was
// refused; an error means the document cannot be decoded at all.
func judgeDocument(ctx context.Context, doc []byte, out io.Writer, stderr io.Writer) (refused bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("Knative's code panicked: %v", r)
		}
	}()
	if doc == nil {
		return false, nil
	}
	u, err := toUnstructured(doc)
	if err != nil {
		return false, err
	}
	newObject, ok := judged[u.GroupVersionKind()]
	if !ok {
		fmt.Fprintf(stderr, "skipped: %s %s\n", u.GetKind(), u.GetName())
		return false, nil
	}
	id := fmt.Sprintf("%s %s/%s", u.GetKind(), u.GetNamespace(), u.GetName())

	obj := newObject()
	// Knative's own decoder, strict: a field the Go types do not know is an error (metadata is
	// left to the API server, as in Knative's webhook).
	if err := webhookjson.Decode(doc, obj, true); err != nil {
		fmt.Fprintf(out, "refused %s: %s\n", id, oneLine("cannot decode: "+err.Error()))
		return true, nil
	}

	errs, warnings := admit(ctx, obj)
	if errs != nil {
		fmt.Fprintf(out, "refused %s: %s\n", id, oneLine(errs.Error()))
	} else {
		fmt.Fprintf(out, "ok %s\n", id)
	}
	for _, w := range warnings {
		fmt.Fprintf(out, "warning %s: %s\n", id, oneLine(w.Error()))
	}
	return errs != nil, nil
}

// admit does what Knative's defaulting then validating webhooks do on create.
func admit(ctx context.Context, obj object) (*apis.FieldError, []*apis.FieldError) {
	ctx = apis.WithinCreate(ctx)
	obj.SetDefaults(ctx)
	fe := obj.Validate(ctx)
	var warnings []*apis.FieldError
	if w := fe.Filter(apis.WarningLevel); w != nil {
		warnings = w.WrappedErrors()
	}
	return fe.Filter(apis.ErrorLevel), warnings
}

func oneLine(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "; ")
}

// loadContext reads the --config ConfigMaps and returns the context Knative's webhooks would
// build from them (missing ConfigMaps mean upstream defaults).
func loadContext(paths []string, stderr io.Writer) (context.Context, error) {
	maps := map[string]map[string]string{}
	for _, p := range paths {
		files, err := configFiles(p)
		if err != nil {
			return nil, fmt.Errorf("--config %s: %v", p, err)
		}
		for _, f := range files {
			docs, err := readDocuments(f, nil)
			if err != nil {
				return nil, fmt.Errorf("--config %v", err)
			}
			for i, doc := range docs {
				if doc == nil {
					continue
				}
				u, err := toUnstructured(doc)
				if err != nil {
					return nil, fmt.Errorf("--config %s document %d: %v", f, i+1, err)
				}
				if u.GetAPIVersion() != "v1" || u.GetKind() != "ConfigMap" {
					continue
				}
				switch u.GetName() {
				case cmFeatures, cmDefaults, cmAutoscaler, cmBrDefaults:
				default:
					fmt.Fprintf(stderr, "config: ignored ConfigMap %s (%s)\n", u.GetName(), f)
					continue
				}
				data, _, err := unstructured.NestedStringMap(u.Object, "data")
				if err != nil {
					return nil, fmt.Errorf("--config %s document %d: ConfigMap %s: %v", f, i+1, u.GetName(), err)
				}
				maps[u.GetName()] = data // a later one replaces an earlier one of the same name
			}
		}
	}
	return buildContext(maps)
}

// configFiles lists a --config file, or the YAML/JSON files of a --config directory.
func configFiles(p string) ([]string, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{p}, nil
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".yaml", ".yml", ".json":
			if !e.IsDir() {
				files = append(files, filepath.Join(p, e.Name()))
			}
		}
	}
	sort.Strings(files)
	return files, nil
}

// buildContext parses the ConfigMaps' data with Knative's own constructors and attaches the
// results to a context the way Serving's and Eventing's webhooks do.
func buildContext(maps map[string]map[string]string) (context.Context, error) {
	defaults, err := servingcfg.NewDefaultsConfigFromMap(maps[cmDefaults])
	if err != nil {
		return nil, fmt.Errorf("ConfigMap %s: %v", cmDefaults, err)
	}
	features, err := servingcfg.NewFeaturesConfigFromMap(maps[cmFeatures])
	if err != nil {
		return nil, fmt.Errorf("ConfigMap %s: %v", cmFeatures, err)
	}
	autoscaler, err := asconfig.NewConfigFromMap(maps[cmAutoscaler])
	if err != nil {
		return nil, fmt.Errorf("ConfigMap %s: %v", cmAutoscaler, err)
	}
	// Eventing's feature flags live in a ConfigMap of the same name (in knative-eventing); the
	// config-features given is applied to both.
	flags, err := feature.NewFlagsConfigFromMap(maps[cmFeatures])
	if err != nil {
		return nil, fmt.Errorf("ConfigMap %s (eventing flags): %v", cmFeatures, err)
	}
	brData, ok := maps[cmBrDefaults]
	if !ok {
		brData = map[string]string{eventingcfg.BrokerDefaultsKey: upstreamBrokerDefaults}
	}
	brDefaults, err := eventingcfg.NewDefaultsConfigFromMap(brData)
	if err != nil {
		return nil, fmt.Errorf("ConfigMap %s: %v", cmBrDefaults, err)
	}

	ctx := context.Background()
	ctx = servingcfg.ToContext(ctx, &servingcfg.Config{
		Defaults:   defaults,
		Features:   features,
		Autoscaler: autoscaler,
	})
	ctx = eventingcfg.ToContext(ctx, &eventingcfg.Config{Defaults: brDefaults})
	ctx = feature.ToContext(ctx, flags)
	return ctx, nil
}

// printVersion prints the Knative modules this binary was built with.
func printVersion(w io.Writer) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		fmt.Fprintln(w, "knative-judge: no build information")
		return
	}
	want := []string{"knative.dev/serving", "knative.dev/eventing", "knative.dev/pkg"}
	found := map[string]string{}
	for _, d := range info.Deps {
		v := d.Version
		if d.Replace != nil {
			v = d.Replace.Version + " (replaces " + d.Version + ")"
		}
		found[d.Path] = v
	}
	for _, p := range want {
		v, ok := found[p]
		if !ok {
			v = "unknown"
		}
		fmt.Fprintf(w, "%s %s\n", p, v)
	}
}
