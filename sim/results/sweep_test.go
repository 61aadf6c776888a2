package results

import (
	"reflect"
	"testing"
)

func TestPointsVaryTheFirstAxisSlowest(t *testing.T) {
	got := Points([]Axis{{"a", []string{"1", "2"}}, {"b", []string{"x"}}, {"c", []string{"p", "q"}}})
	want := [][]string{{"1", "x", "p"}, {"1", "x", "q"}, {"2", "x", "p"}, {"2", "x", "q"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
}

func TestAxisNames(t *testing.T) {
	got := AxisNames([]Axis{{Key: "client.users.timeout"}, {Key: "load_balancer.lb.timeout"}})
	if want := []string{"client.users.timeout", "load_balancer.lb.timeout"}; !reflect.DeepEqual(got, want) {
		t.Errorf("two timeouts: got %q, want whole keys", got)
	}
	got = AxisNames([]Axis{{Key: "client.users.timeout"}, {Key: "client.users.retry.max_attempts"}, {Key: "fault[0].for"}, {Key: "service.api.call[0].timeout"}})
	if want := []string{"timeout", "max_attempts", "fault[0].for", "service.api.call[0].timeout"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
