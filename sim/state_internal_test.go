package sim

import (
	"errors"
	"testing"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/topology/scenariofile"
)

// A key is kept for exactly its ttl: present until the instant before
// now + ttl, gone at it; a crash empties a store kept in memory.
func TestKeyStoreTTL(t *testing.T) {
	ks := newKeyStore(10*des.Second, false)
	ks.put(0, 1)
	ks.put(5*des.Second, 2)
	for _, tt := range []struct {
		at   des.Time
		key  uint64
		want bool
	}{
		{0, 1, true}, {10*des.Second - 1, 1, true}, {10 * des.Second, 1, false},
		{10 * des.Second, 2, true}, {15*des.Second - 1, 2, true}, {15 * des.Second, 2, false},
	} {
		if got := ks.has(tt.at, tt.key); got != tt.want {
			t.Errorf("key %d at %s: %v, want %v", tt.key, tt.at, got, tt.want)
		}
	}
	if n := ks.size(15 * des.Second); n != 0 {
		t.Errorf("%d keys left after both expired", n)
	}
	// One key every 10ms up to 49.99s: at 50s the store holds those put
	// after 40s, 999 of them, never more.
	for i := range uint64(5000) {
		ks.put(des.Time(i)*des.Second/100, i)
	}
	if n := ks.size(50 * des.Second); n != 999 || len(ks.fifo)-ks.head != 999 {
		t.Errorf("%d keys (%d queued) at 50s, want the 999 put after 40s", n, len(ks.fifo)-ks.head)
	}
	if lost := ks.clear(); lost != 999 || ks.size(50*des.Second) != 0 {
		t.Errorf("clear lost %d keys, want 999, and an empty store", lost)
	}
}

// The state checks catch broken books of partial failures and writes.
func TestStateInvariantsCatchBrokenBooks(t *testing.T) {
	sc, err := scenariofile.Parse("state.toml", []byte(`
duration = "20s"
[client.c]
target = "api"
rate = 200
[service.api]
workers = 100
service_time = "1ms"
on_partial_failure = "retry-step"
[[service.api.call]]
to = "db"
write = "non_idempotent"
[[service.api.call]]
to = "cache"
[database.db]
connections = 100
query_time = "5ms"
[database.cache]
connections = 100
query_time = "1ms"
error_rate = 0.5
`), "")
	if err != nil {
		t.Fatal(err)
	}
	const api, db = 1, 2
	for _, tc := range []struct {
		bug     string
		breakIt func(s *Sim)
	}{
		{"an inconsistent outcome counted twice", func(s *Sim) { s.comps[api].stats.tot.inconsistent++ }},
		{"a repair lost from the list", func(s *Sim) { s.comps[api].srv.state.held-- }},
		{"a duplicate without a write", func(s *Sim) { s.comps[db].stats.tot.duplicateWrites = s.comps[db].stats.tot.writes + 1 }},
	} {
		t.Run(tc.bug, func(t *testing.T) {
			s := newSim(sc, 1)
			for s.sched.Now() < 10*des.Second {
				e, _ := s.sched.Next()
				for e.At >= s.bucketEnd {
					s.closeBucket()
				}
				s.dispatch(e)
			}
			if s.comps[api].srv.state.held == 0 {
				t.Fatal("no repair under way: the test needs one")
			}
			if err := s.checkInvariants(); err != nil {
				t.Fatalf("before the bug: %v", err)
			}
			tc.breakIt(s)
			var ie *InvariantError
			if err := s.checkInvariants(); !errors.As(err, &ie) || ie.Invariant != "conservation" {
				t.Fatalf("got %v, want conservation broken", err)
			}
		})
	}
}
