package scenariofile

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/failsim/failsim/topology"
)

// A valid scenario with groups of calls and request classes, the base of
// the broken ones below.
const validFanout = `duration = "60s"

[client.web]
target = "api"
rate = 100
timeout = "2s"

[client.web.operation.browse]
weight = 70
criticality = "sheddable_plus"
path.api = { steps = ["catalog"], service_time = "2ms" }

[client.web.operation.checkout]
weight = 5
criticality = "critical_plus"
timeout = "5s"
path.api = { steps = ["catalog", "leaves"] }
path.db = { query_time = "9ms" }

[service.api]
workers = 10
service_time = "1ms"
queue = { capacity = 50, by_criticality = true }
class_bulkheads = { browse = 5 }

[[service.api.call]]
name = "catalog"
to = "db"

[[service.api.call]]
name = "leaves"
to = "leaf"
scatter = "all"
join = "quorum"
quorum = 2
timeout = "1s"

[[service.api.call]]
join = "all"
join_timeout = "300ms"
timeout = "200ms"
parallel = [
  { to = "db", optional = true },
  { to = "leaf", scatter = 2, timeout = "50ms" },
]

[service.leaf]
instances = 3
workers = 5
service_time = "1ms"

[database.db]
connections = 5
query_time = "1ms"
`

func TestGroupsAndClasses(t *testing.T) {
	sc, err := Parse("t.toml", []byte(validFanout), "")
	if err != nil {
		t.Fatal(err.(Errors).Pretty())
	}
	api := sc.Components[1].Server
	if n := len(api.Calls); n != 4 {
		t.Fatalf("%d calls, want 4: catalog, the scatter, and the parallel group's two", n)
	}
	leaves := api.Calls[1]
	if g := leaves.Group; g == nil || g.Name != "leaves" || g.Join != topology.JoinQuorum || g.Quorum != 2 || g.Members(api.Calls) != 3 ||
		len(leaves.Targets) != 3 || leaves.Pick != 3 || leaves.Timeout != time.Second {
		t.Errorf("scatter %+v, group %+v", leaves, leaves.Group)
	}
	db, pick := api.Calls[2], api.Calls[3]
	if g := db.Group; g == nil || g != pick.Group || g.Name != "db+leaf" || g.Timeout != 300*time.Millisecond || g.First != 2 || g.End != 4 || g.Members(api.Calls) != 3 {
		t.Errorf("parallel group %+v", db.Group)
	}
	if !db.Optional || db.Timeout != 200*time.Millisecond || pick.Optional || pick.Timeout != 50*time.Millisecond || pick.Pick != 2 {
		t.Errorf("members: the group's timeout is each call's unless it sets its own: %+v, %+v", db, pick)
	}
	if steps := api.Steps(); len(steps) != 3 || steps[2].Name != "db+leaf" || steps[2].First != 2 || steps[2].End != 4 {
		t.Errorf("steps %+v", steps)
	}
	if !api.Queue.ByCriticality || api.ClassBulkheads["browse"] != 5 {
		t.Errorf("queue %+v, class bulkheads %v", api.Queue, api.ClassBulkheads)
	}
	cl := sc.Components[0].Client.Classes
	if len(cl) != 2 {
		t.Fatalf("%d classes, want 2", len(cl))
	}
	browse, checkout := cl[0], cl[1]
	if browse.Weight != 70 || browse.Criticality != topology.SheddablePlus || !browse.Explicit || browse.Call.Timeout != 2*time.Second {
		t.Errorf("browse %+v: the client's timeout is its own unless it sets one", browse)
	}
	if p := browse.Paths; len(p) != 1 || p[0].Work == nil || p[0].Work.Value != 2*time.Millisecond || !p[0].Calls[0] || p[0].Calls[1] {
		t.Errorf("browse's path %+v", p)
	}
	if checkout.Call.Timeout != 5*time.Second || checkout.Criticality != topology.CriticalPlus {
		t.Errorf("checkout %+v", checkout)
	}
	if p := checkout.Paths; len(p) != 2 || !p[0].Calls[0] || !p[0].Calls[1] || p[0].Calls[2] || p[1].Work == nil || p[1].Work.Value != 9*time.Millisecond {
		t.Errorf("checkout's paths %+v", p)
	}
}

