package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The plots tests' fixture: a checked-in run and its variant.
const (
	fixtureRun     = "../../plots/testdata/run"
	fixtureVariant = "../../plots/testdata/fewer-retries"
)

func TestRunPlotWritesPlotsReportAndScenario(t *testing.T) {
	dir := t.TempDir()
	scenario := filepath.Join(fixtureRun, "scenario.toml")
	code, out, errOut := simulate(t, "run", scenario, "--duration", "20s", "--plot", "--out", dir)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if !strings.Contains(out, "wrote report.html, the dashboard and the plots (PNG and SVG) into "+dir) {
		t.Errorf("output does not say where the report is:\n%s", out)
	}
	for _, name := range []string{"report.html", "dashboard.png", "dashboard.svg", "latency.png", "wasted-work.svg", "summary.json", "timeseries.csv",
		"topology.svg", "check.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	src, _ := os.ReadFile(scenario)
	if copied, err := os.ReadFile(filepath.Join(dir, "scenario.toml")); err != nil || !bytes.Equal(copied, src) {
		t.Errorf("scenario.toml is not a copy of the scenario run: %v", err)
	}
	page, _ := os.ReadFile(filepath.Join(dir, "report.html"))
	for _, want := range []string{"[variant.fewer-retries]", `<img class="topology" src="data:image/svg&#43;xml;base64,`, "warning[orphaned-work]"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("report.html lacks %q: the scenario text, its topology and its check", want)
		}
	}

	// Drawing again from the files gives the same bytes.
	again := t.TempDir()
	if code, _, errOut := simulate(t, "plot", dir, "--out", again); code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	entries, _ := os.ReadDir(again)
	if len(entries) != 15 {
		t.Fatalf("plot wrote %d files, want 7 figures as PNG and SVG and report.html", len(entries))
	}
	for _, e := range entries {
		a, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		b, _ := os.ReadFile(filepath.Join(again, e.Name()))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between run --plot and plot", e.Name())
		}
	}
}

func TestPlotRedrawsADirectoryInPlace(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"summary.json", "timeseries.csv"} { // no scenario.toml
		b, _ := os.ReadFile(filepath.Join(fixtureRun, name))
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	if code, _, errOut := simulate(t, "plot", dir); code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	page, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil || !bytes.Contains(page, []byte("Scenario text not available")) {
		t.Fatalf("report.html: %v", err)
	}
}

func TestPlotOverlaysSeveralRuns(t *testing.T) {
	out := filepath.Join(t.TempDir(), "compare")
	code, stdout, errOut := simulate(t, "plot", fixtureRun, fixtureVariant, "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if !strings.Contains(stdout, "wrote 4 overlay plots (PNG and SVG) into "+out) {
		t.Errorf("output: %s", stdout)
	}
	entries, _ := os.ReadDir(out)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	want := []string{"compare-amplification.png", "compare-amplification.svg", "compare-goodput.png", "compare-goodput.svg",
		"compare-latency.png", "compare-latency.svg", "compare-wasted-work.png", "compare-wasted-work.svg"}
	if !slices.Equal(got, want) {
		t.Fatalf("wrote %q, want %q", got, want)
	}
	svg, _ := os.ReadFile(filepath.Join(out, "compare-goodput.svg"))
	for _, label := range []string{"fixture/base", "fixture/fewer-retries"} {
		if !bytes.Contains(svg, []byte(label)) {
			t.Errorf("the legend lacks %q", label)
		}
	}
}

func TestPlotBadInputExitsTwoAndWritesNothing(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	badJSON := filepath.Join(dir, "bad-json")
	os.Mkdir(badJSON, 0o755)
	os.WriteFile(filepath.Join(badJSON, "summary.json"), []byte("{\"scenario\": 3"), 0o644)
	badCSV := filepath.Join(dir, "bad-csv")
	os.Mkdir(badCSV, 0o755)
	summary, _ := os.ReadFile(filepath.Join(fixtureRun, "summary.json"))
	os.WriteFile(filepath.Join(badCSV, "summary.json"), summary, 0o644)
	os.WriteFile(filepath.Join(badCSV, "timeseries.csv"), []byte("t,component,metric,value\nsoon,db,arrivals,1\n"), 0o644)
	out := filepath.Join(dir, "out")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no directory", []string{"plot"}, "expected one or more results directories, got none"},
		{"missing directory", []string{"plot", filepath.Join(dir, "nope"), "--out", out}, "nope: not a results directory: no summary.json (write one with 'simulate run FILE --out "},
		{"directory without results", []string{"plot", empty, "--out", out}, "empty: not a results directory: no summary.json"},
		{"malformed summary", []string{"plot", badJSON, "--out", out}, "bad-json: cannot read results: " + filepath.Join(badJSON, "summary.json") + ": unexpected end of JSON input"},
		{"malformed time series", []string{"plot", badCSV, "--out", out}, "bad-csv: cannot read results: timeseries.csv:2: t and value must be numbers"},
		{"one bad run of two", []string{"plot", fixtureRun, empty, "--out", out}, "empty: not a results directory"},
		{"several runs without --out", []string{"plot", fixtureRun, fixtureVariant}, "comparing 2 runs needs --out DIR for the overlay plots"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := simulate(t, tt.args...)
			if code != exitInput {
				t.Fatalf("exit %d, want %d\n%s", code, exitInput, errOut)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, errOut)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Fatal("output directory was created")
			}
			if entries, _ := os.ReadDir(empty); len(entries) != 0 {
				t.Fatal("wrote into a directory without results")
			}
		})
	}
}
