package plots

import (
	"fmt"
	"slices"
	"strings"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
)

// LinkLabel describes the link that the calls from component from's group
// to component to's group cross, one line each: its delay, its losses, and
// the faults on it (their lines start with "fault"). lossy reports whether
// it loses messages, or a fault on it loses them or cuts it: the drawings
// mark such a link. Both are empty for a link that changes nothing.
func LinkLabel(sc *topology.Scenario, from, to int) (label string, lossy bool) {
	fg, tg := sc.Components[from].Group, sc.Components[to].Group
	var lines []string
	var l topology.Link
	var faults []topology.Fault
	joins := func(e topology.Edge) bool {
		return sc.Components[e.From].Group == fg && sc.Components[e.To].Group == tg
	}
	// The links and faults the file sets, not every pair of instances: a
	// fleet of thousands behind a balancer has thousands of edges.
	for _, x := range sc.Network.Links {
		if joins(x.Edge) && !x.Link.IsZero() {
			l = x.Link
			break
		}
	}
	if l.IsZero() && !sc.Network.Default.IsZero() && slices.ContainsFunc(sc.Components[from].Callees(), func(t int) bool { return sc.Components[t].Group == tg }) {
		l = sc.Network.Default
	}
	for _, f := range sc.Faults {
		if f.Link != nil && slices.ContainsFunc(f.Link.Edges, joins) {
			faults = append(faults, f)
		}
	}
	if d := l.RequestDelay; !sameDist(d, l.ResponseDelay) || d.Kind != topology.DistConstant || d.Value != 0 {
		if sameDist(d, l.ResponseDelay) {
			lines = append(lines, "link "+dist(d)+" each way")
		} else {
			lines = append(lines, "link "+dist(d)+" there, "+dist(l.ResponseDelay)+" back")
		}
	}
	switch {
	case l.RequestLoss > 0 && l.RequestLoss == l.ResponseLoss:
		lines = append(lines, "loses "+human.Percent(l.RequestLoss)+" each way")
	case l.RequestLoss > 0 || l.ResponseLoss > 0:
		var parts []string
		if l.RequestLoss > 0 {
			parts = append(parts, human.Percent(l.RequestLoss)+" of calls")
		}
		if l.ResponseLoss > 0 {
			parts = append(parts, human.Percent(l.ResponseLoss)+" of answers")
		}
		lines = append(lines, "loses "+strings.Join(parts, ", "))
	}
	lossy = l.Lossy()
	for _, f := range faults {
		what := linkFaultWhat(f)
		lines = append(lines, fmt.Sprintf("fault: %s %s–%s", what, human.Duration(f.At), human.Duration(f.End())))
		lossy = lossy || f.Kind == topology.FaultPartition || f.Kind == topology.FaultLoss ||
			(f.Kind == topology.FaultDrift && f.Drift.What == topology.DriftLoss)
	}
	return strings.Join(lines, "\n"), lossy
}

// linkFaultWhat is a fault on links in a few words: "partition",
// "loss 20% of answers", "latency +200ms of calls".
func linkFaultWhat(f topology.Fault) string {
	var what string
	switch f.Kind {
	case topology.FaultPartition:
		what = "partition"
	case topology.FaultLoss:
		what = "loss " + human.Percent(f.Loss)
	case topology.FaultLatency:
		what = "latency +" + dist(f.Delay)
	default:
		what = f.Drift.String()
	}
	switch f.Link.Direction {
	case topology.RequestsOnly:
		what += " of calls"
	case topology.ResponsesOnly:
		what += " of answers"
	}
	return what
}

// edgeLabel is a call's label with its link's lines below it.
func edgeLabel(call string, sc *topology.Scenario, from, to int) (string, bool) {
	link, lossy := LinkLabel(sc, from, to)
	if link == "" {
		return call, false
	}
	if call == "" {
		return link, lossy
	}
	return call + "\n" + link, lossy
}

// sameDist reports whether two distributions are the same.
func sameDist(a, b topology.Dist) bool {
	return a.Kind == b.Kind && a.Value == b.Value && a.Mean == b.Mean && a.Min == b.Min && a.Max == b.Max &&
		a.Median == b.Median && a.P99 == b.P99 && slices.Equal(a.Points, b.Points)
}
