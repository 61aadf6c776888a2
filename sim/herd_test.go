package sim_test

import (
	"strconv"
	"testing"

	"github.com/failsim/failsim/topology/scenariofile"
)

// A closed-loop user with a request limit makes exactly that many requests
// and stops; finished_s is when the last user's last request ended.
func TestUsersStopAfterTheirRequests(t *testing.T) {
	for _, tc := range []struct {
		name            string
		users, requests int
		wantLogical     int64
		wantFinished    float64 // 0: none reported
	}{
		// Users wake after one think of 1s; requests take exactly 100ms:
		// they end at 1.1, 2.2 and 3.3s.
		{"two users, three requests", 2, 3, 6, 3.3},
		{"one request each", 5, 1, 5, 1.1},
		{"no limit: users go on", 2, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := `duration = "20s"
[client.users]
target = "api"
users = ` + strconv.Itoa(tc.users) + `
think = "1s"
` + requestsLine(tc.requests) + `
[service.api]
workers = 100
service_time = "100ms"
`
			sc, err := scenariofile.Parse("t.toml", []byte(src), "")
			if err != nil {
				t.Fatal(err)
			}
			s := mustRun(t, sc, 1).Summary
			if tc.wantLogical > 0 && s.Clients.LogicalRequests != tc.wantLogical {
				t.Errorf("logical requests %d, want %d", s.Clients.LogicalRequests, tc.wantLogical)
			}
			switch f := s.Clients.FinishedS; {
			case tc.wantFinished == 0 && f != nil:
				t.Errorf("finished_s %g, want none", *f)
			case tc.wantFinished > 0 && f == nil:
				t.Errorf("no finished_s, want %g", tc.wantFinished)
			case tc.wantFinished > 0:
				near(t, "finished_s", *f, tc.wantFinished, 1e-9)
			}
		})
	}
}

// A user that has not finished by the end of the run leaves finished_s out.
func TestFinishedNeedsEveryUser(t *testing.T) {
	s := run(t, `duration = "2s"
[client.users]
target = "api"
users = 1
requests = 10
think = "1s"
[service.api]
workers = 1
service_time = "100ms"
`).Summary
	if s.Clients.FinishedS != nil {
		t.Errorf("finished_s %g, but the user had requests left", *s.Clients.FinishedS)
	}
}

func requestsLine(n int) string {
	if n == 0 {
		return ""
	}
	return "requests = " + strconv.Itoa(n)
}

// The thundering herd ranks backoff algorithms as the AWS Architecture
// Blog's "Exponential Backoff And Jitter" does, on every seed: exponential
// backoff without jitter takes longest by far (clients that collided wait
// alike and collide again), full and equal jitter do the least work, and
// retrying at once does the most.
func TestThunderingHerdRanksBackoffLikeThePublishedComparison(t *testing.T) {
	variants := []string{"", "exponential", "full-jitter", "equal-jitter", "decorrelated-jitter"}
	for seed := uint64(1); seed <= 5; seed++ {
		work := map[string]int64{}
		finish := map[string]float64{}
		for _, v := range variants {
			sc, err := scenariofile.Load("../scenarios/thundering-herd.toml", v)
			if err != nil {
				t.Fatal(err)
			}
			s := mustRun(t, sc, seed).Summary
			if s.Clients.Failed > 0 || s.Clients.FinishedS == nil {
				t.Fatalf("seed %d %q: %d failed, finished %v; every writer should get through", seed, v, s.Clients.Failed, s.Clients.FinishedS)
			}
			work[v], finish[v] = s.Components["record"].Arrivals, *s.Clients.FinishedS
		}
		for _, v := range variants {
			if v != "exponential" && finish["exponential"] < 5*finish[v] {
				t.Errorf("seed %d: exponential finished at %.2fs, %q at %.2fs; want it slowest by far (5x)", seed, finish["exponential"], v, finish[v])
			}
		}
		for _, least := range []string{"full-jitter", "equal-jitter"} {
			for _, v := range []string{"", "exponential", "decorrelated-jitter"} {
				if work[least] >= work[v] {
					t.Errorf("seed %d: %s made %d calls, %q %d; want full and equal jitter to do the least work", seed, least, work[least], v, work[v])
				}
			}
		}
		if work[""] < 2*work["full-jitter"] {
			t.Errorf("seed %d: no backoff made %d calls, full jitter %d; want retrying at once to do far more", seed, work[""], work["full-jitter"])
		}
	}
}
