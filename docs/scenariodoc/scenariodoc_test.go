package scenariodoc

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/failsim/failsim/scenarios"
	"github.com/failsim/failsim/sim/experiment"
	"github.com/failsim/failsim/topology/scenariofile"
)

// Every shipped scenario has a page in docs/scenarios whose generated
// sections (numbers included) are what 'simulate docs' writes today, whose
// narrative is written, and whose dashboards exist at a modest size. When
// this fails, run 'simulate docs' from the repository's root.
func TestPagesAreCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every shipped scenario; skipped under -short")
	}
	problems, err := Check(context.Background(), "../scenarios", experiment.Sequential)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// Check finds what a reader would be misled by: changed numbers, a
// skeleton's unwritten narrative, a missing image, a missing page.
func TestCheckFindsStaleAndUnfinishedPages(t *testing.T) {
	e := entry(t, "bad-instance")
	dir := t.TempDir()
	if ps, err := checkPage(context.Background(), dir, e, experiment.Sequential); err != nil || len(ps) != 1 || !strings.Contains(ps[0], "bad-instance.md is missing") {
		t.Fatalf("no page: %v, %v", ps, err)
	}
	page, err := os.ReadFile("../scenarios/bad-instance.md")
	if err != nil {
		t.Fatal(err)
	}
	stale := strings.Replace(string(page), "| base | nothing: the scenario as written | ", "| base | nothing: the scenario as written | 1", 1)
	stale += "\n" + todo + " more to say\n"
	if err := os.WriteFile(filepath.Join(dir, "bad-instance.md"), []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	ps, err := checkPage(context.Background(), dir, e, experiment.Sequential)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(ps, "\n")
	for _, want := range []string{"bad-instance.md is stale (line ", "the narrative is not written", "images/bad-instance-base.png is missing", "images/bad-instance-outlier-ejection.png is missing"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
}

func entry(t *testing.T, name string) scenarios.Entry {
	t.Helper()
	all, err := scenarios.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range all {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("no scenario %s", name)
	return scenarios.Entry{}
}

// fill rewrites what is between the markers and nothing else.
func TestFill(t *testing.T) {
	page := skeleton("x")
	page = strings.Replace(page, "## The story\n", "## The story\n\nHand-written.\n", 1)
	secs := map[string]string{"summary": "S\n", "topology": "T\n", "runs": "R\n", "reproduce": "P\n"}
	once, err := fill(page, secs)
	if err != nil {
		t.Fatal(err)
	}
	twice, err := fill(once, secs)
	if err != nil || twice != once {
		t.Fatalf("fill is not idempotent: %v", err)
	}
	for _, want := range []string{"Hand-written.", begin("runs") + "\nR\n" + end("runs"), begin("summary") + "\nS\n" + end("summary")} {
		if !strings.Contains(once, want) {
			t.Errorf("page lacks %q:\n%s", want, once)
		}
	}
	if _, err := fill(strings.Replace(page, end("topology"), "", 1), secs); err == nil || !strings.Contains(err.Error(), `no section "topology"`) {
		t.Errorf("a page without a marker: %v", err)
	}
}

func ExampleDOT() {
	sc, err := scenariofile.Parse("x.toml", []byte(`name = "x"
[client.users]
target = "lb"
rate = 100
timeout = "2s"
retry = { max_attempts = 3, backoff = "none" }
[load_balancer.lb]
targets = ["api"]
[service.api]
instances = 2
workers = 8
service_time = { dist = "exponential", mean = "20ms" }
[[fault]]
target = "api-2"
kind = "crash"
at = "30s"
for = "10s"
`), "")
	if err != nil {
		panic(err)
	}
	fmt.Print(DOT(sc))
	// Output:
	// digraph "x" {
	//   rankdir=LR;
	//   node [fontname="Helvetica", fontsize=10];
	//   edge [fontname="Helvetica", fontsize=9];
	//   "users" [shape=ellipse, label="users\n100 requests/s"];
	//   "users" -> "lb" [label="timeout 2s\n3 attempts, no backoff"];
	//   "lb" [shape=diamond, label="lb\nround_robin"];
	//   "lb" -> "api" [label="route timeout 15s"];
	//   "api" [shape=box, label="api ×2\n8 workers, exp. mean 20ms\nfault on api-2: crash 30s–40s"];
	// }
}

// fill never panics on a page, and a page it filled fills to itself.
func FuzzFill(f *testing.F) {
	f.Add(skeleton("x"))
	f.Add(begin("summary") + end("summary"))
	f.Add(end("runs") + begin("runs"))
	secs := map[string]string{"summary": "S\n", "topology": "T\n", "runs": "R\n", "reproduce": "P\n"}
	f.Fuzz(func(t *testing.T, page string) {
		once, err := fill(page, secs)
		if err != nil {
			return
		}
		if twice, err := fill(once, secs); err != nil || twice != once {
			t.Fatalf("fill(fill(page)) differs: %v", err)
		}
	})
}
