package scenariofile

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/failsim/failsim/topology"
)

// A valid scenario with interventions and an autoscaler, the base of the
// broken ones below.
const operated = `duration = "5m"

[client.users]
target = "lb"
rate = 100
retry = { max_attempts = 3 }

[load_balancer.lb]
targets = ["api"]

[service.api]
instances = 2
max_instances = 6
workers = 4
service_time = "20ms"

[service.api.autoscale]
target = 0.6
provisioning_delay = "30s"

[service.solo]
workers = 2
service_time = "1ms"

[[intervention]]
name = "kill switch"
target = "users"
kind = "retries-off"
at = "90s"
for = "1m"

[[intervention]]
target = "api"
kind = "scale"
instances = 4
at = "60s"
`

func TestOperatedScenario(t *testing.T) {
	sc, err := Parse("t.toml", []byte(operated), "")
	if err != nil {
		t.Fatal(err.(Errors).Pretty())
	}
	var standby []string
	for _, c := range sc.Components {
		if c.Standby {
			standby = append(standby, c.Name)
		}
	}
	if got := strings.Join(standby, " "); got != "api-3 api-4 api-5 api-6" {
		t.Errorf("standby replicas %q, want api-3 to api-6 (instances 2, max_instances 6)", got)
	}
	a := sc.Components[2].Server.Autoscale
	want := topology.Autoscale{Target: 0.6, Tolerance: 0.1, Min: 2, Max: 6, Window: 30 * time.Second, Interval: 15 * time.Second,
		ProvisioningDelay: 30 * time.Second, Cooldown: time.Minute, WarmupFactor: 1, Pos: a.Pos}
	if *a != want {
		t.Errorf("autoscale %+v, want the HPA defaults %+v", *a, want)
	}
	var got []string
	for _, iv := range sc.Interventions {
		got = append(got, iv.Name+": "+iv.String())
	}
	if s := strings.Join(got, "; "); s != "scale api: scale to 4 instances at 1m0s; kill switch: retries-off at 1m30s for 1m0s" {
		t.Errorf("interventions %q, want them sorted by time with default names", s)
	}
}

func TestBrokenOperations(t *testing.T) {
	for _, tt := range []struct {
		name, old, new string
		want           string // "line:col: message fragment"
	}{
		{"unknown kind", `kind = "retries-off"`, `kind = "retry-off"`, `28:8: intervention[0]: kind must be one of "scale", "restart", "shed-load", "retries-off", "timeout", got "retry-off"; did you mean "retries-off"?`},
		{"unknown key", `for = "1m"`, `fr = "1m"`, `30:1: intervention[0]: unknown key "fr"; did you mean "for"?`},
		{"unknown target", `target = "users"`, `target = "user"`, `27:10: intervention[0]: target: no component named "user"; did you mean "users"?`},
		{"missing at", `at = "90s"`, ``, `25:3: intervention[0]: missing "at" (when the operator acts, or on_alert = "NAME" to act when that alert fires)`},
		{"after the end", `at = "90s"`, `at = "10m"`, `29:6: intervention[0]: the intervention is at 10m0s, after the run ends at 5m0s`},
		{"parameter of another kind", `for = "1m"`, "for = \"1m\"\nfraction = 0.5", `31:12: intervention[0]: fraction does not apply to a retries-off intervention (it takes no parameter)`},
		{"retries off where there are none", `retry = { max_attempts = 3 }`, ``, `27:10: intervention[0]: "users" makes no retries to switch off`},
		{"shed load at a service", "target = \"users\"\nkind = \"retries-off\"", "target = \"solo\"\nkind = \"shed-load\"\nfraction = 0.5", `27:10: intervention[0]: a shed-load intervention cannot act on service "solo"; it acts on clients and load balancers (the edge)`},
		{"more instances than exist", `instances = 4`, `instances = 8`, `35:13: intervention[1]: instances 8: service "api" has 6 at most; raise its max_instances`},
		{"instances of a single service", `target = "api"`, `target = "solo"`, `33:10: intervention[1]: instances scales a service with instances; "solo" has none`},
		{"restart is not undone", "target = \"api\"\nkind = \"scale\"\ninstances = 4", "target = \"api\"\nkind = \"restart\"\nfor = \"5s\"", `35:7: intervention[1]: a restart is not undone; give downtime`},
		{"timeout needs a value", "target = \"api\"\nkind = \"scale\"\ninstances = 4", "target = \"users\"\nkind = \"timeout\"", `32:3: intervention[1]: missing "timeout"`},
		{"autoscale key typo", `target = 0.6`, "target = 0.6\ncooldwn = \"1m\"", `19:1: service "api" autoscale: unknown key "cooldwn"; did you mean "cooldown"?`},
		{"autoscale metric", `target = 0.6`, "target = 0.6\nmetric = \"cpu\"", `19:10: service "api" autoscale: metric must be one of "utilization", "queue", got "cpu"`},
		{"autoscale max beyond the replicas", `target = 0.6`, "target = 0.6\nmax = 10", `19:7: service "api" autoscale: max 10: the service has 6 instances at most; raise its max_instances`},
		{"utilization target above one", `target = 0.6`, `target = 60`, `18:10: service "api" autoscale: target must be between 0 and 1, got 60`},
		{"autoscale without target", `target = 0.6`, ``, `17:14: service "api" autoscale: missing "target"`},
		{"max_instances below instances", `max_instances = 6`, `max_instances = 1`, `13:17: service "api": max_instances must be a whole number between instances (2) and 10000, got the number 1`},
		{"warmup of workers", "[service.solo]\nworkers = 2", "[service.solo.autoscale]\ntarget = 0.5\nmax = 4\nwarmup = \"5s\"\n\n[service.solo]\nworkers = 2", `24:10: service "solo" autoscale: warmup applies to scale = "instances"`},
		{"two interventions of one name", "kind = \"scale\"\ninstances = 4", "name = \"kill switch\"\nkind = \"scale\"\ninstances = 4", `32:3: intervention[1]: the name "kill switch" is already used by the intervention at line 25`},
		{"scale instances of a service that scales workers", `target = 0.6`, "target = 0.6\nscale = \"workers\"\nmax = 8", `37:13: intervention[1]: service "api" autoscales its workers, not its instances`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(operated, tt.old) {
				t.Fatalf("test bug: %q not in the scenario", tt.old)
			}
			src := strings.Replace(operated, tt.old, tt.new, 1)
			_, err := Parse("t.toml", []byte(src), "")
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("got %v, want Errors", err)
			}
			if all := errs.Error(); !strings.Contains(all, "t.toml:"+tt.want) {
				t.Fatalf("errors:\n%s\nwant one containing:\nt.toml:%s", all, tt.want)
			}
		})
	}
}

// max_instances alone: one instance serves, the others wait on standby.
func TestMaxInstancesAlone(t *testing.T) {
	sc, err := Parse("t.toml", []byte(strings.Replace(operated, "instances = 2\n", "", 1)), "")
	if err != nil {
		t.Fatal(err.(Errors).Pretty())
	}
	var serving []string
	for _, c := range sc.Components {
		if c.Group == "api" && !c.Standby {
			serving = append(serving, c.Name)
		}
	}
	if got := strings.Join(serving, " "); got != "api-1" || sc.Components[2].Server.Autoscale.Min != 1 {
		t.Errorf("serving %q, autoscale min %d; want api-1 alone and a min of 1", got, sc.Components[2].Server.Autoscale.Min)
	}
}
