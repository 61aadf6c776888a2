package sim

import (
	"fmt"
	"time"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/topology"
)

// A Tracer hears the semantic points of every logical request's life, in
// the order they happen. It is set in Options; without one the engine pays
// a nil check per point. Package sim/trace samples and narrates them.
type Tracer interface {
	Trace(e *TraceEvent)
}

// TraceKind is a point in a request's life.
type TraceKind uint8

// The points a Tracer hears of.
const (
	TraceStart      TraceKind = iota // a client starts logical request Request
	TraceSend                        // Caller sends try Try of its call to Callee; Wait is how long it will wait (0: no limit)
	TraceQueued                      // Callee queues the call behind Queue others
	TraceWork                        // a worker of Callee starts on the call; Wait is its service time
	TraceAnswer                      // Callee answers the call with Outcome after Wait; Orphaned when nobody waits any more
	TraceTimeout                     // Caller stops waiting for the call after Wait; Cancel when it tells Callee
	TraceGoesOn                      // after a timeout: Callee still holds the call, as State says; Wait is what is left
	TraceRetry                       // Caller tries again after Wait
	TraceGiveUp                      // Caller's call fails with Outcome: no try left, or none allowed
	TraceDone                        // the logical request ends with Outcome after Wait
	TraceLost                        // the link lost the call on its way to Callee: Callee never sees it
	TraceAnswerLost                  // the link lost Callee's answer (Outcome) on its way back: Callee did the work
)

// TraceEvent is one point. Durations are simulated time.
type TraceEvent struct {
	At         time.Duration
	Kind       TraceKind
	Request    int64  // the logical request, numbered from 1 in the order requests start
	Client     string // the client that started it
	Attempt    int    // the client's attempt this event belongs to (0 for the request itself)
	Where      string // the component where it happens
	WhereKind  topology.Kind
	Caller     string // for calls: the component that makes it
	Callee     string // for calls: the component that handles it
	CalleeKind topology.Kind
	Try        int // which try of its caller's call this is; for a retry or give-up, tries made so far
	MaxTries   int // how many tries the caller's policy allows
	Outcome    string
	Wait       time.Duration
	Queue      int
	State      string
	Orphaned   bool // nobody waits for this call's answer any more
	Cancel     bool
	Wasted     time.Duration // service time spent on the call when nobody waited for it

	// Call identifies the call (or, for TraceStart and TraceDone, the
	// logical request) the event concerns, numbered from 1 in the order
	// calls are sent and requests start, unique over the run; for a retry
	// or a give-up it is the call whose outbound call is retried or given
	// up. Parent is the call its caller was handling, 0 for a logical
	// request. Exporters build spans from them (sim/trace).
	Call, Parent int64
	Hedge        bool // a hedged copy after the first
}

// Outcome names, as a TraceEvent says them.
var outcomeNames = [...]string{ok: "ok", timedOut: "timeout", failed: "error", rejected: "rejected", cancelledCall: "cancelled"}

// tracing is the state a run keeps for its Tracer: request numbers and,
// per call in flight, its try and when its caller stops waiting.
type tracing struct {
	to      Tracer
	next    int64
	request map[int32]int64 // logical request record -> number
	calls   map[int32]traced
	ids     int64 // the last call number given
	e       TraceEvent
}

type traced struct {
	try   int32
	until des.Time // des.Never without a limit
	id    int64    // the call's number (TraceEvent.Call)
}

// trace tells the tracer, if any, of point kind of record r; d is the
// duration the point carries (the wait of a send or a retry).
func (s *Sim) trace(kind TraceKind, r int32, o outcome, d des.Time) {
	if s.tr != nil {
		s.traceEvent(kind, r, o, d)
	}
}

