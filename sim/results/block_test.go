package results_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/failsim/failsim/sim/results"
)

// A run writes its series a bucket at a time and reads it a column at a
// time: a block stores each value where its column will read it.
func ExampleBlock() {
	s := results.NewSeries(1, []results.Key{{Component: "api", Metric: "arrivals"}, {Component: "api", Metric: "errors"}})
	bl := results.NewBlock(len(s.Keys), 3)
	for b := range 2 { // a run stopped after two of its three buckets
		row := bl.Next()
		row.Set(0, float64(10*(b+1)))
		row.Set(1, float64(b))
	}
	bl.Last().Set(1, bl.Last().Get(1)+5) // an alert's column, written after the bucket closed
	s.Show(bl)
	fmt.Println(s.Values)
	// Output: [[10 20] [0 6]]
}

// A column takes memory only once it holds a value other than zero: a
// negative zero or a NaN is such a value, and a column never set reads as
// zeros, as one set to zero does.
func ExampleBlock_zeros() {
	s := results.NewSeries(1, []results.Key{{Metric: "errors"}, {Metric: "unset"}, {Metric: "late"}, {Metric: "-0"}, {Metric: "NaN"}})
	bl := results.NewBlock(len(s.Keys), 3)
	for b := range 3 {
		row := bl.Next()
		row.Set(0, 0)
		if b == 2 {
			row.Set(2, 7)
		}
		row.Set(3, math.Copysign(0, -1))
		row.Set(4, math.NaN())
	}
	s.Show(bl)
	fmt.Println(s.Values, bl.Last().Get(1), bl.Last().Get(2))
	// Output: [[0 0 0] [0 0 0] [0 0 7] [-0 -0 -0] [NaN NaN NaN]] 0 7
}

// A block reads back what was set, bucket by bucket, as a plain table of
// columns would, whenever a run shows it: before, across and after the
// buckets it holds back to write together, with zeros, negative zeros and
// NaNs, keys left unset, and a last row written again after it was shown.
func TestBlockReadsAsATable(t *testing.T) {
	values := []float64{0, 0, 0, 1, 2.5, math.Copysign(0, -1), math.NaN()}
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 7))
		keys, n := 1+rng.IntN(12), rng.IntN(40)
		want := make([][]float64, keys)
		for k := range want {
			want[k] = make([]float64, n)
		}
		s := results.NewSeries(1, make([]results.Key, keys))
		bl := results.NewBlock(keys, n)
		for b := range n {
			row := bl.Next()
			for k := range keys {
				if rng.IntN(4) > 0 {
					v := values[rng.IntN(len(values))]
					row.Set(k, v)
					want[k][b] = v
				}
			}
			if rng.IntN(3) == 0 {
				s.Show(bl)
				check(t, seed, s, want, b+1)
			}
			if k := rng.IntN(keys); rng.IntN(3) == 0 {
				v := bl.Last().Get(k) + 1
				bl.Last().Set(k, v)
				want[k][b] = v
			}
		}
		s.Show(bl)
		check(t, seed, s, want, n)
	}
}

func check(t *testing.T, seed uint64, s *results.Series, want [][]float64, buckets int) {
	t.Helper()
	for k := range want {
		got := s.Values[k]
		if len(got) != buckets {
			t.Fatalf("seed %d: key %d shows %d buckets, want %d", seed, k, len(got), buckets)
		}
		for b, v := range got {
			if w := want[k][b]; math.Float64bits(v) != math.Float64bits(w) && !(math.IsNaN(v) && math.IsNaN(w)) {
				t.Fatalf("seed %d: key %d bucket %d reads %v, want %v", seed, k, b, v, w)
			}
		}
	}
}
