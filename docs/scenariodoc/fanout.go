package scenariodoc

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
)

// groupsTable is, for a scenario with groups of calls made at once, how
// each run's groups ended (their instances together), the calls one request
// makes to the groups' callees, and the requests slower than a latency
// objective on a client; "" for a scenario without groups.
func groupsTable(runs []run) string {
	type col struct{ owner, group string }
	var cols []col
	seen := map[col]bool{}
	for _, r := range runs {
		s := &r.res.Summary
		for _, name := range s.Order {
			k := s.Components[name]
			for _, g := range slices.Sorted(maps.Keys(k.Groups)) {
				if c := (col{k.Group, g}); !seen[c] {
					seen[c] = true
					cols = append(cols, c)
				}
			}
		}
	}
	if len(cols) == 0 {
		return ""
	}
	var b strings.Builder
	slo := latencySLO(runs[0].sc)
	b.WriteString("\nGroups of calls made at once: of the runs of each group, the share joined (every call, the first or a quorum answered), degraded (optional calls missing), stale (a quorum missed, answered by fewer) and failed; and the calls still running when the join was decided")
	if slo != nil {
		fmt.Fprintf(&b, "; slow requests are those slower than the objective's %s at %s", human.Duration(slo.Latency), slo.Name)
	}
	b.WriteString(".\n\n| run | group | joined | degraded | stale | failed | calls per run | left running | cancelled |")
	if slo != nil {
		b.WriteString(" slow requests |")
	}
	b.WriteString("\n|---|---|---|---|---|---|---|---|---|")
	if slo != nil {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, r := range runs {
		s := &r.res.Summary
		for _, c := range cols {
			var t results.Join
			for _, name := range s.Order {
				k := s.Components[name]
				if j, ok := k.Groups[c.group]; ok && k.Group == c.owner {
					t.Joined, t.Degraded, t.Stale, t.Failed = t.Joined+j.Joined, t.Degraded+j.Degraded, t.Stale+j.Stale, t.Failed+j.Failed
					t.Left, t.Cancelled, t.Calls = t.Left+j.Left, t.Cancelled+j.Cancelled, j.Calls
				}
			}
			n := float64(t.Joined + t.Degraded + t.Stale + t.Failed)
			share := func(x int64) string {
				if n == 0 {
					return "-"
				}
				return human.SignificantPercent(float64(x) / n)
			}
			fmt.Fprintf(&b, "| %s | %s at %s | %s | %s | %s | %s | %d | %d | %d |", r.label(), c.group, c.owner,
				share(t.Joined), share(t.Degraded), share(t.Stale), share(t.Failed), t.Calls, t.Left, t.Cancelled)
			if slo != nil {
				fmt.Fprintf(&b, " %s |", sloErrors(s, slo.Name))
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// latencySLO is the scenario's first objective with a latency, or nil.
func latencySLO(sc *topology.Scenario) *topology.SLO {
	for i := range sc.SLOs {
		if sc.SLOs[i].Latency > 0 {
			return &sc.SLOs[i]
		}
	}
	return nil
}

func sloErrors(s *results.Summary, name string) string {
	for _, o := range s.SLOs {
		if o.Name == name {
			return human.SignificantPercent(o.ErrorRatio)
		}
	}
	return "-"
}

// classesTable is, for a scenario with request classes, each class's
// success, latency and goodput in each run, most critical first; "" for a
// scenario without classes.
func classesTable(runs []run) string {
	if len(runs[0].res.Summary.Clients.Classes) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\nRequest classes, most critical first: every client's requests of the class together.\n\n")
	b.WriteString("| run | class | criticality | requests | success | client p50 | client p99 | goodput |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range runs {
		cl := r.res.Summary.Clients.Classes
		names := r.res.Summary.Clients.ClassNames()
		for _, n := range names {
			c := cl[n]
			fmt.Fprintf(&b, "| %s | %s | %s | %d | %s | %s | %s | %s/s |\n", r.label(), n, c.Criticality, c.LogicalRequests,
				human.SignificantPercent(c.SuccessRate), human.SignificantSeconds(c.Latency.P50),
				human.SignificantSeconds(c.Latency.P99), human.Significant(c.GoodputRPS))
		}
	}
	return b.String()
}
