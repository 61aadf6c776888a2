package sim_test

import "testing"

// duplicate-writes.toml: retries after a timeout whose first attempt in fact
// completed charge twice; idempotency keys at the database bring that to
// zero, a restart that loses keys kept in memory lets some back, durable
// keys do not; hedging a non-idempotent write duplicates every hedge that
// is not stopped, unless the keys deduplicate it.
func TestDuplicateWritesScenario(t *testing.T) {
	const file = "../scenarios/duplicate-writes.toml"
	base := runFile(t, file, "").Summary
	if base.State.DuplicateWrites < 1000 {
		t.Errorf("base: %d duplicate charges, want the retries of the 30s slowdown to charge again (thousands)", base.State.DuplicateWrites)
	}
	keys := runFile(t, file, "idempotency-keys").Summary
	if keys.State.DuplicateWrites != 0 || keys.State.Deduplicated == 0 || keys.State.Writes != keys.Clients.Succeeded {
		t.Errorf("idempotency-keys: %+v; want no duplicate, the repeats answered from their keys, one charge per order that succeeded", *keys.State)
	}
	lost := runFile(t, file, "keys-lost-in-restart").Summary
	if lost.State.KeysLost == 0 || lost.State.DuplicateWrites == 0 {
		t.Errorf("keys-lost-in-restart: %d keys lost, %d duplicates; want duplicates back after the restart", lost.State.KeysLost, lost.State.DuplicateWrites)
	}
	durable := runFile(t, file, "durable-keys").Summary
	if durable.State.KeysLost != 0 || durable.State.DuplicateWrites != 0 {
		t.Errorf("durable-keys: %d keys lost, %d duplicates; want none", durable.State.KeysLost, durable.State.DuplicateWrites)
	}
	hedging := runFile(t, file, "hedging").Summary
	if h := hedging.Clients.Hedges; h == 0 || hedging.State.DuplicateWrites != h {
		t.Errorf("hedging: %d hedges, %d duplicates; want each hedge to charge again", h, hedging.State.DuplicateWrites)
	}
	hk := runFile(t, file, "hedging-idempotency-keys").Summary
	if hk.State.DuplicateWrites != 0 || hk.State.Deduplicated != hk.Clients.Hedges {
		t.Errorf("hedging-idempotency-keys: %d duplicates, %d deduplicated, %d hedges; want every hedge deduplicated",
			hk.State.DuplicateWrites, hk.State.Deduplicated, hk.Clients.Hedges)
	}
}

// partial-failure.toml: with no policy every cache failure after a
// database write stays inconsistent; rollback closes nearly all of them
// (the few whose compensation failed stay); retry-step answers the client
// and repairs every one after the outage, the open count rising and falling
// with it.
func TestPartialFailureScenario(t *testing.T) {
	const file = "../scenarios/partial-failure.toml"
	base := runFile(t, file, "")
	st := base.Summary.State
	if st.Inconsistent < 1000 || st.Repaired != 0 || st.InconsistentOpen != st.Inconsistent {
		t.Errorf("base: %+v; want thousands inconsistent, none repaired, all open", *st)
	}

	rb := runFile(t, file, "rollback").Summary
	if s := rb.State; s.Repaired < s.Inconsistent*95/100 || s.InconsistentOpen == 0 || s.Repaired+s.InconsistentOpen != s.Inconsistent {
		t.Errorf("rollback: %+v; want nearly all repaired, the failed compensations still open", *s)
	}
	if rb.Clients.Failed < base.Summary.Clients.Failed {
		t.Errorf("rollback: %d failed, base %d: a rolled-back request fails", rb.Clients.Failed, base.Summary.Clients.Failed)
	}

	rs := runFile(t, file, "retry-step")
	s := rs.Summary.State
	if s.Repaired != s.Inconsistent || s.InconsistentOpen != 0 {
		t.Errorf("retry-step: %+v; want every one repaired", *s)
	}
	if rs.Summary.Clients.SuccessRate < 0.99 {
		t.Errorf("retry-step: success rate %.3f; the requests are answered, the repair is later", rs.Summary.Clients.SuccessRate)
	}
	open, age := rs.Series.Get("orders", "inconsistent_open"), rs.Series.Get("orders", "oldest_inconsistent_age_s")
	// the outage is [60s, 120s): open ones pile up during it and are gone
	// within the 10s repair cap after it
	if open[110] < 1000 || age[110] < 40 {
		t.Errorf("at 111s: %g open, the oldest %gs old; want thousands, from early in the outage", open[110], age[110])
	}
	if open[135] != 0 {
		t.Errorf("at 136s: %g still open, want all repaired", open[135])
	}
}