// Every mistake is reported at once, at its place, and nothing runs.
func TestBrokenFanout(t *testing.T) {
	tests := []struct {
		name, old, new string
		want           string
	}{
		{"quorum larger than the group", "quorum = 2", "quorum = 4",
			`35:10: service "api" call[1]: quorum 4 is more than the 3 calls of the group; it could never be reached`},
		{"quorum without join = quorum", `join = "all"`, "join = \"all\"\nquorum = 1", `40:10: service "api" call[2]: quorum applies to join = "quorum"`},
		{"join quorum without a quorum", "quorum = 2\n", "", `30:15: service "api" call[1]: missing "quorum" (how many of the calls must succeed)`},
		{"a group with no calls", "parallel = [\n  { to = \"db\", optional = true },\n  { to = \"leaf\", scatter = 2, timeout = \"50ms\" },\n]", "parallel = []",
			`42:12: service "api" call[2]: parallel lists no call; a group needs at least one`},
		{"scatter to a service that is not replicated", `{ to = "leaf", scatter = 2`, `{ to = "db", scatter = 2`,
			`44:10: service "api" call[2] parallel[1]: to: scatter calls every instance of a replicated service, and database "db" has one`},
		{"scatter to more instances than there are", `scatter = 2`, `scatter = 4`,
			`44:28: service "api" call[2] parallel[1]: scatter must be between 1 and the 3 instances of "leaf", got 4`},
		{"join keys on a call of its own", "name = \"catalog\"\nto = \"db\"", "name = \"catalog\"\nto = \"db\"\njoin = \"any\"",
			`29:8: service "api" call[0]: join applies to a group of calls made at once`},
		{"optional with join = any", `join = "all"`, `join = "any"`,
			`43:27: service "api" call[2] parallel[0]: optional applies to join = "all"`},
		{"a weight that is not positive", "weight = 70", "weight = -1",
			`9:10: client "web" operation "browse": weight must be more than zero (and at most 1e9), got the number -1`},
		{"a missing weight", "weight = 5\n", "",
			`13:23: client "web" operation "checkout": missing "weight"`},
		{"an operation naming a step that does not exist", `steps = ["catalog"]`, `steps = ["catalogue"]`,
			`11:23: client "web" operation "browse" path.api: steps: "api" has no step named "catalogue"; its steps are "catalog", "db+leaf", "leaves"; did you mean "catalog"?`},
		{"an unknown criticality", `criticality = "sheddable_plus"`, `criticality = "best_effort"`,
			`10:15: client "web" operation "browse": criticality must be one of "sheddable", "sheddable_plus", "critical", "critical_plus" (Google's levels, lowest first), got "best_effort"`},
		{"a criticality in Google's capitals", `criticality = "critical_plus"`, `criticality = "CRITICAL_PLUS"`,
			`15:15: client "web" operation "checkout": criticality "CRITICAL_PLUS": write it in lower case, "critical_plus"`},
		{"a query time called a service time", "path.db = { query_time = \"9ms\" }", "path.db = { service_time = \"9ms\" }",
			`18:13: client "web" operation "checkout" path.db: "db" is a database: its time is query_time`},
		{"a class bulkhead of no class", "class_bulkheads = { browse = 5 }", "class_bulkheads = { brows = 5 }",
			`24:21: service "api" class_bulkheads: no client has an operation named "brows"; did you mean "browse"?`},
		{"two steps of one name", "name = \"leaves\"", "name = \"catalog\"",
			`31:8: service "api" call[1]: name "catalog" is already the name of the step at line 27`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(validFanout, tt.old) {
				t.Fatalf("test bug: %q not in the valid scenario", tt.old)
			}
			_, err := Parse("t.toml", []byte(strings.Replace(validFanout, tt.old, tt.new, 1)), "")
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("want Errors, got %v", err)
			}
			if !strings.Contains(err.Error(), "t.toml:"+tt.want) {
				t.Errorf("want %q among:\n%s", tt.want, err)
			}
		})
	}
}

// Six mistakes in one file: six errors, in file order, and no scenario.
func TestFanoutMistakesAllAtOnce(t *testing.T) {
	src := validFanout
	for _, r := range [][2]string{
		{"weight = 70", "weight = 0"},
		{`criticality = "critical_plus"`, `criticality = "urgent"`},
		{`steps = ["catalog"]`, `steps = ["nope"]`},
		{"quorum = 2", "quorum = 9"},
		{"parallel = [\n  { to = \"db\", optional = true },\n  { to = \"leaf\", scatter = 2, timeout = \"50ms\" },\n]", "parallel = []"},
		{"[database.db]", "[[service.api.call]]\nto = \"db\"\nscatter = \"all\"\n\n[database.db]"},
	} {
		src = strings.Replace(src, r[0], r[1], 1)
	}
	sc, err := Parse("t.toml", []byte(src), "")
	var errs Errors
	if !errors.As(err, &errs) || sc != nil {
		t.Fatalf("want errors and no scenario, got %v", err)
	}
	if len(errs) != 6 {
		t.Errorf("%d errors, want 6:\n%s", len(errs), errs.Pretty())
	}
	for i := 1; i < len(errs); i++ {
		if errs[i].Pos.Line < errs[i-1].Pos.Line {
			t.Errorf("errors out of file order:\n%s", errs)
		}
	}
}

// A database can be replicated too, and read at a quorum of its replicas.
func TestAReplicatedDatabase(t *testing.T) {
	src := strings.Replace(validFanout, "[database.db]\n", "[database.db]\ninstances = 3\n", 1)
	src = strings.Replace(src, "name = \"catalog\"\nto = \"db\"", "name = \"catalog\"\nto = \"db\"\nscatter = \"all\"\njoin = \"quorum\"\nquorum = 2", 1)
	src = strings.Replace(src, "{ to = \"db\", optional = true }", "{ to = \"db\", scatter = 1, optional = true }", 1)
	src = strings.Replace(src, "path.db = ", "path.db-1 = ", 1)
	sc, err := Parse("t.toml", []byte(src), "")
	if err != nil {
		t.Fatal(err.(Errors).Pretty())
	}
	var dbs []string
	for _, c := range sc.Components {
		if c.Kind == topology.KindDatabase {
			dbs = append(dbs, c.Name)
		}
	}
	if strings.Join(dbs, " ") != "db-1 db-2 db-3" {
		t.Errorf("databases %q, want db-1 to db-3", dbs)
	}
	if c := sc.Components[1].Server.Calls[0]; len(c.Targets) != 3 || c.Group.Quorum != 2 {
		t.Errorf("the catalog step %+v, want a quorum of 2 of the 3 replicas", c)
	}
	_, err = Parse("t.toml", []byte(strings.Replace(src, "instances = 3\nconnections", "instances = 3\nmax_instances = 4\nconnections", 1)), "")
	if err == nil || !strings.Contains(err.Error(), `database "db": unknown key "max_instances"`) {
		t.Errorf("max_instances on a database: %v", err)
	}
}
