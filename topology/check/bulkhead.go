package check

import (
	"fmt"
	"math"
	"time"
)

// sharedWorkers finds a call that some of a service's calls make and others
// do not (a fraction below 1), which, if its callee slowed down to the
// caller's own limits, would hold more workers than the service has: the
// calls that never make it would fail too. A bulkhead well below the
// workers bounds it.
func (g *graph) sharedWorkers() {
	for _, n := range g.nodes {
		s := n.c.Server
		if s == nil {
			continue
		}
		for _, e := range n.out {
			call := s.Calls[e.call]
			if call.Fraction >= 1 || (call.Bulkhead > 0 && call.Bulkhead < s.Workers) {
				continue
			}
			var in float64
			for _, i := range n.comps {
				in = max(in, g.load[i].normal)
			}
			hold := callHold(e.p, forever)
			need := math.Inf(1)
			if hold != forever {
				need = in * call.Fraction * hold.Seconds()
			}
			if need <= float64(s.Workers) {
				continue
			}
			g.sharedWorkersFinding(n, e, in, need, hold)
		}
	}
}

func (g *graph) sharedWorkersFinding(n *node, e *edge, in, need float64, hold time.Duration) {
	s := n.c.Server
	call := s.Calls[e.call]
	calls, _, workers, _ := vocabulary(n)
	its, per := "it has", ""
	if len(n.comps) > 1 {
		its, per = "an instance has", " per instance"
	}
	held, shorter := fmt.Sprintf("hold about %.0f %s", need, workers), ""
	if hold == forever {
		held = "hold every " + workers[:len(workers)-1] + " as long as " + e.to.name + " takes, which nothing bounds"
	} else {
		shorter = fmt.Sprintf("; or a limit on the call below %s, which keeps them under %d %s",
			dur(time.Duration(float64(s.Workers)/(in*call.Fraction)*float64(time.Second)).Round(time.Millisecond)), s.Workers, workers)
	}
	g.report(Finding{
		Rule:       ruleSharedWorkers,
		Severity:   Warning,
		Components: []string{n.name, e.to.name},
		Summary: fmt.Sprintf("a slow %s can take every %s of %s, though only %s of its %s call it",
			e.to.name, workers[:len(workers)-1], n.name, percent(call.Fraction), calls),
		Explanation: fmt.Sprintf("%s receives up to %s%s and %s of them call %s, waiting for it while holding "+
			"a %s (up to %s). If %s slows down to that limit, those %s alone %s, more than the %d %s: the %s that never "+
			"call %s queue behind them and fail too. One slow dependency takes the whole service down.",
			n.name, rate(in, calls), per, percent(call.Fraction), e.to.name, workers[:len(workers)-1], dur(hold), e.to.name,
			calls, held, s.Workers, its, calls, e.to.name),
		Fix: fmt.Sprintf("Give the call a bulkhead well below the %d %s (bulkhead = %d, say), so that calls to %s beyond it "+
			"fail at once and the others keep their %s%s.", s.Workers, workers, max(1, s.Workers/4), e.to.name, workers, shorter),
	}, call.Pos, n.c.Pos)
}
