package validation

import (
	"bytes"
	"context"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/failsim/failsim/scenarios"
	"github.com/failsim/failsim/sim/experiment"
	"github.com/failsim/failsim/topology/scenariofile"
)

var update = flag.Bool("update", false, "rewrite the table in docs/validation.md")

const (
	page       = "../../docs/validation.md"
	tableStart = "<!-- table: go test ./sim/validation -update -->\n"
	tableEnd   = "<!-- end of table -->\n"
)

// Seeds is what docs/validation.md and `simulate validate` use by default.
var seeds = []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}

// Every closed form holds within its tolerance, and docs/validation.md shows
// exactly the table this test computed.
func TestEveryClosedFormHolds(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 80 simulations; not in -short")
	}
	rows, err := Run(context.Background(), Checks(), scenarios.Parse, seeds, experiment.Sequential)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if !r.Pass {
			t.Errorf("%s, %s: simulated %s, theory %s, beyond the tolerance", r.Model, r.Quantity,
				r.Unit.format(r.Simulated.Mean), r.Unit.format(r.Theory))
		}
	}
	var table bytes.Buffer
	Markdown(&table, rows)
	doc, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := strings.Cut(string(doc), tableStart)
	_, after, ok2 := strings.Cut(rest, tableEnd)
	if !ok1 || !ok2 {
		t.Fatalf("%s lacks the markers %q and %q around its table", page, tableStart, tableEnd)
	}
	want := before + tableStart + table.String() + tableEnd + after
	if *update {
		if err := os.WriteFile(page, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want != string(doc) {
		t.Errorf("the table in %s is stale; rerun with -update and review the diff. Now:\n%s", page, table.String())
	}
}

// A scenario edited out of its model is an error that says so, not a
// comparison with the wrong formula.
func TestAScenarioThatNoLongerFitsItsModelIsAnError(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
		theory          func(*params) (float64, error)
	}{
		{"M/M/1 with constant service", "[client.c]\ntarget = \"server\"\nrate = 10\n[service.server]\nworkers = 1\nservice_time = \"1ms\"\n",
			"want a server of 1 workers with exponential service", theoryOf("M/M/1")},
		{"closed form on an open loop", "[client.c]\ntarget = \"server\"\nrate = 10\n[service.server]\nworkers = 1\nservice_time = \"1ms\"\n",
			"want closed-loop users", theoryOf("closed")},
		{"gRPC threshold crossed", "[client.c]\ntarget = \"server\"\nrate = 10\nretry = { max_attempts = 2, retry_on = [\"error\"], budget = { kind = \"grpc\", max_tokens = 10, token_ratio = 0.1 } }\n[service.server]\nworkers = 1\nservice_time = \"1ms\"\nerror_rate = 0.2\n",
			"the error rate 0.2 is on the wrong side of r/(1+r) = 0.0909", theoryOf("gRPC")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := scenariofile.Parse("edited.toml", []byte(tc.src), "")
			if err != nil {
				t.Fatal(err)
			}
			_, err = tc.theory(newParams(sc))
			if err == nil || !strings.Contains(err.Error(), "edited.toml does not fit its closed form: "+tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

// theoryOf is the closed form of the first check whose model starts so.
func theoryOf(model string) func(*params) (float64, error) {
	for _, c := range Checks() {
		if strings.HasPrefix(c.Model, model) {
			return c.theory
		}
	}
	panic("no check of model " + model)
}

// The rows depend on the seeds only, not on the order in which runs finish.
func TestRowsDoNotDependOnOrder(t *testing.T) {
	var checks []Check
	for _, c := range Checks() {
		if c.Scenario == "validation/layered.toml" {
			checks = append(checks, c)
		}
	}
	one, err := Run(context.Background(), checks, scenarios.Parse, []uint64{1, 2, 3}, experiment.Sequential)
	if err != nil {
		t.Fatal(err)
	}
	reversed, err := Run(context.Background(), checks, scenarios.Parse, []uint64{1, 2, 3}, func(n int, work func(int)) {
		for i := n - 1; i >= 0; i-- {
			work(i)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	Markdown(&a, one)
	Markdown(&b, reversed)
	if a.String() != b.String() || !one[0].Pass {
		t.Fatalf("in order:\n%s\nin reverse:\n%s", a.String(), b.String())
	}
}
