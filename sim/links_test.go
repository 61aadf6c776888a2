package sim_test

import (
	"fmt"
	"math"
	"testing"
)

// A link's delay adds to every attempt, one way each direction: with a
// constant work and a constant delay on a link at low load, every request
// takes exactly the work plus the two delays, and the callee sees only its
// work.
func TestLinkDelayAddsExactly(t *testing.T) {
	for _, tc := range []struct {
		name, link string
		want       float64 // client latency, seconds
	}{
		{"no link", "", 0.010},
		{"both ways", `delay = "15ms"`, 0.040},
		{"one way each", `request_delay = "5ms"` + "\n" + `response_delay = "20ms"`, 0.035},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := `
duration = "20s"
[client.c]
target = "db"
users = 1
think = "100ms"
[database.db]
connections = 1
query_time = "10ms"
`
			if tc.link != "" {
				src += "[[link]]\nfrom = \"c\"\nto = \"db\"\n" + tc.link + "\n"
			}
			r := run(t, src)
			// The mean is a float sum of exact times; the quantiles keep
			// three significant digits.
			l := r.Summary.Clients.Latency
			if math.Abs(l.Mean-tc.want) > 1e-12 || math.Abs(l.Max-tc.want) > 1e-3*tc.want {
				t.Errorf("client latency mean %v, max %v; want exactly %v", l.Mean, l.Max, tc.want)
			}
			if got := r.Summary.Components["db"].MeanResponseS; math.Abs(got-0.010) > 1e-12 {
				t.Errorf("the database's own response time %v, want its work alone, 0.01", got)
			}
		})
	}
}

// A lost request never reaches the callee, a lost answer leaves the
// caller waiting after the callee did the work: both end in the caller's
// timeout, and the link counts each.
func TestLossOnLinks(t *testing.T) {
	for _, tc := range []struct {
		name, link        string
		dbAll             bool // the database sees every attempt
		lostReq, lostResp bool
	}{
		{"requests lost", `request_loss = 1`, false, true, false},
		{"answers lost", `response_loss = 1`, true, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, `
duration = "10s"
[client.c]
target = "db"
rate = 100
timeout = "50ms"
[database.db]
connections = 10
query_time = "1ms"
[[link]]
from = "c"
to = "db"
`+tc.link)
			s := r.Summary
			db, c := s.Components["db"], s.Components["c"]
			if s.Clients.Succeeded != 0 || c.TimedOut != c.Arrivals-c.InFlight {
				t.Errorf("%d succeeded, %d of %d attempts timed out; want none, all", s.Clients.Succeeded, c.TimedOut, c.Arrivals)
			}
			if got := db.Arrivals > 0; got != tc.dbAll {
				t.Errorf("the database saw %d calls; want some: %v", db.Arrivals, tc.dbAll)
			}
			if tc.dbAll && db.Completed != db.Arrivals-db.InFlight {
				t.Errorf("the database completed %d of %d calls; every call is worked whether or not its answer comes back", db.Completed, db.Arrivals)
			}
			l := s.Links[0]
			if l.From != "c" || l.To != "db" || l.Sent != c.Arrivals {
				t.Errorf("link %+v, want c -> db with %d sent", l, c.Arrivals)
			}
			if (l.LostRequests == l.Sent) != tc.lostReq || (l.LostResponses > 0 && l.LostResponses == db.Completed) != tc.lostResp {
				t.Errorf("link lost %d requests and %d answers of %d sent", l.LostRequests, l.LostResponses, l.Sent)
			}
		})
	}
}

// With answers lost with probability p and N attempts retried on timeout,
// a request succeeds with probability 1 - p^N, and the callee does the work
// of (1 - p^N)/(1 - p) attempts for it: the lost answers' work was done.
func TestResponseLossAgainstRetryAlgebra(t *testing.T) {
	const p, n = 0.3, 3
	r := run(t, fmt.Sprintf(`
duration = "200s"
[client.c]
target = "db"
rate = 500
timeout = "20ms"
retry = { max_attempts = %d, backoff = "none", retry_on = ["timeout"] }
[database.db]
connections = 100
query_time = "1ms"
[[link]]
from = "c"
to = "db"
response_loss = %g
`, n, p))
	s := r.Summary
	near(t, "success rate", s.Clients.SuccessRate, 1-math.Pow(p, n), 0.005)
	work := float64(s.Components["db"].Completed) / float64(s.Clients.LogicalRequests)
	near(t, "callee work per request", work, (1-math.Pow(p, n))/(1-p), 0.01)
}

