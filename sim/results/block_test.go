package results_test

import (
	"fmt"

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
