package sim

import (
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
)

// stateColumns are component k's metrics of writes, idempotency keys,
// partial failures, fallbacks and hedging: only those of the mechanisms the
// scenario gives it, so that scenarios without them keep their columns.
func (s *Sim) stateColumns(k *component) []column {
	var cols []column
	i := k.index(s)
	var fallbacks, hedges bool
	for j := range s.comps {
		for _, p := range s.comps[j].policies() {
			fallbacks = fallbacks || p.fallback != nil || p.optional
			if j == i {
				hedges = hedges || p.hedge != nil
			}
		}
	}
	if b := s.book; b != nil && b.into[i] > 0 {
		cols = append(cols,
			count("writes", func(c *counts) int64 { return c.writes }),
			count("duplicate_writes", func(c *counts) int64 { return c.duplicateWrites }))
		if ks := k.srv.state.keys; ks != nil {
			cols = append(cols,
				count("deduplicated", func(c *counts) int64 { return c.deduplicated }),
				fromState("idempotency_keys", func(v *view) float64 { return float64(ks.size(v.now)) }),
				count("keys_lost", func(c *counts) int64 { return c.keysLost }))
		}
	}
	if st := k.stateOf(); st != nil && (st.risk || st.partial != topology.PartialNone) {
		cols = append(cols,
			count("inconsistent", func(c *counts) int64 { return c.inconsistent }),
			count("repaired", func(c *counts) int64 { return c.repaired }),
			fromState("inconsistent_open", func(v *view) float64 { n, _ := s.openNow(st, v.now); return float64(n) }),
			fromState("oldest_inconsistent_age_s", func(v *view) float64 { _, age := s.openNow(st, v.now); return age.Seconds() }))
		if st.partial == topology.PartialRetryStep {
			cols = append(cols, count("repair_attempts", func(c *counts) int64 { return c.repairAttempts }))
		}
	}
	for _, p := range k.policies() {
		if p.fallback != nil {
			cols = append(cols, count("fallbacks", func(c *counts) int64 { return c.fallbacks }))
			break
		}
	}
	if fallbacks {
		cols = append(cols, count("degraded", func(c *counts) int64 { return c.degraded }))
	}
	if hedges {
		cols = append(cols,
			count("hedges", func(c *counts) int64 { return c.hedges }),
			count("hedge_wins", func(c *counts) int64 { return c.hedgeWins }))
	}
	return cols
}

// index is k's position among the components.
func (k *component) index(s *Sim) int {
	for i := range s.comps {
		if &s.comps[i] == k {
			return i
		}
	}
	return -1
}

// stateOf is a server's state rules, or nil.
func (k *component) stateOf() *serverState {
	if k.srv == nil {
		return nil
	}
	return k.srv.state
}

// stateSummary adds report r's totals of the state mechanisms to c and,
// when the scenario has writes, to the run's state totals.
func (s *Sim) stateSummary(r *report, c *results.Component, sum *results.Summary) {
	t := &r.stats.tot
	c.Writes, c.DuplicateWrites, c.Deduplicated, c.KeysLost = t.writes, t.duplicateWrites, t.deduplicated, t.keysLost
	c.Inconsistent, c.Repaired, c.RepairAttempts = t.inconsistent, t.repaired, t.repairAttempts
	c.Fallbacks, c.Degraded, c.Hedges, c.HedgeWins = t.fallbacks, t.degraded, t.hedges, t.hedgeWins
	if s.book == nil {
		return
	}
	if sum.State == nil {
		sum.State = &results.State{}
	}
	st := sum.State
	st.Writes += t.writes
	st.DuplicateWrites += t.duplicateWrites
	st.Deduplicated += t.deduplicated
	st.KeysLost += t.keysLost
	st.Inconsistent += t.inconsistent
	st.Repaired += t.repaired
	for _, m := range r.members {
		if ss := s.comps[m].stateOf(); ss != nil {
			n, age := s.openNow(ss, s.end)
			c.InconsistentOpen += n
			st.InconsistentOpen += n
			st.OldestOpenAgeS = max(st.OldestOpenAgeS, age.Seconds())
		}
	}
}
