package check

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/scenariofile"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// checkFile parses a scenario and checks it; shipped scenarios are named from the
// repository's root, as a user there would name them.
func checkFile(t *testing.T, path, variant string) *Report {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenariofile.Parse(strings.TrimPrefix(path, "../../"), src, variant)
	if err != nil {
		t.Fatalf("%s", err.(scenariofile.Errors).Pretty())
	}
	return Run(sc)
}

// found is the severities of rule's findings, in report order.
func found(r *Report, rule string) []Severity {
	var out []Severity
	for _, f := range r.Findings {
		if f.Rule == rule {
			out = append(out, f.Severity)
		}
	}
	return out
}

// Each rule fires on the small scenario made for it, at the key that causes
// it, and not on its fixed variant.
func TestEachRuleTriggersAndIsFixed(t *testing.T) {
	w, n, e := Warning, Note, Error
	tests := []struct {
		file, variant string
		rule          string
		want          []Severity
		line          int // of the first finding, when it matters
	}{
		{"orphaned-work", "", ruleOrphanedWork, []Severity{w}, 8},
		{"orphaned-work", "cancelled-above", ruleOrphanedWork, []Severity{w}, 14},
		{"orphaned-work", "fixed", ruleOrphanedWork, nil, 0},
		{"no-timeout", "", ruleNoTimeout, []Severity{w}, 5},
		{"no-timeout", "bounded", ruleNoTimeout, []Severity{n}, 5},
		{"no-timeout", "fixed", ruleNoTimeout, nil, 0},
		{"per-try-not-below-deadline", "", rulePerTry, []Severity{w, w}, 7},
		{"per-try-not-below-deadline", "fixed", rulePerTry, nil, 0},
		{"overlapping-attempts", "", ruleOverlapping, []Severity{w}, 8},
		{"overlapping-attempts", "fixed", ruleOverlapping, nil, 0},
		{"retry-amplification", "", ruleAmplification, []Severity{w, w}, 13},
		{"retry-amplification", "fixed", ruleAmplification, nil, 0},
		{"retry-no-backoff", "", ruleNoBackoff, []Severity{w}, 7},
		{"retry-no-backoff", "fixed", ruleNoBackoff, nil, 0},
		{"retry-no-jitter", "", ruleNoJitter, []Severity{n}, 7},
		{"retry-no-jitter", "exponential", ruleNoJitter, []Severity{n}, 7},
		{"retry-no-jitter", "fixed", ruleNoJitter, nil, 0},
		{"retry-no-budget", "", ruleNoBudget, []Severity{w}, 7},
		{"retry-no-budget", "free-budget", ruleNoBudget, []Severity{w}, 15},
		{"retry-no-budget", "fixed", ruleNoBudget, nil, 0},
		{"retry-no-budget", "breaker", ruleNoBudget, nil, 0},
		{"retry-unsafe-outcome", "", ruleUnsafeOutcome, []Severity{n}, 8},
		{"retry-unsafe-outcome", "repeats-calls", ruleUnsafeOutcome, []Severity{n}, 8},
		{"retry-unsafe-outcome", "fixed", ruleUnsafeOutcome, nil, 0},
		{"capacity", "", ruleCapacity, []Severity{e}, 10},
		{"capacity", "retries", ruleCapacity, []Severity{w}, 10},
		{"capacity", "hedges", ruleCapacity, []Severity{w}, 10},
		{"capacity", "headroom", ruleCapacity, []Severity{n}, 10},
		{"capacity", "autoscaled", ruleCapacity, []Severity{w}, 29},
		{"capacity", "autoscaled-too-little", ruleCapacity, []Severity{e}, 10},
		{"capacity", "fixed", ruleCapacity, nil, 0},
		{"capacity-closed-loop", "", ruleCapacity, []Severity{w}, 12},
		{"capacity-closed-loop", "fixed", ruleCapacity, nil, 0},
		{"capacity-closed-loop", "burst", ruleCapacity, nil, 0},
		{"capacity-closed-loop", "long-burst", ruleCapacity, []Severity{w}, 12},
		{"unbounded-queue", "", ruleUnboundedQueue, []Severity{w}, 10},
		{"unbounded-queue", "told", ruleUnboundedQueue, nil, 0},
		{"unbounded-queue", "fixed", ruleUnboundedQueue, nil, 0},
		{"breaker-unreachable", "", ruleBreakerUnreached, []Severity{n}, 8},
		{"breaker-unreachable", "time-based", ruleBreakerUnreached, []Severity{w}, 8},
		{"breaker-unreachable", "slow", ruleBreakerUnreached, []Severity{n}, 8},
		{"breaker-unreachable", "fixed", ruleBreakerUnreached, nil, 0},
		{"budget-never-refills", "", ruleBudgetNoRefill, []Severity{w}, 7},
		{"budget-never-refills", "fixed", ruleBudgetNoRefill, nil, 0},
		{"budget-never-allows", "", ruleBudgetNeverAllows, []Severity{w, w, w, w}, 8},
		{"budget-never-allows", "fixed", ruleBudgetNeverAllows, nil, 0},
		{"retry-duplicate-write", "", ruleDuplicateWrite, []Severity{w}, 9},
		{"retry-duplicate-write", "hedged", ruleDuplicateWrite, []Severity{w}, 0},
		{"retry-duplicate-write", "refusals-only", ruleDuplicateWrite, nil, 0},
		{"retry-duplicate-write", "fixed", ruleDuplicateWrite, nil, 0},
		{"partial-failure-no-policy", "", rulePartialFailure, []Severity{w}, 13},
		{"partial-failure-no-policy", "write-last", rulePartialFailure, nil, 0},
		{"partial-failure-no-policy", "intended", rulePartialFailure, nil, 0},
		{"partial-failure-no-policy", "fixed", rulePartialFailure, nil, 0},
		{"cold-cache", "", ruleColdCache, []Severity{w}, 12},
		{"cold-cache", "coalesced", ruleColdCache, []Severity{n}, 12},
		{"cold-cache", "fixed", ruleColdCache, nil, 0},
		{"cold-cache", "warm-enough", ruleColdCache, nil, 0},
		{"shared-workers", "", ruleSharedWorkers, []Severity{w}, 14},
		{"shared-workers", "fixed", ruleSharedWorkers, nil, 0},
		{"shared-workers", "short-timeout", ruleSharedWorkers, nil, 0},
		{"shared-workers", "every-call", ruleSharedWorkers, nil, 0},
		{"group-load", "", ruleGroupLoad, []Severity{w}, 11},
		{"group-load", "retried", ruleGroupLoad, []Severity{n}, 0},
		{"group-load", "fixed", ruleGroupLoad, nil, 0},
		{"join-timeout", "", ruleJoinTimeout, []Severity{w}, 11},
		{"join-timeout", "by-its-calls", ruleJoinTimeout, []Severity{w}, 0},
		{"join-timeout", "fixed", ruleJoinTimeout, nil, 0},
		{"fanout-tail", "", ruleFanoutTail, []Severity{w}, 12},
		{"fanout-tail", "quorum", ruleFanoutTail, nil, 0},
		{"fanout-tail", "hedged", ruleFanoutTail, nil, 0},
		{"fanout-tail", "fixed", ruleFanoutTail, nil, 0},
		{"quorum-overlap", "", ruleQuorumOverlap, []Severity{w}, 19},
		{"quorum-overlap", "fixed", ruleQuorumOverlap, nil, 0},
		{"class-criticality", "", ruleClassCriticality, []Severity{w}, 11},
		{"class-criticality", "fixed", ruleClassCriticality, nil, 0},
		{"token-bucket", "", ruleBudgetNoRefill, []Severity{w}, 7},
		{"token-bucket", "empty", ruleBudgetNeverAllows, []Severity{w}, 7},
		{"token-bucket", "empty", ruleBudgetNoRefill, nil, 0},
		{"token-bucket", "fixed", ruleBudgetNoRefill, nil, 0},
		{"timeout-below-round-trip", "", ruleRoundTrip, []Severity{w}, 6},
		{"timeout-below-round-trip", "deadline", ruleRoundTrip, []Severity{w}, 0},
		{"timeout-below-round-trip", "fixed", ruleRoundTrip, nil, 0},
		{"retry-lossy-write", "", ruleLossyWrite, []Severity{w}, 16},
		{"retry-lossy-write", "partitioned", ruleLossyWrite, []Severity{w}, 16},
		{"retry-lossy-write", "requests-only", ruleLossyWrite, nil, 0},
		{"retry-lossy-write", "fixed", ruleLossyWrite, nil, 0},
		{"conditional-retry-no-jitter", "", ruleConditionalNoJitter, []Severity{w}, 9},
		{"conditional-retry-no-jitter", "exponential", ruleConditionalNoJitter, []Severity{w}, 9},
		{"conditional-retry-no-jitter", "conflicts-not-retried", ruleConditionalNoJitter, nil, 0},
		{"conditional-retry-no-jitter", "fixed", ruleConditionalNoJitter, nil, 0},
	}
	for _, tt := range tests {
		name := tt.file + "/" + cmpOr(tt.variant, "base")
		t.Run(name, func(t *testing.T) {
			r := checkFile(t, filepath.Join("testdata", tt.file+".toml"), tt.variant)
			if got := found(r, tt.rule); !slices.Equal(got, tt.want) {
				t.Fatalf("%s: %v, want %v\n%s", tt.rule, got, tt.want, lines(r))
			}
			for _, f := range r.Findings {
				if f.Rule == tt.rule && tt.line > 0 {
					if f.Pos.Line != tt.line {
						t.Errorf("first finding at line %d, want %d: %s", f.Pos.Line, tt.line, f.Line())
					}
					break
				}
			}
		})
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func lines(r *Report) string {
	var b strings.Builder
	for _, f := range r.Findings {
		b.WriteString(f.Line() + "\n")
	}
	return b.String()
}

// The seed's scenario: orphaned work at every layer and attempts that
// overlap at the database; each of its fixes removes them.
func TestTimeoutMismatchFindingsAndFixes(t *testing.T) {
	const file = "../../scenarios/timeout-mismatch.toml"
	base := checkFile(t, file, "")
	if got := found(base, ruleOrphanedWork); len(got) != 3 {
		t.Errorf("orphaned-work %d times, want 3 (users, lb and api each give up first)\n%s", len(got), lines(base))
	}
	for _, rule := range []string{ruleOverlapping, ruleUnsafeOutcome, ruleUnboundedQueue} {
		if len(found(base, rule)) != 1 {
			t.Errorf("base: no %s finding\n%s", rule, lines(base))
		}
	}
	for _, f := range base.Findings {
		if f.Rule == ruleOverlapping && !strings.Contains(f.Summary, "up to 3 of one request at once at lb, api and db") {
			t.Errorf("overlap: %s", f.Summary)
		}
	}
	for _, v := range []string{"aligned", "deadline-propagation", "cancellation"} {
		r := checkFile(t, file, v)
		for _, rule := range []string{ruleOrphanedWork, ruleOverlapping, ruleUnsafeOutcome, ruleUnboundedQueue} {
			if got := found(r, rule); len(got) > 0 {
				t.Errorf("%s still has %s\n%s", v, rule, lines(r))
			}
		}
	}
}

// Every shipped demonstration holds: the scenario's base has the finding,
// the variants named as fixes do not.
func TestShippedDemos(t *testing.T) {
	for _, rule := range Rules() {
		d := rule.Demo
		if d == nil {
			continue
		}
		path := "../../" + d.Scenario
		if got := found(checkFile(t, path, ""), rule.ID); len(got) == 0 {
			t.Errorf("%s: the base of %s has no finding", rule.ID, d.Scenario)
		}
		for _, v := range d.FixedBy {
			if r := checkFile(t, path, v); len(found(r, rule.ID)) > 0 {
				t.Errorf("%s: variant %s of %s still has it:\n%s", rule.ID, v, d.Scenario, lines(r))
			}
		}
	}
}

// The loads behind the capacity findings of the shipped scenarios are the
// ones their comments derive by hand.
func TestCapacityNumbers(t *testing.T) {
	for _, tt := range []struct{ file, want string }{
		// 300 requests/s, 3 attempts; 22 connections / 25.4ms
		{"../../scenarios/timeout-mismatch.toml", "up to 900 queries/s against 866 queries/s"},
		// 240 users, 3s think, three 1s timeouts: 240 * 3 / (3 + 3); 10 workers / 100ms
		{"../../scenarios/retry-storm.toml", "up to 120 calls/s against 100 calls/s"},
	} {
		r := checkFile(t, tt.file, "")
		var got []string
		for _, f := range r.Findings {
			if f.Rule == ruleCapacity {
				got = append(got, f.Summary)
			}
		}
		if len(got) != 1 || !strings.Contains(got[0], tt.want) {
			t.Errorf("%s: capacity findings %q, want one with %q", tt.file, got, tt.want)
		}
	}
}

// The report of the seed's scenario, for people and for tools.
func TestGoldenReports(t *testing.T) {
	r := checkFile(t, "../../scenarios/timeout-mismatch.toml", "")
	for _, format := range []struct {
		file  string
		write func(*Report, *bytes.Buffer) error
	}{
		{"timeout-mismatch.txt", func(r *Report, b *bytes.Buffer) error { return r.WriteText(b) }},
		{"timeout-mismatch.json", func(r *Report, b *bytes.Buffer) error { return r.WriteJSON(b) }},
	} {
		var b bytes.Buffer
		if err := format.write(r, &b); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "golden", format.file)
		if *update {
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to write it)", err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%s differs from the report (go test -update rewrites it):\n%s", path, b.String())
		}
	}
}

