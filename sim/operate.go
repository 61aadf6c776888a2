package sim

import (
	"fmt"
	"strings"
	"time"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/sim/limit"
	"github.com/failsim/failsim/sim/random"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
)

// applied is one intervention as it ran: when, what it changed, and what
// to put back when it is undone.
type applied struct {
	iv        *topology.Intervention
	at        des.Time
	fired     des.Time // when the alert that triggered it fired; -1 for one at a fixed time
	undone    des.Time // 0 while the change holds
	effect    string
	prev      []float64 // per target: workers, shed fraction or timeout (ns) before the change; instances for a service
	classPrev []float64 // a client's request classes, in order: their timeouts (ns) before the change

	// renewed: applied again while it held (its alert fired again), so the
	// later application holds the change on and puts back what this one found.
	renewed bool
}

// scheduleIntervention applies intervention i at the given time. Every
// trigger goes through here: a fixed time (newSim), or an alert firing plus
// the reaction delay (alertFired).
func (s *Sim) scheduleIntervention(i int, at des.Time) {
	if at < s.end {
		s.sched.Schedule(at, evIntervene, 0, int32(i))
	}
}

// intervene applies intervention i now, and schedules its undoing when it
// holds for a while only.
func (s *Sim) intervene(i int) {
	iv := &s.sc.Interventions[i]
	a := applied{iv: iv, at: s.now(), fired: -1}
	if iv.OnAlert != "" {
		a.fired = s.now() - des.FromDuration(iv.ReactionDelay)
	}
	var what []string
	for _, t := range iv.Targets {
		k := &s.comps[t]
		switch iv.Kind {
		case topology.Scale:
			if iv.Service != "" {
				continue // the instances are set once below
			}
			a.prev = append(a.prev, float64(k.srv.workers))
			s.scaleWorkers(int32(t), iv.Workers)
		case topology.Restart:
			what = append(what, fmt.Sprintf("%s dropped %d calls", k.name, k.held))
			s.restart(int32(t), des.FromDuration(iv.Downtime))
		case topology.ShedLoad:
			a.prev = append(a.prev, k.shedding())
			s.setShed(k, iv.Fraction)
		case topology.RetriesOff:
			p := k.callPolicy()
			p.retriesOff = true
			what = append(what, fmt.Sprintf("%s no longer retries (was up to %d attempts)", k.name, p.maxAttempts))
			for _, p := range k.classPolicies() {
				p.retriesOff = true
			}
		case topology.SetTimeout:
			p := k.callPolicy()
			a.prev = append(a.prev, float64(p.timeout))
			what = append(what, fmt.Sprintf("%s timeout %s → %s", k.name, limitString(p.timeout), limitString(des.FromDuration(iv.Timeout))))
			s.setTimeoutTo(p, des.FromDuration(iv.Timeout))
			for _, p := range k.classPolicies() {
				a.classPrev = append(a.classPrev, float64(p.timeout))
				s.setTimeoutTo(p, des.FromDuration(iv.Timeout))
			}
		}
	}
	switch iv.Kind {
	case topology.Scale:
		if iv.Service != "" {
			p := s.poolOf(iv.Service)
			a.prev = append(a.prev, float64(p.serving))
			what = append(what, fmt.Sprintf("%s instances %d → %d", iv.Service, p.serving, iv.Instances))
			p.requested = iv.Instances
			s.setServing(p, iv.Instances)
		} else {
			what = append(what, fmt.Sprintf("%s workers %g → %d", s.groupOf(iv.Targets), a.prev[0], iv.Workers))
		}
	case topology.ShedLoad:
		what = append(what, fmt.Sprintf("%s refuses %g%% of new requests", s.groupOf(iv.Targets), 100*iv.Fraction))
	case topology.Restart:
		if iv.Downtime > 0 {
			what = append(what, "down for "+human.ExactSeconds(iv.Downtime))
		}
	}
	a.effect = strings.Join(what, "; ")
	s.renew(&a)
	if iv.For > 0 {
		a.effect += " for " + human.ExactSeconds(iv.For)
		if at := s.now() + des.FromDuration(iv.For); at < s.end {
			s.sched.Schedule(at, evUndo, 0, int32(len(s.interventions)))
		}
	}
	s.interventions = append(s.interventions, a)
}

// renew hands over to a, just applied, the hold of an earlier application
// of the same intervention that still holds: that one ends now, and a puts
// back what it found, not the change itself.
func (s *Sim) renew(a *applied) {
	if a.iv.For == 0 {
		return
	}
	for j := len(s.interventions) - 1; j >= 0; j-- {
		if p := &s.interventions[j]; p.iv == a.iv && p.undone == 0 {
			p.undone, p.renewed = s.now(), true
			a.prev, a.classPrev = p.prev, p.classPrev
			return
		}
	}
}

// undo puts back what applied intervention j changed.
func (s *Sim) undo(j int) {
	a := &s.interventions[j]
	if a.renewed {
		return // a later application holds the change and will put it back
	}
	a.undone = s.now()
	iv := a.iv
	if iv.Kind == topology.Scale && iv.Service != "" {
		p := s.poolOf(iv.Service)
		p.requested = int(a.prev[0])
		s.setServing(p, p.requested)
		return
	}
	for n, t := range iv.Targets {
		k := &s.comps[t]
		switch iv.Kind {
		case topology.Scale:
			s.scaleWorkers(int32(t), int(a.prev[n]))
		case topology.ShedLoad:
			s.setShed(k, a.prev[n])
		case topology.RetriesOff:
			k.callPolicy().retriesOff = false
			for _, p := range k.classPolicies() {
				p.retriesOff = false
			}
		case topology.SetTimeout:
			s.setTimeoutTo(k.callPolicy(), des.Time(a.prev[n]))
			for i, p := range k.classPolicies() { // an intervention on a client has one target
				s.setTimeoutTo(p, des.Time(a.classPrev[i]))
			}
		}
	}
}

