package archdoc_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/failsim/failsim/docs/archdoc"
)

var update = flag.Bool("update", false, "rewrite the generated sections of docs/architecture.md")

const root = "../.."

func graph(t *testing.T) []archdoc.Package {
	t.Helper()
	g, err := archdoc.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// Every import of every package is one its layer may make.
func TestLayering(t *testing.T) {
	for _, v := range archdoc.Check(archdoc.Layers, graph(t)) {
		t.Error(v)
	}
}

// The rules fail when broken: each edit of a correct graph below breaks
// one, and Check names it.
func TestCheckFindsEveryBrokenRule(t *testing.T) {
	good := []archdoc.Package{
		{Path: "topology"},
		{Path: "topology/scenariofile", Imports: []string{"topology"}, External: []string{"github.com/BurntSushi/toml"}},
		{Path: "sim/breaker", Imports: []string{"topology", "sim/des"}},
		{Path: "sim/des"},
		{Path: "sim/results", Imports: []string{"topology/human"}},
		{Path: "topology/human"},
		{Path: "sim", Imports: []string{"sim/breaker", "sim/results"}},
		{Path: "plots", Imports: []string{"sim/results"}, External: []string{"gonum.org/v1/plot/vg"}},
	}
	if v := archdoc.Check(archdoc.Layers, good); len(v) > 0 {
		t.Fatalf("a correct graph: %q", v)
	}
	for _, tc := range []struct {
		name string
		pkg  string
		edit func(p *archdoc.Package)
		want string
	}{
		{"the model links a parser", "topology", func(p *archdoc.Package) { p.External = []string{"github.com/BurntSushi/toml"} },
			"topology (model) imports github.com/BurntSushi/toml: the model layer may import nothing"},
		{"a mechanism imports the parser", "sim/breaker", func(p *archdoc.Package) { p.Imports = append(p.Imports, "topology/scenariofile") },
			"sim/breaker (engine parts) imports topology/scenariofile (scenario file)"},
		{"plots reach the engine", "plots", func(p *archdoc.Package) { p.Imports = append(p.Imports, "sim") },
			"plots (plots and report) imports sim (engine)"},
		{"results link the engine", "sim/results", func(p *archdoc.Package) { p.Imports = append(p.Imports, "sim") },
			"sim/results (results) imports sim (engine)"},
		{"a package in no layer", "sim/des", func(p *archdoc.Package) { p.Path = "sim/newthing" },
			"sim/newthing is in no layer"},
		{"the engine uses the command line's library", "sim", func(p *archdoc.Package) { p.External = []string{"github.com/spf13/cobra"} },
			"sim (engine) imports github.com/spf13/cobra"},
	} {
		broken := slices.Clone(good)
		i := slices.IndexFunc(broken, func(p archdoc.Package) bool { return p.Path == tc.pkg })
		p := broken[i]
		p.Imports, p.External = slices.Clone(p.Imports), slices.Clone(p.External)
		tc.edit(&p)
		broken[i] = p
		v := archdoc.Check(archdoc.Layers, broken)
		if len(v) != 1 || !strings.HasPrefix(v[0], tc.want) {
			t.Errorf("%s: violations %q, want one starting %q", tc.name, v, tc.want)
		}
	}
}

// What the issue that drew these lines asked, as `go list -deps` sees it:
// no mechanism and no plot links a TOML or YAML parser, and plots do not
// link the engine.
func TestDepsOfMechanismsAndPlots(t *testing.T) {
	forbidden := []string{"github.com/BurntSushi/toml", "go.yaml.in/yaml/v3", "topology/scenariofile"}
	for _, pkg := range []string{"sim/breaker", "sim/retry", "sim/throttle", "sim/limit", "sim/outlier", "sim/random",
		"sim/autoscale", "sim/window", "sim/metrics", "sim/des", "sim", "sim/results", "plots", "plots/live", "plots/report", "topology", "topology/check"} {
		deps, err := archdoc.Deps(root, pkg)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range deps {
			if slices.Contains(forbidden, d) || strings.HasPrefix(pkg, "plots") && (d == "sim" || d == "sim/experiment") {
				t.Errorf("%s links %s", pkg, d)
			}
			if pkg == "plots/live" && strings.HasPrefix(d, "gonum.org/v1/plot") {
				t.Errorf("plots/live links %s: the engine built for the browser would carry a plotting library", d)
			}
		}
	}
}

// docs/architecture.md's drawing is the graph as it is.
func TestDrawingIsCurrent(t *testing.T) {
	path := filepath.Join(root, "docs", "architecture.md")
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := archdoc.Fill(page, "dependencies", archdoc.Mermaid(archdoc.Layers, graph(t)))
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, page) {
		t.Errorf("the dependency drawing in docs/architecture.md is stale: go test ./docs/archdoc -update redraws it")
	}
}