// docs/check.md describes every rule under a heading of its id.
func TestDocsListEveryRule(t *testing.T) {
	doc, err := os.ReadFile("../../docs/check.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range Rules() {
		if !strings.Contains(string(doc), "\n### "+r.ID+"\n") {
			t.Errorf("docs/check.md has no section \"### %s\"", r.ID)
		}
	}
}

// Findings come sorted by position then rule, whatever order the rules ran
// in, and the same scenario gives the same report.
func TestFindingsAreSortedAndStable(t *testing.T) {
	a := checkFile(t, "testdata/retry-amplification.toml", "")
	b := checkFile(t, "testdata/retry-amplification.toml", "")
	if lines(a) != lines(b) {
		t.Fatalf("two runs differ:\n%s\n%s", lines(a), lines(b))
	}
	for i := 1; i < len(a.Findings); i++ {
		p, q := a.Findings[i-1], a.Findings[i]
		if p.Pos.Line > q.Pos.Line || (p.Pos.Line == q.Pos.Line && p.Pos.Col == q.Pos.Col && p.Rule > q.Rule) {
			t.Errorf("out of order:\n%s\n%s", p.Line(), q.Line())
		}
	}
}

// The closed form of a server's capacity under load-dependent slowdown is
// the peak of the throughput curve over every number of busy workers.
func TestCapacityPeaksWhereTheCurveDoes(t *testing.T) {
	const work, calls = 0.02, 0.005
	for _, sd := range []topology.Slowdown{{}, {Sigma: 0.1}, {Sigma: 0.05, Kappa: 0.001}, {Kappa: 0.02, PerCall: 1e6}, {Sigma: 1}} {
		for _, workers := range []int{1, 7, 300} {
			var peak float64
			for n := 1.0; n <= float64(workers); n++ {
				peak = max(peak, n/(work*(1+sd.Sigma*(n-1)+sd.Kappa*n*(n-1))+sd.PerCall.Seconds()*n+calls))
			}
			got := capacity(&topology.Server{Workers: workers, Slowdown: sd}, work, calls)
			if math.Abs(got-peak) > 1e-9*peak {
				t.Errorf("%+v, %d workers: %g, want %g", sd, workers, got, peak)
			}
		}
	}
}

// The peak of a schedule is at one of its corners or a spike's start,
// within the run.
func TestPeakRate(t *testing.T) {
	sc, err := scenariofile.Parse("s.toml", []byte(`duration = "2m30s"
[client.users]
target = "api"
rate = 100
schedule = [{ at = "1m", rate = 300, ramp = "1m" }]
[service.api]
workers = 1000
service_time = "1ms"
[[fault]]
target = "users"
kind = "load-spike"
factor = 2
at = "1m50s"
for = "20s"
`), "")
	if err != nil {
		t.Fatal(err)
	}
	points := sc.Components[0].Client.Rate
	for _, tt := range []struct {
		until  time.Duration
		spikes []topology.Fault
		want   float64
	}{
		{150 * time.Second, nil, 300},
		{150 * time.Second, sc.Faults, 600}, // 300 at 2m, doubled
		{90 * time.Second, nil, 200},        // half way up the ramp when the run ends
		{115 * time.Second, sc.Faults, 2 * (100 + 200*55.0/60)},
	} {
		if got := peakRate(points, tt.spikes, tt.until); math.Abs(got-tt.want) > 1e-6 {
			t.Errorf("until %s, %d spikes: %g, want %g", tt.until, len(tt.spikes), got, tt.want)
		}
	}
}
