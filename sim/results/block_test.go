package results_test

import (
	"fmt"
	"math"

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
