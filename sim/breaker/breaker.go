package breaker

import (
	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/topology"
)

// State is a circuit breaker's state.
type State uint8

// Breaker states; the values are what metrics report.
const (
	Closed   State = 0
	HalfOpen State = 1
	Open     State = 2
)

// Breaker decides which calls may go through on one edge.
type Breaker struct {
	spec  topology.Breaker
	state State

	win      window // closed: the sliding window; half-open: the trial calls
	openedAt des.Time
	trials   int // half-open: calls permitted so far
	opened   int // transitions to open, for the summary
}

// New returns a closed breaker.
func New(spec topology.Breaker) *Breaker {
	b := &Breaker{spec: spec}
	b.win = newWindow(spec.TimeBased, spec.SlidingWindowSize)
	return b
}

// State returns the current state; an open breaker whose wait is over reads
// as open until a call asks to pass (resilience4j's default, without
// automatic transition).
func (b *Breaker) State() State { return b.state }

// Opened is how many times the breaker has opened.
func (b *Breaker) Opened() int { return b.opened }

// Allow asks whether a call may go through now. An open breaker becomes
// half-open at the first call after its wait; a half-open one lets through
// only its permitted trial calls.
func (b *Breaker) Allow(now des.Time) bool {
	switch b.state {
	case Open:
		if now < b.openedAt+des.FromDuration(b.spec.WaitDurationInOpenState) {
			return false
		}
		b.state = HalfOpen
		b.trials = 0
		b.win = newWindow(false, b.spec.PermittedCallsInHalfOpen)
		fallthrough
	case HalfOpen:
		if b.trials >= b.spec.PermittedCallsInHalfOpen {
			return false
		}
		b.trials++
	}
	return true
}

// Record reports the outcome of a call that Allow let through.
func (b *Breaker) Record(now des.Time, failed bool, took des.Time) {
	if b.state == Open {
		return // a call let through before the breaker opened
	}
	slow := took > des.FromDuration(b.spec.SlowCallDuration)
	b.win.add(now, failed, slow)
	calls, failures, slows := b.win.totals(now)
	// resilience4j evaluates once the window holds the minimum number of
	// calls, capped at the window's size when it counts calls; the
	// half-open trials are such a window, of the permitted size.
	minimum := b.spec.MinimumNumberOfCalls
	switch {
	case b.state == HalfOpen:
		minimum = min(minimum, b.spec.PermittedCallsInHalfOpen)
	case !b.spec.TimeBased:
		minimum = min(minimum, b.spec.SlidingWindowSize)
	}
	if calls < minimum {
		return
	}
	n := float64(calls)
	if 100*float64(failures)/n >= b.spec.FailureRateThreshold || 100*float64(slows)/n >= b.spec.SlowCallRateThreshold {
		b.state, b.openedAt = Open, now
		b.opened++
		return
	}
	if b.state == HalfOpen {
		b.state = Closed
		b.win = newWindow(b.spec.TimeBased, b.spec.SlidingWindowSize)
	}
}

// window is resilience4j's sliding window: the last size calls, or the calls
// of the last size seconds in one-second buckets.
type window struct {
	timeBased bool

	failed, slow   []bool // count-based ring of the last calls
	next, n        int
	nFailed, nSlow int // running counts over the ring

	buckets []bucket // time-based ring, one per second
}

type bucket struct {
	second                int64
	calls, failures, slow int
}

func newWindow(timeBased bool, size int) window {
	if timeBased {
		return window{timeBased: true, buckets: make([]bucket, size)}
	}
	return window{failed: make([]bool, size), slow: make([]bool, size)}
}

func (w *window) add(now des.Time, failed, slow bool) {
	if w.timeBased {
		sec := int64(now / des.Second)
		bk := &w.buckets[sec%int64(len(w.buckets))]
		if bk.second != sec {
			*bk = bucket{second: sec}
		}
		bk.calls++
		bk.failures += b2i(failed)
		bk.slow += b2i(slow)
		return
	}
	if w.n == len(w.failed) { // the oldest call leaves the window
		w.nFailed -= b2i(w.failed[w.next])
		w.nSlow -= b2i(w.slow[w.next])
	}
	w.failed[w.next], w.slow[w.next] = failed, slow
	w.nFailed += b2i(failed)
	w.nSlow += b2i(slow)
	w.next = (w.next + 1) % len(w.failed)
	w.n = min(w.n+1, len(w.failed))
}

func (w *window) totals(now des.Time) (calls, failures, slow int) {
	if w.timeBased {
		sec := int64(now / des.Second)
		for _, bk := range w.buckets {
			if bk.calls > 0 && sec-bk.second < int64(len(w.buckets)) {
				calls += bk.calls
				failures += bk.failures
				slow += bk.slow
			}
		}
		return calls, failures, slow
	}
	return w.n, w.nFailed, w.nSlow
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
