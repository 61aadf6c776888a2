package plots_test

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/failsim/failsim/plots"
	"github.com/failsim/failsim/sim/experiment"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology/scenariofile"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// fixture reads a checked-in run: testdata/run (two clients, a retrying
// load balancer, replicas, three faults, 2s buckets, a last bucket of 1s) or
// its variant testdata/fewer-retries.
func fixture(t testing.TB, name string) *results.Run {
	t.Helper()
	r, err := results.Read(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func comparison(t testing.TB) []*plots.Figure {
	return plots.Compare([]plots.Labeled{
		{Label: "fixture/base", Run: fixture(t, "run")},
		{Label: "fixture/fewer-retries", Run: fixture(t, "fewer-retries")},
	})
}

func names(figs []*plots.Figure) []string {
	var out []string
	for _, f := range figs {
		out = append(out, f.Name)
	}
	return out
}

// The golden files are reviewed pictures: every SVG, compared byte for byte,
// and the PNGs of the dashboard and one overlay, compared pixel by pixel.
// Rewrite them with go test ./plots/... -update, then look at them.
func TestGolden(t *testing.T) {
	slow(t)
	figs := append(plots.Figures(fixture(t, "run")), comparison(t)...)
	files, err := plots.Files(figs)
	if err != nil {
		t.Fatal(err)
	}
	pngs := []string{"dashboard.png", "compare-latency.png"}
	dir := filepath.Join("testdata", "golden")
	if *update {
		os.RemoveAll(dir)
		os.MkdirAll(dir, 0o755)
	}
	for name, got := range files {
		if strings.HasSuffix(name, ".png") && !slices.Contains(pngs, name) {
			continue
		}
		path := filepath.Join(dir, name)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%v (run go test ./plots/... -update to write it)", err)
			continue
		}
		if bytes.Equal(got, want) {
			continue
		}
		// Rasterising may round differently on another CPU: allow a few pixels.
		if strings.HasSuffix(name, ".png") {
			if n, err := pixelsDiffering(got, want); err == nil && n < 200 {
				continue
			}
		}
		out := filepath.Join(t.TempDir(), name)
		os.WriteFile(out, got, 0o644)
		t.Errorf("%s differs from its golden file; got %s (rewrite with -update if the change is intended)", name, out)
	}
}

// pixelsDiffering counts the pixels whose colour differs by more than a
// rounding error.
func pixelsDiffering(a, b []byte) (int, error) {
	ia, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		return 0, err
	}
	ib, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return 0, err
	}
	if ia.Bounds() != ib.Bounds() {
		return 0, fmt.Errorf("sizes %v and %v", ia.Bounds(), ib.Bounds())
	}
	n := 0
	r := ia.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := ia.At(x, y).RGBA()
			r2, g2, b2, _ := ib.At(x, y).RGBA()
			if far(r1, r2) || far(g1, g2) || far(b1, b2) {
				n++
			}
		}
	}
	return n, nil
}

func far(a, b uint32) bool { return max(a, b)-min(a, b) > 8<<8 }

func TestEveryFigureRendersAtItsSize(t *testing.T) {
	slow(t)
	run := plots.Figures(fixture(t, "run"))
	if got, want := names(run), []string{"dashboard", "latency", "amplification", "throughput", "outcomes", "queues", "wasted-work"}; !slices.Equal(got, want) {
		t.Fatalf("figures %q, want %q", got, want)
	}
	cmp := comparison(t)
	if got, want := names(cmp), []string{"compare-latency", "compare-goodput", "compare-amplification", "compare-wasted-work"}; !slices.Equal(got, want) {
		t.Fatalf("overlays %q, want %q", got, want)
	}
	for _, f := range append(run, cmp...) {
		w, h := f.Size()
		if w < 1000 || f.Title == "" || f.About == "" {
			t.Errorf("%s: %dx%d, title %q, about %q", f.Name, w, h, f.Title, f.About)
		}
		p, err := f.PNG()
		if err != nil {
			t.Fatal(err)
		}
		img, format, err := image.Decode(bytes.NewReader(p))
		if err != nil || format != "png" {
			t.Fatalf("%s.png: %v (%s)", f.Name, err, format)
		}
		if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
			t.Errorf("%s.png is %dx%d, want %dx%d", f.Name, b.Dx(), b.Dy(), w, h)
		}
		s, err := f.SVG()
		if err != nil {
			t.Fatal(err)
		}
		checkSVG(t, f.Name, s, w)
	}
}

