package scenariofile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/failsim/failsim/topology"
)

// records reads a database's keyed, versioned records:
// records = { keys = N, popularity = "uniform" | "zipf" | "hot", zipf_s, hot_fraction }.
func (d *decoder) records(o *object, s *topology.Server) {
	n := o.get("records")
	if n == nil {
		return
	}
	ro := d.object(n, o.what+" records", "keys", "popularity", "zipf_s", "hot_fraction")
	if ro == nil {
		return
	}
	if !ro.has("keys") {
		ro.missing("keys", "how many records writes choose from; 1 for a single hot row")
	}
	r := &topology.Records{
		Keys:       ro.integer("keys", 1, 1, 1_000_000),
		Popularity: topology.Popularity(ro.enum("popularity", int(topology.Uniform), topology.PopularityNames)),
		ZipfS:      ro.number("zipf_s", 1, 0, 10),
		Hot:        ro.number("hot_fraction", 0.5, 0, 1),
		Pos:        d.pos(n),
	}
	popularityKeys(ro, r.Popularity)
	s.Records = r
}

// popularityKeys reports a popularity's parameter given for another
// popularity.
func popularityKeys(o *object, p topology.Popularity) {
	if n := o.get("zipf_s"); n != nil && p != topology.Zipf {
		o.errorf(n, "zipf_s applies to popularity = \"zipf\"")
	}
	if n := o.get("hot_fraction"); n != nil && p != topology.HotKey {
		o.errorf(n, "hot_fraction applies to popularity = \"hot\"")
	}
}

// conditionalWrites reports a conditional write whose callee keeps no keyed
// records: with no version to read, there is nothing to conflict on.
func (d *decoder) conditionalWrites(sc *topology.Scenario) {
	seen := map[*topology.CallPolicy]bool{}
	check := func(c *topology.Component, p *topology.CallPolicy, callees []int) {
		if p.Write != topology.WriteConditional || seen[p] {
			return
		}
		seen[p] = true
		var targets []int
		for _, to := range callees {
			switch {
			case to < 0: // not resolved, reported already
			case sc.Components[to].Balancer != nil:
				targets = append(targets, sc.Components[to].Balancer.Targets...)
			default:
				targets = append(targets, to)
			}
		}
		var bad []string
		for _, t := range targets {
			tc := sc.Components[t]
			if what := fmt.Sprintf("%s %q", tc.Kind, tc.Group); (tc.Kind != topology.KindDatabase || tc.Server.Records == nil) && !slices.Contains(bad, what) {
				bad = append(bad, what)
			}
		}
		if len(bad) == 0 {
			return
		}
		d.at(posOf(p.WritePos), `%s: write = "conditional" reads and writes a keyed record, but %s keeps no records; give the database records = { keys = N }`,
			c.Group, strings.Join(bad, " and "))
	}
	for i := range sc.Components {
		c := &sc.Components[i]
		switch {
		case c.Client != nil:
			check(c, &c.Client.Call, []int{c.Client.Target})
		case c.Server != nil:
			for j := range c.Server.Calls {
				check(c, &c.Server.Calls[j].CallPolicy, c.Server.Calls[j].Callees())
			}
		}
	}
}
