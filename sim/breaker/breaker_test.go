package breaker

import (
	"fmt"
	"testing"
	"time"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/topology"
)

// resilience4j's defaults, with a smaller window for readable tests.
func spec() topology.Breaker {
	return topology.Breaker{
		SlidingWindowSize: 10, MinimumNumberOfCalls: 10,
		FailureRateThreshold: 50, SlowCallRateThreshold: 100, SlowCallDuration: 60 * time.Second,
		WaitDurationInOpenState: 60 * time.Second, PermittedCallsInHalfOpen: 4,
	}
}

// call makes one call through b at now: it fails or not; Allow's verdict is
// returned.
func call(b *Breaker, now des.Time, failed bool) bool {
	if !b.Allow(now) {
		return false
	}
	b.Record(now, failed, 0)
	return true
}

func TestOpensOnlyOnceMinimumCallsAreRecorded(t *testing.T) {
	b := New(spec())
	for i := range 9 {
		call(b, 0, true)
		if b.State() != Closed {
			t.Fatalf("opened after %d calls, minimum is 10", i+1)
		}
	}
	call(b, 0, true)
	if b.State() != Open || b.Opened() != 1 {
		t.Fatalf("state %d after 10 failures, want open", b.State())
	}
}

func TestFailureRateThreshold(t *testing.T) {
	for _, tc := range []struct {
		failures int
		want     State
	}{{4, Closed}, {5, Open}, {6, Open}} { // 50% of 10 opens it
		t.Run(fmt.Sprint(tc.failures, " of 10 fail"), func(t *testing.T) {
			b := New(spec())
			for i := range 10 {
				call(b, 0, i < tc.failures)
			}
			if b.State() != tc.want {
				t.Fatalf("state %d, want %d", b.State(), tc.want)
			}
		})
	}
}

func TestCountWindowForgetsOldCalls(t *testing.T) {
	b := New(spec())
	for range 4 {
		call(b, 0, true)
	}
	for range 200 { // successes push the failures out of the window of 10
		call(b, 0, false)
	}
	for range 4 {
		call(b, 0, true)
	}
	if b.State() != Closed {
		t.Fatal("4 failures in the last 10 calls opened the breaker")
	}
}

func TestOpenWaitsThenTrialCallsDecide(t *testing.T) {
	s := des.Second
	for _, tc := range []struct {
		name      string
		trialFail int // of the 4 permitted trial calls
		want      State
	}{{"trials succeed: closed", 1, Closed}, {"trials fail: open again", 2, Open}} {
		t.Run(tc.name, func(t *testing.T) {
			b := New(spec())
			for range 10 {
				call(b, 0, true)
			}
			if call(b, 59*s, false) {
				t.Fatal("a call passed an open breaker before its 60s wait")
			}
			if !b.Allow(60 * s) {
				t.Fatal("no trial call after the wait")
			}
			if b.State() != HalfOpen {
				t.Fatalf("state %d after the wait, want half-open", b.State())
			}
			for i := range 3 {
				if !b.Allow(60 * s) {
					t.Fatalf("trial call %d refused; 4 are permitted", i+2)
				}
			}
			if b.Allow(60 * s) {
				t.Fatal("a fifth call passed a half-open breaker permitting 4")
			}
			for i := range 4 {
				b.Record(61*s, i < tc.trialFail, 0)
			}
			if b.State() != tc.want {
				t.Fatalf("state %d after the trials, want %d", b.State(), tc.want)
			}
		})
	}
}

func TestSlowCallRate(t *testing.T) {
	sp := spec()
	sp.SlowCallRateThreshold, sp.SlowCallDuration = 50, 2*time.Second
	b := New(sp)
	for i := range 10 {
		took := 2 * des.Second // at the threshold is not slow
		if i%2 == 0 {
			took = 2*des.Second + 1 // beyond it is
		}
		b.Allow(0)
		b.Record(0, false, took)
	}
	if b.State() != Open {
		t.Fatal("half the calls slow at a 50% slow-call threshold did not open the breaker")
	}
}

// As in resilience4j, a count-based window caps the minimum number of calls
// at its size, and half-open evaluates after the smaller of the minimum and
// the permitted trials.
func TestMinimumIsCappedByTheWindow(t *testing.T) {
	sp := spec()
	sp.MinimumNumberOfCalls = 50 // more than the window of 10
	b := New(sp)
	for range 10 {
		call(b, 0, true)
	}
	if b.State() != Open {
		t.Fatal("a full window of failures did not open a breaker whose minimum exceeds the window")
	}
	sp = spec()
	sp.MinimumNumberOfCalls, sp.PermittedCallsInHalfOpen = 2, 4
	b = New(sp)
	call(b, 0, true)
	call(b, 0, true)
	b.Allow(60 * des.Second)
	b.Record(60*des.Second, false, 0)
	b.Allow(60 * des.Second)
	b.Record(60*des.Second, false, 0)
	if b.State() != Closed {
		t.Fatalf("state %d after 2 good trials with a minimum of 2, want closed", b.State())
	}
}

func TestTimeWindowCountsTheLastSeconds(t *testing.T) {
	sp := spec()
	sp.TimeBased, sp.SlidingWindowSize, sp.MinimumNumberOfCalls = true, 10, 4
	b := New(sp)
	s := des.Second
	call(b, 0, true)
	call(b, 1*s, true)
	call(b, 2*s, true) // three failures in [0, 3)
	for i := range 10 {
		call(b, 13*s+des.Time(i), false) // the failures are more than 10s old now
	}
	call(b, 13*s, true)
	if b.State() != Closed {
		t.Fatal("failures older than the 10s window opened the breaker")
	}
	b2 := New(sp)
	for i := range 4 {
		call(b2, des.Time(i)*s, i < 2) // 2 of 4 within 10s: 50%
	}
	if b2.State() != Open {
		t.Fatal("50% failures within the window did not open the breaker")
	}
}
