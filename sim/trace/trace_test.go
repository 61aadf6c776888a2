package trace

import (
	"bytes"
	"context"
	"flag"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/scenariofile"
)

var update = flag.Bool("update", false, "rewrite testdata/timeout-mismatch.txt")

// mismatch is the seeds' classic cut to 100s: the database slows down at
// 60s for 30s.
func mismatch(t *testing.T, variant string) *topology.Scenario {
	t.Helper()
	sc, err := scenariofile.Load("../../scenarios/timeout-mismatch.toml", variant)
	if err != nil {
		t.Fatal(err)
	}
	sc.Duration = 100 * time.Second
	return sc
}

func sample(t *testing.T, sc *topology.Scenario, n int, f Filter) []Request {
	t.Helper()
	reqs, err := Sample(context.Background(), sc, sim.Options{Seed: 1}, n, f)
	if err != nil {
		t.Fatal(err)
	}
	return reqs
}

func text(t *testing.T, reqs []Request) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, reqs); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// During the database slowdown, a request's attempts time out at the client
// after 2s while the load balancer, the backend and the database go on with
// them; the database later runs the queries for nobody, and that work is
// wasted. The story is checked word for word against a golden file
// (-update rewrites it) and on the facts it must tell.
func TestTimeoutMismatchStory(t *testing.T) {
	reqs := sample(t, mismatch(t, ""), 2, Filter{From: 62 * time.Second, To: 64 * time.Second})
	got := text(t, reqs)
	const golden = "testdata/timeout-mismatch.txt"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("the story changed (rerun with -update if intended):\n%s", got)
	}

	for _, fact := range []string{
		"failed after 6s (3 attempts, the last timed out)",
		"client users: attempt 1 timed out after 2s; load balancer lb is not told; load balancer lb keeps waiting on api-",
		"(3s of its timeout left); service api-",
		"keeps waiting on db (28.00",
		"database db still has it queued",
		"client users will send attempt 2 of 3 at once (the last timed out)",
		"load balancer lb: try 1 to service api-",
		"timed out after 5s",
		"for nobody: a caller above has given up",
		"nobody is waiting for it any more",
	} {
		if !strings.Contains(got, fact) {
			t.Errorf("the story does not tell %q", fact)
		}
	}

	// The same facts, on the events: every attempt of the first request
	// timed out at the client 2s after it was sent while the database still
	// held its query, and the database answered at least one of them later,
	// for nobody, with its work counted as wasted.
	r := reqs[0]
	var timeouts, wasted int
	for i, e := range r.Events {
		switch {
		case e.Kind == sim.TraceTimeout && e.Where == "users":
			timeouts++
			if e.Wait != 2*time.Second {
				t.Errorf("attempt %d timed out after %s, want 2s", e.Try, e.Wait)
			}
			if !slices.ContainsFunc(r.Events[i+1:], func(g sim.TraceEvent) bool {
				return g.Kind == sim.TraceGoesOn && g.At == e.At && g.Where == "db"
			}) {
				t.Errorf("attempt %d timed out but the story does not say the database still held it", e.Try)
			}
		case e.Kind == sim.TraceAnswer && e.Where == "db" && e.Orphaned && e.Wasted > 0 && e.Outcome == "ok":
			wasted++
		}
	}
	if timeouts != 3 || wasted == 0 {
		t.Errorf("request #%d: %d client timeouts (want 3), %d wasted database queries (want some)", r.ID, timeouts, wasted)
	}
}

// The trace agrees with the summary: every attempt the clients sent is
// told, and the work the story calls wasted adds up to each server's
// wasted work.
func TestTraceAgreesWithTheSummary(t *testing.T) {
	slow(t)
	sc := mismatch(t, "")
	all := &everything{wasted: map[string]time.Duration{}}
	res, err := sim.Run(context.Background(), sc, sim.Options{Seed: 1, Tracer: all})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := all.attempts, res.Summary.Clients.Attempts; got != want {
		t.Errorf("%d attempts told, summary %d", got, want)
	}
	if got, want := all.starts, res.Summary.Clients.LogicalRequests; got != want {
		t.Errorf("%d requests started, summary %d", got, want)
	}
	for _, name := range []string{"db", "api-1"} {
		got, want := all.wasted[name].Seconds(), res.Summary.Components[name].WastedWorkS
		if math.Abs(got-want) > 1e-6*want+1e-9 {
			t.Errorf("%s: %.6fs wasted in the story, %.6fs in the summary", name, got, want)
		}
	}
	if res.Summary.Components["db"].WastedWorkS == 0 {
		t.Error("no wasted work at the database: the check above proves nothing")
	}

	// Tracing changes nothing: a traced run keeps abandoned calls linked to
	// their requests (to tell whose work they are), an untraced one lets
	// them go, and both give the same bytes.
	untraced, err := sim.Run(context.Background(), sc, sim.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	a1, a2, _ := res.Encode()
	b1, b2, _ := untraced.Encode()
	if !bytes.Equal(a1, b1) || !bytes.Equal(a2, b2) {
		t.Error("the traced run's summary.json or timeseries.csv differs from the untraced run's")
	}
}

type everything struct {
	starts, attempts int64
	wasted           map[string]time.Duration
}

func (a *everything) Trace(e *sim.TraceEvent) {
	switch {
	case e.Kind == sim.TraceStart:
		a.starts++
	case e.Kind == sim.TraceSend && e.Where == e.Client:
		a.attempts++
	case e.Kind == sim.TraceAnswer:
		a.wasted[e.Where] += e.Wasted
	}
}

// The filters choose which requests are told, and the same scenario and
// seed always tell the same requests the same way.
func TestFilters(t *testing.T) {
	slow(t)
	sc := mismatch(t, "")
	window := sample(t, sc, 3, Filter{From: 70 * time.Second, To: 80 * time.Second})
	if len(window) != 3 {
		t.Fatalf("%d requests, want 3", len(window))
	}
	for _, r := range window {
		if at := r.Events[0].At; at < 70*time.Second || at >= 80*time.Second {
			t.Errorf("request #%d started at %s, outside [70s, 80s)", r.ID, at)
		}
	}
	if again := sample(t, sc, 3, Filter{From: 70 * time.Second, To: 80 * time.Second}); text(t, again) != text(t, window) {
		t.Error("the same filter told another story")
	}

	byID := sample(t, sc, 1, Filter{Requests: []int64{window[1].ID}})
	if len(byID) != 1 || text(t, byID) != text(t, window[1:2]) {
		t.Errorf("--request %d told another request", window[1].ID)
	}

	for _, r := range sample(t, sc, 2, Filter{Component: "api-2", From: 20 * time.Second}) {
		if !slices.ContainsFunc(r.Events, func(e sim.TraceEvent) bool { return e.Where == "api-2" || e.Callee == "api-2" }) {
			t.Errorf("request #%d never reached api-2", r.ID)
		}
	}
}

func TestSpread(t *testing.T) {
	ids := []int64{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}
	for _, tc := range []struct {
		n    int
		want []int64
	}{
		{1, []int64{15}},
		{2, []int64{12, 17}},
		{5, []int64{11, 13, 15, 17, 19}},
		{20, ids},
	} {
		if got := spread(ids, tc.n); !slices.Equal(got, tc.want) {
			t.Errorf("spread(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
}

// slow skips a test that takes seconds under -short.
func slow(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("slow; skipped under -short")
	}
}
