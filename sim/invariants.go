package sim

import (
	"fmt"
	"math"

	"github.com/failsim/failsim/topology"
)

// InvariantError is a run whose books do not balance: a bug in the engine,
// never a result. It names the scenario, the seed and the invariant.
type InvariantError struct {
	Scenario, Variant string
	Seed              uint64
	Invariant         string
	Detail            string
}

func (e *InvariantError) Error() string {
	v := e.Variant
	if v == "" {
		v = "base"
	}
	return fmt.Sprintf("engine invariant %q violated in scenario %s (variant %s), seed %d: %s; this is a bug in the simulator, please report it with the scenario",
		e.Invariant, e.Scenario, v, e.Seed, e.Detail)
}

func (s *Sim) violated(invariant, format string, args ...any) *InvariantError {
	return &InvariantError{Scenario: s.sc.Name, Variant: s.sc.Variant, Seed: s.seed,
		Invariant: invariant, Detail: fmt.Sprintf(format, args...)}
}

// checkInvariants checks, at the current time, that every component's books
// balance:
//
//   - conservation: every call that arrived was answered (completed, failed,
//     refused, cancelled) or is still inside; every logical request succeeded,
//     failed or is in flight; every attempt a client sent ended or is in
//     flight;
//   - Little's law, exactly: the area under the number inside equals the
//     time spent inside by the calls that left plus that of those still in,
//     whatever the load, steady or not;
//   - no level (queue, calls inside, busy workers) ever went below zero;
//   - no call made more attempts than its policy allows;
//   - every inconsistent outcome opened was repaired or is still open, and
//     no write took effect again more often than it took effect;
//   - every message a durable queue stored was acked, expired or is held.
func (s *Sim) checkInvariants() error {
	if s.violation != "" {
		return s.violated("attempts <= max attempts", "%s", s.violation)
	}
	now := s.now()
	for i := range s.reports {
		r := &s.reports[i]
		st := &r.stats
		k := &s.comps[r.members[0]] // the kind of all of them
		var c counts
		c.add(&st.tot)
		c.add(&st.cur)
		for _, l := range []struct {
			name  string
			level interface{ Negative() bool }
		}{{"the number of calls inside", &st.inSys}, {"the queue length", &st.queue}, {"the number of busy workers", &st.busy}} {
			if l.level.Negative() {
				return s.violated("no negative level", "%s: %s went below zero", r.name, l.name)
			}
		}
		inside, waited, attempts := int64(0), 0.0, int64(0)
		for _, m := range r.members {
			km := &s.comps[m]
			listed := int64(0)
			for j := km.jobs; j >= 0; j = s.recs.at(j).next {
				cr := s.recs.at(j)
				listed++
				waited += (now - cr.sent).Seconds()
				if cr.child >= 0 {
					attempts++
				}
				attempts += int64(s.hedgeCount(j))
			}
			if listed != km.held {
				return s.violated("conservation", "%s: %d jobs listed inside, %d held", km.name, listed, km.held)
			}
			inside += listed
		}
		if inside != st.inSys.Value() {
			return s.violated("conservation", "%s: %d jobs listed inside, %d counted", r.name, inside, st.inSys.Value())
		}
		if k.kind == topology.KindClient {
			if c.logical != c.succeeded+c.degraded+c.failed+inside {
				return s.violated("conservation", "%s: %d logical requests issued, %d succeeded + %d degraded + %d failed + %d in flight",
					r.name, c.logical, c.succeeded, c.degraded, c.failed, inside)
			}
			if got := c.completed + c.errors + c.rejected + c.timedOut + c.cancelled + attempts; c.arrivals != got {
				return s.violated("conservation", "%s: %d attempts sent, %d ended or in flight", r.name, c.arrivals, got)
			}
		} else if got := c.completed + c.errors + c.rejected + c.cancelled + inside; c.arrivals != got {
			return s.violated("conservation", "%s: %d calls arrived, %d completed + %d failed + %d refused + %d cancelled + %d inside",
				r.name, c.arrivals, c.completed, c.errors, c.rejected, c.cancelled, inside)
		}
		if err := s.checkState(r, &c); err != nil {
			return err
		}
		if k.mq != nil {
			if err := s.checkQueue(k, &c); err != nil {
				return err
			}
		}
		area := st.inSys.Area(now) / 1e9
		if spent := st.respSum + waited; math.Abs(area-spent) > 1e-6*math.Max(1, spent) {
			return s.violated("Little's law", "%s: %.9g call-seconds inside by the level, %.9g by the calls", r.name, area, spent)
		}
	}
	return nil
}

// checkQueue checks a durable queue's books: every message it stored was
// acked, expired, or is still held, waiting or out for delivery.
func (s *Sim) checkQueue(k *component, c *counts) error {
	d := k.mq
	if held := int64(d.stored()); c.completed != c.acked+c.expired+held || k.stats.queue.Value() != held {
		return s.violated("conservation", "%s: %d messages stored, %d acked + %d expired + %d held (backlog level %d)",
			k.name, c.completed, c.acked, c.expired, held, k.stats.queue.Value())
	}
	return nil
}
