package plots

import (
	"slices"
	"testing"

	"github.com/failsim/failsim/sim/results"
)

// A client's request classes come from its METRIC.CLASS columns, and are
// named by their client only when several clients have classes.
func TestClassesAreLinesOfTheirOwn(t *testing.T) {
	keys := []results.Key{{Component: "shoppers", Metric: "logical_requests"}, {Component: "shoppers", Metric: "logical_requests.browse"},
		{Component: "shoppers", Metric: "goodput_rps.browse"}, {Component: "shoppers", Metric: "logical_requests.search"},
		{Component: "crawler", Metric: "logical_requests.search"}, {Component: "api", Metric: "logical_requests.x"}}
	ser := results.NewSeries(1, keys)
	one := classesOf(ser, []string{"shoppers"})
	two := classesOf(ser, []string{"shoppers", "crawler"})
	var labels []string
	for _, c := range one {
		labels = append(labels, c.label(one))
	}
	if want := []string{"browse", "search"}; !slices.Equal(labels, want) {
		t.Errorf("one client's classes %q, want %q", labels, want)
	}
	labels = nil
	for _, c := range two {
		labels = append(labels, c.label(two))
	}
	if want := []string{"shoppers/browse", "shoppers/search", "crawler/search"}; !slices.Equal(labels, want) {
		t.Errorf("two clients' classes %q, want %q", labels, want)
	}
}
