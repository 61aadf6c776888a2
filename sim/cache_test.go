package sim

import (
	"math"
	"testing"
	"time"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/topology"
)

// The store's exact rule: least recently used out first, a lookup refreshes
// recency, a key older than the TTL is a miss, a reset empties it.
func TestCacheLRUAndTTL(t *testing.T) {
	ca := newCache(1, "c", &topology.Cache{Keys: 10, Capacity: 3, TTL: 10 * time.Second})
	sec := func(s int) des.Time { return des.Time(s) * des.Time(time.Second) }
	steps := []struct {
		op   string // "store" or "lookup"
		key  int32
		at   int
		want bool // lookup: hit
	}{
		{"store", 1, 0, false},
		{"store", 2, 0, false},
		{"store", 3, 0, false},
		{"lookup", 1, 1, true},  // 1 is now the most recent: 2 is the least
		{"store", 4, 1, false},  // full: evicts 2
		{"lookup", 2, 2, false}, // evicted
		{"lookup", 3, 2, true},
		{"lookup", 4, 2, true},
		{"lookup", 1, 10, false}, // stored at 0: 10s later it is stale
		{"lookup", 3, 9, true},
		{"store", 3, 9, false},   // refreshed at 9
		{"lookup", 3, 18, true},  // 9s old
		{"lookup", 4, 11, false}, // 10s old
	}
	for i, st := range steps {
		switch st.op {
		case "store":
			ca.store(st.key, sec(st.at))
		case "lookup":
			if got := ca.lookup(st.key, sec(st.at)); got != st.want {
				t.Fatalf("step %d: lookup(%d) at %ds = %v, want %v", i, st.key, st.at, got, st.want)
			}
		}
	}
	if ca.held != 1 {
		t.Errorf("held %d keys, want 1 (only 3 is fresh)", ca.held)
	}
	ca.reset()
	if ca.held != 0 || ca.lookup(3, sec(18)) {
		t.Error("a reset cache still holds keys")
	}
}

// Warming, exactly: with room for every key and uniform popularity over N
// keys, request n+1 hits with probability 1 - (1 - 1/N)^n (its key was among
// the first n draws).
func TestCacheWarmsAsTheClosedFormSays(t *testing.T) {
	const n, reps = 200, 2000
	hits := make([]float64, 3*n)
	for r := range reps {
		ca := newCache(uint64(r), "c", &topology.Cache{Keys: n, Capacity: n})
		for i := range hits {
			k := ca.draw()
			if ca.lookup(k, 0) {
				hits[i]++
			} else {
				ca.store(k, 0)
			}
		}
	}
	for _, i := range []int{10, 100, 200, 400, 599} {
		want := 1 - math.Pow(1-1.0/n, float64(i))
		got := hits[i] / reps
		if sd := math.Sqrt(want * (1 - want) / reps); math.Abs(got-want) > 4*sd+1e-9 {
			t.Errorf("request %d: hit ratio %.4f, want %.4f ± %.4f", i+1, got, want, 4*sd)
		}
	}
}

// Warm LRU under Zipf popularity, against Che's approximation: within 2%.
func TestCacheHitRatioMatchesChe(t *testing.T) {
	for _, c := range []topology.Cache{
		{Keys: 10000, Capacity: 1000, Popularity: topology.Zipf, ZipfS: 0.8},
		{Keys: 10000, Capacity: 500, Popularity: topology.Zipf, ZipfS: 1.2},
		{Keys: 10000, Capacity: 2000},
	} {
		ca := newCache(7, "c", &c)
		var hits, n float64
		for i := range 600_000 {
			k := ca.draw()
			hit := ca.lookup(k, 0)
			if !hit {
				ca.store(k, 0)
			}
			if i >= 100_000 { // warm
				n++
				if hit {
					hits++
				}
			}
		}
		want := c.WarmHitRatio()
		if got := hits / n; math.Abs(got-want) > 0.02*want {
			t.Errorf("%+v: hit ratio %.4f, Che %.4f", c, got, want)
		}
	}
}
