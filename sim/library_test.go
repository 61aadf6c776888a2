package sim_test

import "testing"

// Retries at three layers multiply at the database during its outage (up to
// 27x) and keep it overloaded after it; retrying at one layer multiplies by
// 3 at most and recovers at once.
func TestLayeredRetriesMultiply(t *testing.T) {
	slow(t)
	base := runFile(t, "../scenarios/layered-retries.toml", "").Summary
	one := runFile(t, "../scenarios/layered-retries.toml", "retry-at-one-layer").Summary
	if amp := base.Components["db"].FaultAmplification; amp < 9 || amp > 27 {
		t.Errorf("db amplification during the outage %.2f, want between 9 and 27", amp)
	}
	if amp := one.Components["db"].FaultAmplification; amp > 3.05 { // requests begun before it retry in it too
		t.Errorf("retry-at-one-layer: db amplification during the outage %.2f, want 3", amp)
	}
	if r := base.Recovery.Recovered; r == nil || *r {
		t.Errorf("base: %s; want no recovery", base.Recovery.Verdict)
	}
	if r := one.Recovery; r.Recovered == nil || !*r.Recovered || *r.RecoveredAtS > *r.LastFaultEndS+5 {
		t.Errorf("retry-at-one-layer: %s; want recovery within 5s of the outage's end", r.Verdict)
	}
}

// The same load and slowdown give open-loop arrivals a tail of seconds and a
// few closed-loop users one of a fraction of a second; many closed-loop
// users who think long come close to open loop again.
func TestOpenAndClosedLoopTails(t *testing.T) {
	slow(t)
	p99 := map[string]float64{}
	for _, v := range []string{"", "closed-loop", "closed-loop-many-users"} {
		s := runFile(t, "../scenarios/open-vs-closed.toml", v).Summary
		if s.Clients.GoodputRPS < 150 || s.Clients.GoodputRPS > 165 {
			t.Errorf("%q: goodput %.1f/s; every variant should carry about 160 requests/s", v, s.Clients.GoodputRPS)
		}
		p99[v] = s.Clients.Latency.P99
	}
	if p99[""] < 10*p99["closed-loop"] {
		t.Errorf("open-loop p99 %.3fs, 50 closed-loop users %.3fs: want at least 10x", p99[""], p99["closed-loop"])
	}
	if m := p99["closed-loop-many-users"]; m < 5*p99["closed-loop"] || m > p99[""] {
		t.Errorf("2000 closed-loop users: p99 %.3fs; want between 5x the 50 users' %.3fs and open loop's %.3fs", m, p99["closed-loop"], p99[""])
	}
}
