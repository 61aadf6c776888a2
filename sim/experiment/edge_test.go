package experiment

import (
	"context"
	"strings"
	"testing"
)

// retry-storm recovers from a 1s capacity drop and not from a 6s one: the
// edge lies between, and every probe shows how many seeds recovered.
func TestFindEdge(t *testing.T) {
	slow(t)
	s, err := NewSweep(mustConfig(t, retryStorm), axes(t, "duration=150s", "fault[0].for=1s,6s"), 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.FindEdge(context.Background(), "fault[0].for", 4, inReverse, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(e.Verdict)
	if e.Recovers < 0 || e.Fails < 0 || len(e.Probes) < 4 {
		t.Fatalf("%+v", e)
	}
	ok, fail := e.Probes[e.Recovers], e.Probes[e.Fails]
	if !(ok.X < fail.X) || fail.X-ok.X > 5.0/16+1e-3 || !ok.Recovers() || fail.Recovers() {
		t.Errorf("edge between %s (%s) and %s (%s)", ok.Value, share(ok), fail.Value, share(fail))
	}
	for i := 1; i < len(e.Probes); i++ {
		if e.Probes[i-1].X >= e.Probes[i].X {
			t.Errorf("probes not in order of value: %v then %v", e.Probes[i-1].Value, e.Probes[i].Value)
		}
	}
	if e.Probes[0].Value != "1s" || len(e.Probes[0].RecoveredSeeds) != 5 {
		t.Errorf("first probe %+v", e.Probes[0])
	}
}

func TestFindEdgeNeedsTwoNumericBoundsAndAFault(t *testing.T) {
	for _, c := range []struct {
		file, key string
		sets      []string
		want      string
	}{
		{retryStorm, "fault[0].for", []string{"fault[0].for=1s,2s,3s"}, "exactly two bounds, as fault[0].for=LOW,HIGH; they give 3 values"},
		{retryStorm, "fault[0].for", []string{"fault[0].for=1s,6s", "client.users.users=200,240"}, "every other setting has one"},
		{retryStorm, "client.users.retry.backoff", []string{"client.users.retry.backoff=none,exponential"}, "both numbers or both durations"},
		{retryStorm, "fault[0].for", []string{"client.users.timeout=1s"}, "must give its two bounds, as fault[0].for=LOW,HIGH"},
		{mm1, "client.arrivals.rate", []string{"client.arrivals.rate=100,900"}, "no fault within its duration"},
	} {
		s, err := NewSweep(mustConfig(t, c.file), axes(t, c.sets...), 2, 1)
		if err != nil {
			t.Fatalf("%v: %v", c.sets, err)
		}
		_, err = s.FindEdge(context.Background(), c.key, 3, Sequential, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q", c.sets, err, c.want)
		}
	}
}