// checkSVG decodes an SVG and checks its width: width pixels at 96 dpi are
// 0.75 × width points.
func checkSVG(t *testing.T, name string, svg []byte, width int) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	texts := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s.svg: %v", name, err)
		}
		if e, ok := tok.(xml.StartElement); ok {
			switch e.Name.Local {
			case "svg":
				for _, a := range e.Attr {
					if a.Name.Local == "width" && a.Value != fmt.Sprintf("%gpt", 0.75*float64(width)) {
						t.Errorf("%s.svg: width %s, want %gpt", name, a.Value, 0.75*float64(width))
					}
				}
			case "text":
				texts++
			}
		}
	}
	if texts < 10 {
		t.Errorf("%s.svg has %d texts: titles, ticks and legends are missing", name, texts)
	}
}

// The same results give the same bytes, read afresh each time.
func TestRenderingIsDeterministic(t *testing.T) {
	slow(t)
	render := func() map[string][]byte {
		files, err := plots.Files(append(plots.Figures(fixture(t, "run")), comparison(t)...))
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	a, b := render(), render()
	if len(a) != len(b) || len(a) == 0 {
		t.Fatalf("%d and %d files", len(a), len(b))
	}
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs between two renderings", name)
		}
	}
}

// Metrics may come and go: an unknown one changes nothing, a missing one
// removes what needs it and nothing else.
func TestMetricsThatAreUnknownOrMissing(t *testing.T) {
	base := fixture(t, "run")
	tests := []struct {
		name    string
		run     *results.Run
		figures []string
		panels  int // in the dashboard, 0 for none
	}{
		{"all there", base, []string{"dashboard", "latency", "amplification", "throughput", "outcomes", "queues", "wasted-work"}, 4},
		{"no latency", without(base, "latency_p50_s", "latency_p99_s", "latency_p999_s"),
			[]string{"dashboard", "amplification", "throughput", "outcomes", "queues", "wasted-work"}, 3},
		{"no logical requests, no wasted work", without(base, "logical_requests", "wasted_work_s"),
			[]string{"dashboard", "latency", "throughput", "outcomes", "queues"}, 2},
		{"no queue metrics", without(base, "queue_mean", "in_flight_mean"),
			[]string{"dashboard", "latency", "amplification", "throughput", "outcomes", "wasted-work"}, 4},
		{"nothing", without(base, keyMetrics(base)...), nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := names(plots.Figures(tt.run)); !slices.Equal(got, tt.figures) {
				t.Fatalf("figures %q, want %q", got, tt.figures)
			}
			d := plots.Dashboard(tt.run)
			if (d == nil) != (tt.panels == 0) {
				t.Fatalf("dashboard %v, want %d panels", d, tt.panels)
			}
			svgs(t, plots.Figures(tt.run))
			svgs(t, plots.Compare([]plots.Labeled{{Label: "a", Run: tt.run}, {Label: "b", Run: base}}))
		})
	}

	withUnknown := with(base, results.Key{Component: "web", Metric: "retry_budget_tokens"}, results.Key{Component: "db", Metric: "breaker_state"})
	a, b := svgs(t, plots.Figures(base)), svgs(t, plots.Figures(withUnknown))
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s changed with unknown metrics in the results", name)
		}
	}
}

// Faults outside the run, instant ones and none at all all draw.
func TestFaultWindowsAtTheEdges(t *testing.T) {
	for _, faults := range [][]results.Fault{
		nil,
		{{Name: "late", Kind: "crash", Targets: []string{"db"}, AtS: 200, EndS: 210}},
		{{Name: "instant", Kind: "crash", Targets: []string{"db"}, AtS: 10, EndS: 10}},
		{{Name: "past the end", Kind: "slowdown", Targets: []string{"db"}, AtS: 80, EndS: 500}},
		{{Kind: "latency"}, {Kind: "latency"}, {Kind: "latency"}}, // no name, no target, three lanes
	} {
		r := fixture(t, "run")
		r.Summary.Faults = faults
		svgs(t, plots.Figures(r))
	}
}

