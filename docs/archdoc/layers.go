package archdoc

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Module is the module's path; packages are named relative to it.
const Module = "github.com/failsim/failsim"

// A Layer is a set of packages and what they may import. Layers are listed
// bottom up, in the order data flows: a scenario file is read into the
// model, the engine runs the model into results, experiments run the
// engine many times, plots and reports draw results, the command line
// drives them all.
type Layer struct {
	Name     string
	Packages []string // relative to Module; a trailing "/..." includes sub-packages
	Imports  []string // the layers (by name) its packages may import, besides their own
	External []string // paths outside the standard library and the module it may import (prefixes)
	Owns     string   // what the layer is for, one line
}

// Layers are the module's layering rules.
var Layers = []Layer{
	{Name: "model", Packages: []string{"topology", "topology/human"},
		Owns: "the types a run is made of and their arithmetic; the words people read. Standard library only"},
	{Name: "scenario file", Packages: []string{"topology/scenariofile/...", "topology/traces"}, Imports: []string{"model"},
		External: []string{"github.com/BurntSushi/toml", "go.yaml.in/yaml", "go.opentelemetry.io/collector/pdata"},
		Owns:     "TOML scenario files, gRPC and Envoy imports, variants and --set into a validated model; traces into a scenario"},
	{Name: "review", Packages: []string{"topology/check"}, Imports: []string{"model"},
		Owns: "the static review of a model: findings from the configuration alone"},
	{Name: "engine parts", Packages: []string{"sim/des", "sim/random", "sim/window", "sim/metrics",
		"sim/breaker", "sim/retry", "sim/throttle", "sim/limit", "sim/outlier", "sim/autoscale", "sim/internal/prefetch"},
		Imports: []string{"model"}, External: []string{"gonum.org/v1/gonum", "github.com/HdrHistogram/hdrhistogram-go"},
		Owns: "the event queue, random streams, fixed-size metrics, each resilience mechanism, and cache prefetch hints"},
	{Name: "results", Packages: []string{"sim/results"}, Imports: []string{"model"},
		External: []string{"gonum.org/v1/gonum", "github.com/HdrHistogram/hdrhistogram-go", "golang.org/x/sys/unix"},
		Owns:     "the output contract: what runs and experiments write, and the estimates in it"},
	{Name: "engine", Packages: []string{"sim"}, Imports: []string{"model", "engine parts", "results"},
		Owns: "one run of a model: a pure function of the scenario and the seed"},
	{Name: "experiments", Packages: []string{"sim/experiment", "sim/trace", "sim/validation"},
		Imports: []string{"model", "scenario file", "results", "engine"}, External: []string{"go.opentelemetry.io/collector/pdata"},
		Owns: "many runs: comparisons, sweeps, edges, narrated and exported traces, checks against theory"},
	{Name: "plots and report", Packages: []string{"plots", "plots/live", "plots/report"}, Imports: []string{"model", "results"},
		External: []string{"gonum.org/v1/plot", "golang.org/x/image"},
		Owns:     "pictures and pages drawn from results files, never from the engine"},
	{Name: "playground", Packages: []string{"cmd/simulate/playground", "cmd/simulate/playground/reportpage", "cmd/simulate/playground/wasm"},
		Imports: []string{"model", "scenario file", "review", "results", "engine", "experiments", "plots and report"},
		Owns:    "the browser page and the one entry point that answers it, from a server or from WebAssembly in a worker"},
	{Name: "command line", Packages: []string{"cmd/simulate", "cmd/simulate/playground/wasm/engine", "cmd/simulate/playground/wasm/report",
		"scenarios", "scenarios/demo", "docs/scenariodoc", "docs/archdoc", "docs/cluster"},
		Imports:  []string{"model", "scenario file", "review", "engine parts", "results", "engine", "experiments", "plots and report", "playground"},
		External: []string{"github.com/spf13/cobra", "github.com/spf13/pflag", "go.opentelemetry.io/"},
		Owns:     "flags, names and the catalogue of shipped scenarios; what is printed; the docs pages; the demo system; the programs built for the browser"},
}

