package sim

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
)

// Options say how a run is seeded, watched and bounded.
type Options struct {
	Seed uint64

	// MaxInFlight stops a run that diverges: when more calls and logical
	// requests than this are in flight at once, the run stops and returns
	// what it has, marked incomplete. 0 means DefaultMaxInFlight.
	MaxInFlight int

	// Debug checks the invariants at the end of every bucket, not only at
	// the end of the run.
	Debug bool

	// Fingerprint hashes every event's (time, kind, component, record) into
	// results.Run.Fingerprint: two runs with equal fingerprints did the same
	// thing in the same order.
	Fingerprint bool

	// Tracer, when set, hears every point of every request's life (see
	// sim/trace, which samples and narrates them).
	Tracer Tracer

	// Progress, when set, is told every few thousand events how far the
	// run has come: the simulated time reached and the events so far. It
	// is called between events, on the run's goroutine; what it does with
	// the news (a line on a terminal) is the caller's.
	Progress func(reached time.Duration, events uint64)

	// OnBucket, when set, is called each time a bucket closes, with the
	// series as it stands: its last bucket is the one just closed. It lets
	// a caller show a run while it goes (the playground streams it to a
	// page); it must read the series and not keep or change it. It is
	// called on the run's goroutine and changes nothing the run computes.
	OnBucket func(series *results.Series)
}

// DefaultMaxInFlight is about 640 MB of records.
const DefaultMaxInFlight = 5_000_000

// Run simulates sc. It returns the results, complete or, when ctx is done or
// the run diverged past Options.MaxInFlight, up to where it stopped and
// marked incomplete. A violated invariant is an *InvariantError, never
// silent numbers.
func Run(ctx context.Context, sc *topology.Scenario, opts Options) (*results.Run, error) {
	if opts.MaxInFlight == 0 {
		opts.MaxInFlight = DefaultMaxInFlight
	}
	if err := checkBuckets(sc); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	s := newSim(sc, opts.Seed)
	if err := checkSeries(sc, s); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	s.onBucket = opts.OnBucket
	if opts.Fingerprint {
		s.fp = fnv.New64a()
	}
	if opts.Tracer != nil {
		s.tr = &tracing{to: opts.Tracer, request: map[int32]int64{}, calls: map[int32]traced{}}
	}
	s.recs.keepChains = s.book != nil || s.tr != nil
	stop, err := s.loop(ctx, opts)
	if err != nil {
		return nil, err
	}
	if err := s.checkInvariants(); err != nil {
		return nil, err
	}
	if s.block == nil { // no bucket closed
		s.block = results.NewBlock(len(s.series.Keys), 0)
	}
	s.series.Show(s.block)
	s.block = nil
	lat := s.clientLatency()
	r := &results.Run{Summary: s.summary(lat), Series: s.series, ClientLatency: lat.Snapshot()}
	if stop != "" {
		r.Summary.Incomplete, r.Summary.StopReason = true, stop
	}
	if s.fp != nil {
		r.Fingerprint = fmt.Sprintf("%016x", s.fp.Sum64())
	}
	return r, nil
}

// checkEvery is how many events pass between looks at ctx and at the
// number in flight: rarely enough to cost nothing, often enough to stop
// within milliseconds.
const checkEvery = 1 << 14

// loop runs events until the end, or until it must stop: then it says why,
// and the run ends where it stopped.
func (s *Sim) loop(ctx context.Context, opts Options) (stop string, err error) {
	for {
		e, ok := s.sched.Next()
		if !ok || e.At >= s.end {
			break
		}
		for e.At >= s.bucketEnd {
			s.closeBucket()
			if opts.Debug {
				if err := s.checkInvariants(); err != nil {
					return "", err
				}
			}
		}
		s.events++
		if s.events%checkEvery == 0 {
			if stop = s.mustStop(ctx, opts.MaxInFlight, e.At); stop != "" {
				s.end = e.At
				break
			}
			if opts.Progress != nil {
				opts.Progress(time.Duration(e.At), s.events)
			}
		}
		if s.fp != nil {
			s.fingerprint(e)
		}
		s.dispatch(e)
	}
	for s.bucketEnd-s.bucket < s.end {
		s.closeBucket()
	}
	return stop, nil
}

// maxAtOneInstant is how many events a run may handle without simulated
// time moving before it is stopped as a runaway: a loop that takes no time,
// such as retries with no backoff against a refusal, bounded only by a
// deadline that time never reaches.
var maxAtOneInstant = 1 << 24

func (s *Sim) mustStop(ctx context.Context, maxInFlight int, at des.Time) string {
	select {
	case <-ctx.Done():
		return fmt.Sprintf("interrupted at t=%s", s.now())
	default:
	}
	if at != s.lastLook {
		s.lastLook, s.stalled = at, 0
	} else if s.stalled += checkEvery; s.stalled >= maxAtOneInstant {
		return fmt.Sprintf("stopped at t=%s: %d events without simulated time moving (a loop that takes no time: retries without backoff "+
			"against an answer that comes at once, bounded only by a deadline that time never reaches)", s.now(), s.stalled)
	}
	if n := s.recs.live(); n > maxInFlight {
		return fmt.Sprintf("stopped at t=%s: %d calls and requests in flight, more than the limit of %d (the system diverges: queues grow without bound)",
			s.now(), n, maxInFlight)
	}
	return ""
}

func (s *Sim) dispatch(e des.Event) {
	switch e.Kind {
	case evArrival:
		s.openLoopArrival(e.Comp)
	case evUserWake:
		s.newLogical(e.Comp, e.Ref)
	case evRetry:
		s.attempt(e.Ref)
	case evTimeout:
		s.timeout(e.Ref)
	case evWorkDone:
		s.workDone(e.Ref)
	case evExpire:
		s.expire(e.Ref)
	case evFaultStart:
		s.faultStart(e.Ref)
	case evFaultEnd:
		s.faultEnd(e.Ref)
	case evSweep:
		s.sweep(e.Comp)
	case evIntervene:
		s.intervene(int(e.Ref))
	case evUndo:
		s.undo(int(e.Ref))
	case evRestarted:
		s.applyState(e.Comp, -1, false)
	case evScaleOpen:
		s.scaleSample(&s.pools[e.Ref])
	case evScaleCheck:
		s.scaleDecide(&s.pools[e.Ref])
	case evScaleReady:
		s.scaleReady(&s.pools[e.Ref], int(e.Comp))
	case evDriftStep:
		s.driftStep(e.Ref)
	case evAlertEval:
		s.evaluateAlerts()
	case evHedge:
		s.hedgeDue(e.Ref)
	case evFallback:
		s.callDone(e.Ref, ok)
	case evRepair:
		s.repairDue(e.Ref)
	case evRetention:
		s.expireMessages(e.Comp)
	case evJoinTimeout:
		s.joinTimedOut(e.Ref)
	case evLinkArrive:
		s.linkArrive(e.Ref)
	case evLinkAnswer:
		s.linkAnswer(e.Ref, outcome(e.Comp))
	default:
		// A kind without a case would be dropped silently, and the run
		// would go on wrong: a new kind must come with its handler.
		panic(fmt.Sprintf("sim: event kind %d has no case in dispatch", e.Kind))
	}
}

func (s *Sim) fingerprint(e des.Event) {
	var b [17]byte
	binary.LittleEndian.PutUint64(b[0:], uint64(e.At))
	b[8] = byte(e.Kind)
	binary.LittleEndian.PutUint32(b[9:], uint32(e.Comp))
	binary.LittleEndian.PutUint32(b[13:], uint32(e.Ref))
	s.fp.Write(b[:])
}