// classPolicies are the edges of a client's request classes, which an
// intervention on the client changes as it changes the client's own.
func (k *component) classPolicies() []*policy {
	if k.client == nil {
		return nil
	}
	out := make([]*policy, len(k.client.classes))
	for i, cc := range k.client.classes {
		out[i] = &cc.policy
	}
	return out
}

// callPolicy is the one outbound edge of a client or load balancer.
func (k *component) callPolicy() *policy {
	if k.client != nil {
		return &k.client.policy
	}
	return &k.lb.policy
}

// scaleWorkers sets server t's workers, within any capacity fault in
// progress. Fewer workers take effect as calls in service finish.
func (s *Sim) scaleWorkers(t int32, n int) {
	if p := s.workersPool(t); p != nil {
		p.requested, p.serving = n, n
	}
	s.comps[t].srv.workers = int32(n)
	s.applyState(t, -1, false)
}

// restart drops everything component t holds, as a crash does, and starts
// its concurrency limit afresh; it refuses calls for downtime, then serves.
func (s *Sim) restart(t int32, downtime des.Time) {
	k := &s.comps[t]
	if downtime > 0 {
		k.downUntil = s.now() + downtime
		s.applyState(t, -1, false) // going down crashes k; a k down already holds nothing
		s.sched.Schedule(k.downUntil, evRestarted, t, 0)
	} else {
		s.crash(k)
	}
	if k.srv != nil && k.srv.limiter != nil {
		*k.srv.limiter = *limit.New(*s.sc.Components[t].Server.Limit)
	}
}

// shedding is the fraction a client or load balancer refuses now.
func (k *component) shedding() float64 {
	if k.client != nil {
		return k.client.shed
	}
	return k.lb.shed
}

// setShed makes a client or load balancer refuse fraction f of what comes
// in. Its draws come from their own stream, made when first needed, so
// that a run without shedding draws exactly as before.
func (s *Sim) setShed(k *component, f float64) {
	if cl := k.client; cl != nil {
		if cl.shedDraw == nil {
			cl.shedDraw = random.Stream(s.seed, k.name, "shed")
		}
		cl.shed = f
		return
	}
	if k.lb.shedRng == nil {
		k.lb.shedRng = random.Stream(s.seed, k.name, "shed")
	}
	k.lb.shed = f
}

// setTimeoutTo changes an edge's per-attempt timeout for the attempts sent
// from now on; a new duration gets its own Delay, as the configured ones do.
func (s *Sim) setTimeoutTo(p *policy, d des.Time) {
	p.timeout = d
	if d == 0 {
		return
	}
	for _, q := range p.delays {
		if q.Duration() == d {
			return
		}
	}
	p.delays = append(p.delays, s.sched.NewDelay(d, evTimeout, 0))
}

// groupOf names a set of targets: the service of a replicated one, else
// the component.
func (s *Sim) groupOf(targets []int) string {
	if len(targets) > 1 {
		return s.sc.Components[targets[0]].Group
	}
	return s.comps[targets[0]].name
}

func limitString(d des.Time) string {
	if d == 0 {
		return "none"
	}
	return time.Duration(d).String()
}

// interventionResults lists the interventions as applied. When goodput came
// back for good (the recovery judgement), the last intervention at or
// before that time, after the first fault began, is the one that restored
// it: rec says which.
func (s *Sim) interventionResults(rec *results.Recovery) []results.Intervention {
	out := make([]results.Intervention, 0, len(s.interventions))
	restored := -1
	first := des.Never
	for _, f := range s.faults {
		first = min(first, des.FromDuration(f.At))
	}
	for i, a := range s.interventions {
		r := results.Intervention{Name: a.iv.Name, Kind: a.iv.Kind.String(), AtS: a.at.Seconds(), Effect: a.effect}
		for _, t := range a.iv.Targets {
			r.Targets = append(r.Targets, s.comps[t].name)
		}
		if a.undone > 0 {
			end := a.undone.Seconds()
			r.EndS = &end
		}
		if a.fired >= 0 {
			r.Trigger = fmt.Sprintf("alert %s fired at %s + %s", a.iv.OnAlert, human.ExactSeconds(time.Duration(a.fired)), human.ExactSeconds(a.iv.ReactionDelay))
		}
		if rec.RecoveredAtS != nil && a.at >= first && r.AtS <= *rec.RecoveredAtS {
			restored = i
		}
		out = append(out, r)
	}
	if restored >= 0 {
		out[restored].RestoredGoodput = true
		rec.RestoredBy = out[restored].Name
	}
	return out
}

// shedsAt reports whether an intervention sheds load at the named component.
func (s *Sim) shedsAt(name string) bool {
	for _, iv := range s.sc.Interventions {
		if iv.Kind == topology.ShedLoad && s.sc.Components[iv.Targets[0]].Name == name {
			return true
		}
	}
	return false
}
