package check

import (
	"fmt"

	"github.com/failsim/failsim/topology"
)

// coldCaches finds caches whose backing store serves their warm misses but
// not the misses of an empty cache, after a restart.
func (g *graph) coldCaches() {
	for _, n := range g.nodes {
		s := n.c.Server
		if s == nil || s.Cache == nil {
			continue
		}
		var in float64
		for _, i := range n.comps {
			in += g.load[i].normal
		}
		hit := s.Cache.WarmHitRatio()
		for _, e := range n.out {
			g.coldCache(n, e, in*s.Calls[e.call].Fraction, hit)
		}
	}
}

func (g *graph) coldCache(n *node, e *edge, misses, hit float64) {
	to := e.to.c.Server
	if to == nil || to.Queue.Capacity >= 0 || to.Queue.Timeout > 0 || to.Limit != nil || to.Timeout > 0 {
		return // its backlog is bounded: it sheds what it cannot serve
	}
	var normal, capacity float64
	for _, i := range e.to.comps {
		normal, capacity = normal+g.load[i].normal, capacity+g.load[i].capacity
	}
	cold := normal + misses*hit // every call that hit now misses
	if normal > capacity || cold <= capacity {
		return // overloaded warm (the capacity rule says so), or fine cold
	}
	calls, _, _, _ := vocabulary(e.to)
	sev := Warning
	coalesced := ""
	if n.c.Server.Cache.Coalesce {
		sev, coalesced = Note, " Its misses are coalesced, which helps only as far as concurrent misses share keys."
	}
	g.report(Finding{
		Rule:       ruleColdCache,
		Severity:   sev,
		Components: []string{n.name, e.to.name},
		Summary: fmt.Sprintf("a restart of %s's cache would send %s up to %s against a capacity of %s",
			n.name, e.to.name, rate(cold, calls), rate(capacity, calls)),
		Explanation: fmt.Sprintf("Warm, %s's cache (%s) answers about %s of its calls (Che's approximation for LRU), so %s "+
			"receives about %s. A crash or a deploy empties it: every call misses, and %s receives up to %s, %s of what "+
			"it can serve, with nothing bounding its queue. If the fetches time out before %s answers, nothing is "+
			"stored and the cache cannot warm while %s stays behind: a short restart can become an outage that "+
			"outlives it.%s", n.name, cacheWords(n.c.Server.Cache), percent(hit), e.to.name, rate(normal, calls), e.to.name,
			rate(cold, calls), percent(cold/capacity), e.to.name, e.to.name, coalesced),
		Fix: fmt.Sprintf("Shed load at %s (queue.timeout, concurrency_limit) so that the %s it serves answer in time and "+
			"fill the cache; coalesce misses (cache.coalesce = true) when a few keys are hot; or give %s the capacity "+
			"for the cold rate.", e.to.name, calls, e.to.name),
	}, n.c.Server.Cache.Pos, n.c.Pos)
}

// cacheWords describes a cache: "20000 of 100000 zipf(0.9) keys".
func cacheWords(c *topology.Cache) string {
	pop := c.Popularity.String()
	if c.Popularity == topology.Zipf {
		pop += fmt.Sprintf("(%g)", c.ZipfS)
	}
	return fmt.Sprintf("%d of %d %s keys", c.Capacity, c.Keys, pop)
}