// svgs renders figures as SVG only, which is quick, by name.
func svgs(t *testing.T, figs []*plots.Figure) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, f := range figs {
		b, err := f.SVG()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = b
	}
	return out
}

// without returns a copy of r whose series lack the given metrics.
func without(r *results.Run, metrics ...string) *results.Run {
	var keys []results.Key
	var values [][]float64
	for i, k := range r.Series.Keys {
		if !slices.Contains(metrics, k.Metric) {
			keys, values = append(keys, k), append(values, r.Series.Values[i])
		}
	}
	return rebuilt(r, keys, values)
}

// with returns a copy of r with extra metrics, all 1.
func with(r *results.Run, extra ...results.Key) *results.Run {
	keys, values := slices.Clone(r.Series.Keys), slices.Clone(r.Series.Values)
	for _, k := range extra {
		keys = append(keys, k)
		ones := make([]float64, len(r.Series.Times))
		for i := range ones {
			ones[i] = 1
		}
		values = append(values, ones)
	}
	return rebuilt(r, keys, values)
}

func rebuilt(r *results.Run, keys []results.Key, values [][]float64) *results.Run {
	s := results.NewSeries(r.Series.BucketS, keys)
	s.EndS, s.Times, s.Values = r.Series.EndS, r.Series.Times, values
	return &results.Run{Summary: r.Summary, Series: s}
}

func keyMetrics(r *results.Run) []string {
	var ms []string
	for _, k := range r.Series.Keys {
		ms = append(ms, k.Metric)
	}
	return ms
}

func ExampleLabels() {
	run := func(scenario, variant string) *results.Run {
		return &results.Run{Summary: results.Summary{Scenario: scenario, Variant: variant}}
	}
	fmt.Println(plots.Labels([]*results.Run{run("tm", ""), run("tm", "aligned")}, []string{"out/a", "out/b"}))
	// Two runs of one variant (two seeds, say) are told apart by directory.
	fmt.Println(plots.Labels([]*results.Run{run("tm", ""), run("tm", "")}, []string{"out/seed1", "out/seed2"}))
	// Output:
	// [tm/base tm/aligned]
	// [out/seed1 out/seed2]
}

func ExampleFigures() {
	run, err := results.Read("testdata/run")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range plots.Figures(run) {
		w, h := f.Size()
		fmt.Printf("%s.png %dx%d: %s\n", f.Name, w, h, f.Title)
	}
	// Output:
	// dashboard.png 1280x1390: Dashboard
	// latency.png 1200x560: Client latency
	// amplification.png 1200x560: Load amplification per tier
	// throughput.png 1200x560: Offered load, throughput and goodput
	// outcomes.png 1200x560: Client attempts by outcome
	// queues.png 1200x1040: Queues and calls in flight
	// wasted-work.png 1200x560: Wasted work per tier
}

// mustConfig reads a scenario file for an experiment.
func mustConfig(t testing.TB, path string, sets ...scenariofile.Setting) experiment.Config {
	t.Helper()
	c, err := experiment.ReadConfig(path, "", sets...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// slow skips a test that runs long simulations or renders many figures
// when -short asks for a quick pass (CI's race-detector run uses it: these
// tests run on one goroutine, with nothing concurrent to race).
func slow(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("long; run without -short")
	}
}

// A run with a durable queue gets a third panel in its queues figure: the
// messages the queue holds.
func TestDurableQueueBacklogPanel(t *testing.T) {
	base := fixture(t, "run")
	r := with(base, results.Key{Component: "orders", Metric: "backlog_mean"})
	r.Summary.Components = maps.Clone(base.Summary.Components)
	r.Summary.Components["orders"] = results.Component{Kind: "queue", Group: "orders"}
	r.Summary.Order = append(slices.Clone(base.Summary.Order), "orders")
	height := func(r *results.Run) int {
		for _, f := range plots.Figures(r) {
			if f.Name == "queues" {
				_, h := f.Size()
				return h
			}
		}
		return 0
	}
	if a, b := height(base), height(r); b != a+340 {
		t.Errorf("queues figure %dpx high with a queue, %dpx without: want one more panel (340px)", b, a)
	}
}
