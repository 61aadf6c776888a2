package sim

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"
	"testing"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/topology/scenariofile"
)

// dispatch panics on a kind it does not know: a kind without a case would
// otherwise be dropped silently and the run go on wrong.
func TestDispatchRejectsAnUnknownKind(t *testing.T) {
	defer func() {
		want := fmt.Sprintf("sim: event kind %d has no case in dispatch", evKinds)
		if got := recover(); got != want {
			t.Errorf("recovered %v, want %q", got, want)
		}
	}()
	(&Sim{}).dispatch(des.Event{Kind: evKinds})
}

// Every event kind declared in sim.go has a case in dispatch.
func TestDispatchHasACaseForEveryKind(t *testing.T) {
	fset := token.NewFileSet()
	var kinds, cases []string
	for _, file := range []string{"sim.go", "run.go"} {
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for _, id := range n.Names {
					if strings.HasPrefix(id.Name, "ev") && id.Name != "evKinds" {
						kinds = append(kinds, id.Name)
					}
				}
			case *ast.FuncDecl:
				if n.Name.Name != "dispatch" {
					return false
				}
				ast.Inspect(n, func(n ast.Node) bool {
					if cc, ok := n.(*ast.CaseClause); ok {
						for _, e := range cc.List {
							cases = append(cases, e.(*ast.Ident).Name)
						}
					}
					return true
				})
			}
			return true
		})
	}
	if len(kinds) != int(evKinds) {
		t.Fatalf("found %d kinds in sim.go, want evKinds = %d", len(kinds), evKinds)
	}
	for _, k := range kinds {
		if !slices.Contains(cases, k) {
			t.Errorf("dispatch has no case for %s", k)
		}
	}
}

// Retries without backoff against a refusal that comes at once take no
// time: bounded only by a deadline, they would loop at one instant forever.
// The runaway guard stops the run and says why.
func TestALoopAtOneInstantIsStopped(t *testing.T) {
	defer func(n int) { maxAtOneInstant = n }(maxAtOneInstant)
	maxAtOneInstant = 1 << 16
	sc, err := scenariofile.Parse("t.toml", []byte(`
duration = "10s"
[client.c]
target = "db"
rate = 1
deadline = "5s"
retry = { max_attempts = "none", backoff = "none" }
[database.db]
connections = 1
query_time = "1ms"
[[fault]]
target = "db"
kind = "crash"
at = "1s"
for = "5s"
`), "")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), sc, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Summary; !s.Incomplete || !strings.Contains(s.StopReason, "without simulated time moving") || s.SimSeconds < 1 || s.SimSeconds > 6 {
		t.Errorf("incomplete %v at %gs: %q", s.Incomplete, s.SimSeconds, s.StopReason)
	}
}