// Package is one package of the import graph: its imports inside the
// module (relative) and outside it (full paths, standard library left out).
type Package struct {
	Path     string
	Imports  []string
	External []string
}

// LayerOf returns the layer a package belongs to, or nil.
func LayerOf(layers []Layer, pkg string) *Layer {
	for i, l := range layers {
		for _, p := range l.Packages {
			if p == pkg || strings.HasSuffix(p, "/...") && (pkg == strings.TrimSuffix(p, "/...") || strings.HasPrefix(pkg, strings.TrimSuffix(p, "..."))) {
				return &layers[i]
			}
		}
	}
	return nil
}

// Check returns every import of graph that layers do not allow, and every
// package no layer holds, as sentences naming the import.
func Check(layers []Layer, graph []Package) []string {
	var out []string
	for _, p := range graph {
		l := LayerOf(layers, p.Path)
		if l == nil {
			out = append(out, fmt.Sprintf("%s is in no layer: add it to archdoc.Layers", p.Path))
			continue
		}
		for _, imp := range p.Imports {
			il := LayerOf(layers, imp)
			switch {
			case il == nil:
				out = append(out, fmt.Sprintf("%s imports %s, which is in no layer", p.Path, imp))
			case il.Name != l.Name && !slices.Contains(l.Imports, il.Name):
				out = append(out, fmt.Sprintf("%s (%s) imports %s (%s): the %s layer may import %s", p.Path, l.Name, imp, il.Name, l.Name, list(l.Imports)))
			}
		}
		for _, ext := range p.External {
			if !slices.ContainsFunc(l.External, func(prefix string) bool { return strings.HasPrefix(ext, prefix) }) {
				out = append(out, fmt.Sprintf("%s (%s) imports %s: the %s layer may import %s from outside the standard library", p.Path, l.Name, ext, l.Name, list(l.External)))
			}
		}
	}
	sort.Strings(out)
	return out
}

func list(xs []string) string {
	if len(xs) == 0 {
		return "nothing"
	}
	return strings.Join(xs, ", ")
}

// Mermaid draws the graph as a Mermaid flowchart, bottom up: one box per
// layer holding its packages, an arrow from a layer to each layer it
// imports from, and an arrow for each import between packages of one
// layer.
func Mermaid(layers []Layer, graph []Package) string {
	id := func(p string) string { return strings.NewReplacer("/", "_", ".", "_").Replace(p) }
	index := func(p string) int { // -1 for a package in no layer, which Check reports
		l := LayerOf(layers, p)
		return slices.IndexFunc(layers, func(m Layer) bool { return l != nil && m.Name == l.Name })
	}
	var b strings.Builder
	b.WriteString("```mermaid\nflowchart BT\n")
	for i, l := range layers {
		fmt.Fprintf(&b, "  subgraph L%d[\"%s\"]\n", i, l.Name)
		for _, p := range graph {
			if index(p.Path) == i {
				fmt.Fprintf(&b, "    %s[\"%s\"]\n", id(p.Path), p.Path)
			}
		}
		for _, p := range graph {
			for _, imp := range p.Imports {
				if index(p.Path) == i && index(imp) == i {
					fmt.Fprintf(&b, "    %s --> %s\n", id(p.Path), id(imp))
				}
			}
		}
		b.WriteString("  end\n")
	}
	for i := range layers {
		var to []int
		for _, p := range graph {
			for _, imp := range p.Imports {
				if j := index(imp); index(p.Path) == i && j != i && j >= 0 && !slices.Contains(to, j) {
					to = append(to, j)
				}
			}
		}
		slices.Sort(to)
		for _, j := range to {
			fmt.Fprintf(&b, "  L%d --> L%d\n", i, j)
		}
	}
	b.WriteString("```\n")
	return b.String()
}