// A lost answer of a non-idempotent write that the caller retries takes
// effect twice; idempotency keys at the callee make the retry a replay.
func TestLostAnswersDuplicateWritesUnlessKeyed(t *testing.T) {
	for _, keys := range []bool{false, true} {
		src := `
duration = "30s"
[client.c]
target = "payments"
rate = 50
timeout = "1s"
retry = { max_attempts = 3, backoff = "none" }
[service.payments]
workers = 20
service_time = "1ms"
[[service.payments.call]]
to = "db"
timeout = "50ms"
write = "non_idempotent"
retry = { max_attempts = 3, backoff = "none", retry_on = ["timeout"] }
[database.db]
connections = 20
query_time = "2ms"
[[link]]
from = "payments"
to = "db"
response_loss = 0.2
`
		if keys {
			src += "\n[database.db.idempotency_keys]\nttl = \"1h\"\n"
		}
		s := run(t, src).Summary
		dup := s.State.DuplicateWrites
		if keys != (dup == 0) {
			t.Errorf("idempotency keys %v: %d duplicate writes (%d lost answers)", keys, dup, s.Links[0].LostResponses)
		}
	}
}

// A partition passes nothing while it lasts, in the direction it names:
// cut answers leave the callee working for callers that hear nothing.
func TestPartitionWindowAndDirection(t *testing.T) {
	for _, tc := range []struct {
		dir              string
		dbDuring, answer bool
	}{{"both", false, false}, {"requests", false, false}, {"responses", true, false}} {
		t.Run(tc.dir, func(t *testing.T) {
			r := run(t, fmt.Sprintf(`
duration = "30s"
[client.c]
target = "db"
rate = 100
timeout = "100ms"
[database.db]
connections = 10
query_time = "1ms"
[[fault]]
partition = "c -> db"
direction = %q
at = "10s"
for = "10s"
`, tc.dir))
			arrivals := r.Series.Get("db", "arrivals")
			goodput := r.Series.Get("c", "succeeded")
			for b, at := range r.Series.Times {
				during := at >= 10 && at < 20
				if got := arrivals[b] > 0; got != (!during || tc.dbDuring) {
					t.Errorf("t=%gs: %g calls reached the database", at, arrivals[b])
				}
				if got := goodput[b] > 0; got != !during {
					t.Errorf("t=%gs: %g requests succeeded", at, goodput[b])
				}
			}
			f := r.Summary.Faults[0]
			if f.Kind != "partition" || f.Targets[0] != "c -> db" || f.Direction != tc.dir {
				t.Errorf("fault %+v", f)
			}
		})
	}
}

// A call whose caller cancels it while it is on its way is dropped when it
// arrives: the callee never works on it.
func TestCancelledOnTheWayIsDropped(t *testing.T) {
	s := run(t, `
duration = "10s"
[client.c]
target = "db"
rate = 100
timeout = "10ms"
cancel = true
[database.db]
connections = 10
query_time = "1ms"
[[link]]
from = "c"
to = "db"
request_delay = "20ms"
`).Summary
	if db := s.Components["db"]; db.Arrivals != 0 {
		t.Errorf("the database saw %d calls, all cancelled on the way", db.Arrivals)
	}
	if c := s.Components["c"]; c.TimedOut == 0 || s.Links[0].Sent != c.Arrivals {
		t.Errorf("%d timed out, %d sent on the link of %d attempts", c.TimedOut, s.Links[0].Sent, c.Arrivals)
	}
}

// Loss and latency faults and drifts change a link for their window only;
// a scenario without links has no links in its summary.
func TestLinkFaults(t *testing.T) {
	base := `
duration = "40s"
[client.c]
target = "db"
rate = 100
timeout = "1s"
[database.db]
connections = 100
query_time = "10ms"
`
	if s := run(t, base).Summary; s.Links != nil {
		t.Errorf("links %+v without any", s.Links)
	}
	r := run(t, base+`
[[fault]]
link = "c -> db"
kind = "latency"
latency = "100ms"
direction = "responses"
at = "10s"
for = "10s"
[[fault]]
link = "* -> db"
kind = "drift"
what = "loss"
from = 0
to = 1
at = "20s"
for = "10s"
`)
	p50 := r.Series.Get("c", "latency_p50_s")
	lost := r.Series.Get("c", "link_lost_requests.db")
	for b, at := range r.Series.Times {
		want := 0.010
		if at >= 10 && at < 20 {
			want = 0.110 // the answers take 100ms more
		}
		// A bucket's quantiles keep two significant digits.
		if at < 20 && at != 10 && math.Abs(p50[b]-want) > 1e-2*want {
			t.Errorf("t=%gs: client p50 %v, want %v", at, p50[b], want)
		}
		// The drift's loss steps up at each bucket: 0 in its first.
		if got := lost[b] > 0; got != (at > 20 && at < 30) {
			t.Errorf("t=%gs: %g calls lost", at, lost[b])
		}
	}
}
