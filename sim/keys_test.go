package sim_test

import (
	"fmt"
	"math"
	"testing"
)

// Two writers race on one record with conditional writes, without retries:
// each thinks for Exp(λ), then its write works for Exp(μ) between reading
// the version and committing. A continuous-time Markov chain over (idle,
// working clean, working doomed) for both gives the share of writes that
// lose their race, with ρ = λ/μ: ρ(2 + ρ) / ((1 + ρ)(2 + 3ρ)) (the
// derivation is in docs/model.md).
func TestTwoWritersConflictAsTheChainSays(t *testing.T) {
	for _, tc := range []struct{ think, work string }{{"100ms", "50ms"}, {"100ms", "200ms"}} {
		t.Run(tc.think+"/"+tc.work, func(t *testing.T) {
			r := run(t, fmt.Sprintf(`
duration = "3000s"
[metrics]
warmup = "10s"
[client.writers]
target = "row"
users = 2
think = { dist = "exponential", mean = %q }
write = "conditional"
[database.row]
connections = 2
query_time = { dist = "exponential", mean = %q }
records = { keys = 1 }
`, tc.think, tc.work))
			row := r.Summary.Components["row"]
			rho := 1 / parseSeconds(t, tc.think) * parseSeconds(t, tc.work)
			want := rho * (2 + rho) / ((1 + rho) * (2 + 3*rho))
			near(t, "share of writes that conflict", float64(row.Conflicts)/float64(row.Completed+row.Errors), want, 0.03)
			if row.Errors != row.Conflicts {
				t.Errorf("%d errors, %d conflicts: every error is a conflict here", row.Errors, row.Conflicts)
			}
		})
	}
}

// A blind write commits whatever it read and moves the version on: a
// conditional writer racing a blind one loses when the blind one commits
// during its work. With the blind writer's cycle D + Exp(1/λ) and a work of
// D, at most one commit falls in a window of D, with probability
// D / (D + 1/λ); every lost race wasted exactly its D of work.
func TestABlindWriteMovesTheVersion(t *testing.T) {
	r := run(t, `
duration = "2000s"
[metrics]
warmup = "10s"
[client.careful]
target = "row"
users = 1
think = { dist = "exponential", mean = "50ms" }
write = "conditional"
[client.blind]
target = "row"
users = 1
think = { dist = "exponential", mean = "150ms" }
write = "idempotent"
[database.row]
connections = 2
query_time = "50ms"
records = { keys = 1 }
`)
	row := r.Summary.Components["row"]
	careful := r.Summary.Components["careful"]
	near(t, "share of conditional writes that conflict", float64(row.Conflicts)/float64(careful.Arrivals-careful.InFlight), 0.05/(0.05+0.15), 0.03)
	if want := float64(row.Conflicts) * 0.05; math.Abs(row.ConflictWorkS-want) > 1e-9*want {
		t.Errorf("conflict work %v s, want %d conflicts × 50ms", row.ConflictWorkS, row.Conflicts)
	}
	if hk := row.HotKeys; len(hk) != 1 || hk[0].Key != 0 || hk[0].Conflicts != row.Conflicts || hk[0].Commits != row.Completed {
		t.Errorf("hot keys %+v, want key 0 with every conflict and every commit", hk)
	}
}

// Writers retry the conflicts of a hot row by their backoff until all are
// through: every client's write takes effect once, and the row sees one
// commit per writer plus one conflict per lost race.
func TestHotRowWritersAllGetThrough(t *testing.T) {
	for _, backoff := range []string{`backoff = "none"`, `backoff = "exponential", jitter = "full", base = "10ms", cap = "2s"`} {
		s := run(t, `
duration = "60s"
[client.writers]
target = "row"
users = 50
requests = 1
think = "0s"
deadline = "60s"
write = "conditional"
retry = { max_attempts = "none", retry_on = ["error"], `+backoff+` }
[database.row]
connections = 50
query_time = "20ms"
records = { keys = 1 }
[network]
delay = "10ms"
`).Summary
		row := s.Components["row"]
		if s.Clients.FinishedS == nil || s.Clients.Succeeded != 50 || s.State.Writes != 50 || row.Completed != 50 {
			t.Errorf("%s: finished %v, %d succeeded, %d writes, %d committed", backoff, s.Clients.FinishedS, s.Clients.Succeeded, s.State.Writes, row.Completed)
		}
		if row.Arrivals != row.Completed+row.Conflicts || s.Clients.Attempts != row.Arrivals {
			t.Errorf("%s: %d calls, %d commits, %d conflicts, %d attempts", backoff, row.Arrivals, row.Completed, row.Conflicts, s.Clients.Attempts)
		}
	}
}

func parseSeconds(t *testing.T, s string) float64 {
	t.Helper()
	var v float64
	var unit string
	if _, err := fmt.Sscanf(s, "%f%s", &v, &unit); err != nil || unit != "ms" {
		t.Fatalf("test bug: %q", s)
	}
	return v / 1000
}

// With max_attempts = "none", only the deadline bounds the attempts: a call
// that fails at once, retried every 100ms, makes ten attempts in a second.
func TestAttemptsBoundedOnlyByTheDeadline(t *testing.T) {
	s := run(t, `
duration = "20s"
[client.c]
target = "db"
users = 5
requests = 4
think = "0s"
deadline = "1s"
retry = { max_attempts = "none", backoff = "constant", base = "100ms" }
[database.db]
connections = 10
query_time = "1ms"
error_rate = 1
`).Summary
	if got := float64(s.Clients.Attempts) / float64(s.Clients.LogicalRequests); got != 10 || s.Clients.FinishedS == nil {
		t.Errorf("%.2f attempts per request, want 10 (each at 1ms + 100ms, within 1s)", got)
	}
}