func (s *Sim) traceEvent(kind TraceKind, r int32, o outcome, d des.Time) {
	if kind == TraceGiveUp && o == ok {
		return // a success is told by its answer
	}
	t := s.tr
	now := s.now()
	rr := s.recs.at(r)
	switch kind {
	case TraceStart:
		t.next++
		t.request[r] = t.next
		t.ids++
		t.calls[r] = traced{id: t.ids}
	case TraceSend:
		until := des.Never
		if d > 0 {
			until = now + d
		}
		t.ids++
		t.calls[r] = traced{try: s.recs.at(rr.parent).tries, until: until, id: t.ids}
	}
	e := &t.e
	*e = TraceEvent{At: time.Duration(now), Kind: kind, Outcome: outcomeNames[o], Wait: time.Duration(d)}
	s.describe(e, r)
	switch kind {
	case TraceQueued:
		e.Queue = int(s.comps[rr.comp].srv.queued) - 1
	case TraceWork:
		e.Wait = time.Duration(rr.work)
	case TraceAnswer:
		e.Wait = time.Duration(now - rr.sent)
		if e.Orphaned && rr.flags&inside != 0 && s.comps[rr.comp].srv != nil {
			e.Wasted = time.Duration(rr.work)
		}
	case TraceTimeout:
		e.Wait = time.Duration(now - rr.sent)
		e.Cancel = s.policyOf(rr.parent).cancel
	case TraceRetry, TraceGiveUp:
		e.Try, e.MaxTries = int(rr.tries), int(s.policyFor(rr).maxAttempts)
	case TraceDone:
		e.Try, e.MaxTries = int(rr.tries), int(s.policyFor(rr).maxAttempts)
		e.Wait = time.Duration(now - rr.sent)
	}
	t.to.Trace(e)
	if kind == TraceTimeout {
		s.traceGoesOn(r)
	}
}

// describe fills in who an event concerns: the request, the client's
// attempt, and for a call its caller, callee and try.
func (s *Sim) describe(e *TraceEvent, r int32) {
	rr := s.recs.at(r)
	root, top := r, int32(-1) // top: the client's attempt r descends from
	for s.recs.at(root).parent >= 0 {
		top, root = root, s.recs.at(root).parent
	}
	e.Request = s.tr.request[root]
	e.Client = s.comps[s.recs.at(root).comp].name
	if top >= 0 {
		e.Attempt = int(s.tr.calls[top].try)
	}
	e.Orphaned = s.recs.orphaned(r)
	e.Call = s.tr.calls[r].id
	if rr.parent >= 0 {
		e.Parent = s.tr.calls[rr.parent].id
	}
	e.Hedge = rr.flags&hedgeCopy != 0
	where := rr.comp
	if rr.parent >= 0 {
		caller := s.recs.at(rr.parent)
		e.Caller, e.Callee, e.CalleeKind = s.comps[caller.comp].name, s.comps[rr.comp].name, s.comps[rr.comp].kind
		e.Try, e.MaxTries = int(s.tr.calls[r].try), int(s.policyFor(caller).maxAttempts)
		if e.Kind == TraceSend || e.Kind == TraceTimeout {
			where = caller.comp
		}
	}
	e.Where, e.WhereKind = s.comps[where].name, s.comps[where].kind
}

// traceGoesOn tells, after the caller of call c gave up on it, who still
// holds it or the calls made for it, and in what state.
func (s *Sim) traceGoesOn(c int32) {
	now := s.now()
	for d := c; d >= 0; {
		dr := s.recs.at(d)
		e := &s.tr.e
		*e = TraceEvent{At: time.Duration(now), Kind: TraceGoesOn}
		s.describe(e, d)
		next := int32(-1)
		switch {
		case dr.flags&inside == 0:
			return // answered or dropped already
		case dr.flags&queued != 0:
			e.State = "queued"
		case dr.flags&pending != 0:
			e.State = "pending"
		case dr.flags&computing != 0:
			e.State = "working"
			e.Wait = time.Duration(dr.start + dr.work - now)
		case dr.child >= 0:
			next = dr.child
			e.State = "waiting on " + s.comps[s.recs.at(next).comp].name
			if until := s.tr.calls[next].until; until != des.Never {
				e.Wait = time.Duration(until - now)
			}
		case dr.flags&backingOff != 0:
			e.State = "backing off"
		case s.inGroup(d):
			js := &s.joins[d]
			e.State = fmt.Sprintf("waiting on %d of its %d calls at once", js.n-js.ok-js.failed-js.optny, js.n)
		default:
			return
		}
		s.tr.to.Trace(e)
		d = next
	}
}
