package main

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology/human"
)

// printClasses writes the clients' table once more for each request
// class, most critical first.
func printClasses(w io.Writer, c *results.Clients) {
	if len(c.Classes) == 0 {
		return
	}
	names := c.ClassNames()
	fmt.Fprintln(w, "\nRequest classes")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "class\tcriticality\tlogical\tsucceeded\tfailed\tsuccess\tgoodput\tattempts\tp50\tp99\tp99.9\tmax\t")
	for _, name := range names {
		x := c.Classes[name]
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%.1f/s\t%d\t%s\t%s\t%s\t%s\t\n", name, x.Criticality,
			x.LogicalRequests, x.Succeeded, x.Failed, human.Percent(x.SuccessRate), x.GoodputRPS, x.Attempts,
			human.Seconds(x.Latency.P50), human.Seconds(x.Latency.P99), human.Seconds(x.Latency.P999), human.Seconds(x.Latency.Max))
	}
	tw.Flush()
}

// printGroups writes how each group of calls made at once ended: for a
// replicated service, its instances together.
func printGroups(w io.Writer, s *results.Summary) {
	type total struct {
		owner, group string
		j            results.Join
	}
	var rows []*total
	at := map[[2]string]*total{}
	for _, name := range s.Order {
		k := s.Components[name]
		for _, g := range sortedKeys(k.Groups) {
			key := [2]string{k.Group, g}
			t := at[key]
			if t == nil {
				t = &total{owner: k.Group, group: g}
				t.j.Join, t.j.Quorum, t.j.Calls = k.Groups[g].Join, k.Groups[g].Quorum, k.Groups[g].Calls
				at[key] = t
				rows = append(rows, t)
			}
			j := k.Groups[g]
			t.j.Joined += j.Joined
			t.j.Degraded += j.Degraded
			t.j.Stale += j.Stale
			t.j.Failed += j.Failed
			t.j.Left += j.Left
			t.j.Cancelled += j.Cancelled
		}
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w, "\nGroups of calls made at once (calls still running when the join was decided: left to go on, or cancelled)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "service\tgroup\tjoin\tcalls\tjoined\tdegraded\tstale\tfailed\tleft\tcancelled\t")
	for _, t := range rows {
		join := t.j.Join
		if t.j.Quorum > 0 {
			join = fmt.Sprintf("quorum %d", t.j.Quorum)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", t.owner, t.group, join, t.j.Calls,
			t.j.Joined, t.j.Degraded, t.j.Stale, t.j.Failed, t.j.Left, t.j.Cancelled)
	}
	tw.Flush()
}

func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
