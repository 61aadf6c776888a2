package scenariofile

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/failsim/failsim/topology"
)

// operate is the valid scenario with an SLO, two alerts and a drift fault.
const operate = valid + `
[[fault]]
target = "db"
kind = "drift"
what = "latency"
to = "100ms"
at = "20s"
for = "30s"

[[slo]]
target = "users"
objective = 0.999
latency = "300ms"

[[alert]]
name = "burn"
slo = "users"

[[alert]]
name = "errors"
target = "users"
metric = "error_ratio"
above = 0.1
for = "30s"
`

func TestSLOsAlertsAndDriftDecode(t *testing.T) {
	sc, err := Parse("t.toml", []byte(operate), "")
	if err != nil {
		t.Fatal(err.(Errors).Pretty())
	}
	s := sc.SLOs[0]
	if s.Name != "users" || s.Objective != 0.999 || s.Latency != 300*time.Millisecond || s.Period != 30*24*time.Hour || s.TimeScale != 60 {
		t.Fatalf("SLO defaults: %+v", s)
	}
	burn, thr := sc.Alerts[0], sc.Alerts[1]
	if burn.Kind != topology.AlertBurnRate || burn.SLO != 0 || len(burn.Windows) != 2 || burn.Windows[0] != (topology.BurnWindow{Rate: 14.4, Long: time.Hour, Short: 5 * time.Minute}) {
		t.Fatalf("burn-rate alert: %+v", burn)
	}
	if thr.Kind != topology.AlertThreshold || thr.Metric != topology.MetricErrorRatio || !thr.Above || thr.Threshold != 0.1 || thr.For != 30*time.Second {
		t.Fatalf("threshold alert: %+v", thr)
	}
	d := sc.Faults[1]
	if d.Kind != topology.FaultDrift || d.Drift != (topology.Drift{What: topology.DriftLatency, From: 0, To: 0.1}) || d.Name != "drift db" {
		t.Fatalf("drift: %+v", d)
	}
	if got := d.String(); got != "drift latency +0s→+100ms at 20s for 30s" {
		t.Fatalf("drift in words: %q", got)
	}
}

func TestBrokenOperateKeys(t *testing.T) {
	tests := []struct{ name, old, new, want string }{
		{"objective as a percentage", `objective = 0.999`, `objective = 99.9`, `48:13: slo[0]: objective must be between 0 and 1, got 99.9`},
		{"objective of one", `objective = 0.999`, `objective = 1`, `48:13: slo[0]: objective must be strictly between 0 and 1 (write 99.9% as 0.999)`},
		{"unknown SLO key", `latency = "300ms"`, `latncy = "300ms"`, `49:1: slo[0]: unknown key "latncy"; did you mean "latency"?`},
		{"SLO on nothing", `target = "users"
objective`, `target = "user"
objective`, `47:10: slo[0]: target: no component named "user"; did you mean "users"?`},
		{"period in days", `latency = "300ms"`, `period = "30 days"`, `49:10: slo[0]: period: "30 days" is not a positive duration like "30d" or "720h"`},
		{"unknown SLO", `slo = "users"`, `slo = "user"`, `53:7: alert[0]: no [[slo]] named "user"; did you mean "users"?`},
		{"alert without a name", `name = "burn"`, ``, `51:3: alert[0]: missing "name"`},
		{"duplicate alert name", `name = "errors"`, `name = "burn"`, `56:8: alert[1]: two alerts are named "burn"`},
		{"threshold key on a burn-rate alert", `slo = "users"`, "slo = \"users\"\nabove = 2", `54:9: alert[0]: above does not apply to a burn-rate alert`},
		{"burn rates without an SLO", `metric = "error_ratio"`, "metric = \"error_ratio\"\nburn_rates = []", `59:14: alert[1]: burn_rates needs slo`},
		{"unknown metric", `metric = "error_ratio"`, `metric = "error_rate"`, `58:10: alert[1]: metric must be one of "error_ratio", "latency_p99_s", "queue_mean", "utilization", "goodput_rps", got "error_rate"; did you mean "error_ratio"?`},
		{"metric of another kind", `metric = "error_ratio"`, `metric = "queue_mean"`, `58:10: alert[1]: queue_mean is not a metric of client "users"`},
		{"above and below", `above = 0.1`, "above = 0.1\nbelow = 0.2", `60:9: alert[1]: an alert fires either above or below a value, not both`},
		{"neither above nor below", `above = 0.1`, ``, `55:3: alert[1]: missing "above"`},
		{"short window not shorter", `slo = "users"`, `slo = "users"
burn_rates = [{ rate = 2, long = "5m", short = "1h" }]`, `54:48: alert[0]: burn_rates[0]: the short window (1h0m0s) must be shorter than the long one (5m0s)`},
		{"incomplete window pair", `slo = "users"`, `slo = "users"
burn_rates = [{ rate = 2, long = "1h" }]`, `54:15: alert[0]: burn_rates[0]: missing "short"`},
		{"burn rate out of reach", `objective = 0.999`, `objective = 0.9`, `53:7: alert[0]: a burn rate of 14.4 can never be reached with objective 0.9: it needs an error ratio of 1.44; use rates below 10`},
		{"drift without what", `what = "latency"`, ``, `38:3: fault[1]: missing "what"`},
		{"drift of something else", `what = "latency"`, `what = "latnecy"`, `41:8: fault[1]: what must be one of "latency", "capacity", "errors", "loss", got "latnecy"; did you mean "latency"?`},
		{"drift key on another fault", `factor = 10`, "factor = 10\nto = 5", `31:6: fault[0]: to does not apply to a slowdown fault (a slowdown fault takes factor)`},
		{"parameter of another kind on a drift", `to = "100ms"`, "to = \"100ms\"\nfactor = 2", `43:10: fault[1]: factor does not apply to a drift fault (a drift fault takes what, from and to)`},
		{"drift errors above one", `what = "latency"
to = "100ms"`, `what = "errors"
to = 2`, `42:6: fault[1]: to must be between 0 and 1, got 2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(operate, tt.old) {
				t.Fatalf("test bug: %q not in the scenario", tt.old)
			}
			src := strings.Replace(operate, tt.old, tt.new, 1)
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

// An SLO or an alert cannot watch one instance of a fleet: its instances
// are counted together.
func TestWatchingOneInstanceOfAFleet(t *testing.T) {
	src := strings.Replace(operate, "[client.users]", "[metrics]\nper_instance_up_to = 1\n\n[client.users]", 1)
	for _, tt := range []struct{ old, new, want string }{
		{"[[slo]]\ntarget = \"users\"", "[[slo]]\ntarget = \"api-2\"", `t.toml:50:10: slo[0]: api-2 is one of the 2 instances of api, reported together (more than [metrics] per_instance_up_to = 1): watch "api", or raise per_instance_up_to`},
		{"target = \"users\"\nmetric", "target = \"api-1\"\nmetric", `alert[1]: api-1 is one of the 2 instances of api`},
	} {
		_, err := Parse("t.toml", []byte(strings.Replace(src, tt.old, tt.new, 1)), "")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("got %v, want %s", err, tt.want)
		}
	}
	if _, err := Parse("t.toml", []byte(strings.Replace(operate, "target = \"users\"\nmetric", "target = \"api-1\"\nmetric", 1)), ""); err != nil {
		t.Errorf("an instance reported on its own: %v", err)
	}
}
