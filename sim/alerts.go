package sim

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
)

// Alerts are evaluated as a monitoring system evaluates its rules: at the
// end of every bucket (the scrape and evaluation interval), on what the run
// has measured up to then. Evaluation is an event, so an alert fires at a
// definite simulated instant that later events can react to.

// slo counts one SLO's requests. The counts of each closed bucket go into a
// ring of running totals, so the counts over the last w buckets are one
// subtraction, and memory is fixed by the longest window.
type slo struct {
	cfg     *topology.SLO
	latency des.Time // a good request answers within this
	cur     tally    // the bucket in progress
	tot     tally    // up to the end of the last closed bucket
	ring    []tally  // ring[b % len]: tot at the end of bucket b (b = 0: the start)
	closed  int64    // buckets closed
}

type tally struct{ good, total int64 }

// count records one answered request: good when it succeeded in time.
func (o *slo) count(d des.Time, succeeded bool) {
	o.cur.total++
	if succeeded && d <= o.latency {
		o.cur.good++
	}
}

func (o *slo) closeBucket() {
	o.tot.good += o.cur.good
	o.tot.total += o.cur.total
	o.cur = tally{}
	o.closed++
	o.ring[o.closed%int64(len(o.ring))] = o.tot
}

// last returns the bad and total requests of the last w buckets, or of all
// buckets so far when fewer have closed (as a range query over a series
// younger than its range does).
func (o *slo) last(w int64) (bad, total int64) {
	var past tally
	if o.closed > w {
		past = o.ring[(o.closed-w)%int64(len(o.ring))]
	}
	total = o.tot.total - past.total
	return total - (o.tot.good - past.good), total
}

// burnRate is how fast requests spend the error budget: the error ratio
// over the ratio the objective allows. At 1 the budget lasts exactly the
// SLO period; at 14.4, 2% of a 30-day budget goes in an hour. No requests,
// no burn: a rule on an empty window does not fire.
func burnRate(bad, total int64, objective float64) float64 {
	if total == 0 {
		return 0
	}
	return float64(bad) / float64(total) / (1 - objective)
}

// burnPair is a topology.BurnWindow in buckets of the run.
type burnPair struct {
	rate        float64
	long, short int64
}

// fires reports whether the SLO burns faster than the pair's rate over
// both its windows: the long one says the burn is significant, the short
// one that it is still going on.
func (p burnPair) fires(o *slo) bool {
	bl, tl := o.last(p.long)
	bs, ts := o.last(p.short)
	return burnRate(bl, tl, o.cfg.Objective) > p.rate && burnRate(bs, ts, o.cfg.Objective) > p.rate
}

// alertState is an alert's state, as its metric column shows it.
type alertState uint8

// Prometheus' alert states.
const (
	alertInactive alertState = iota
	alertPending
	alertFiring
)

// alert is one rule and its history.
type alert struct {
	cfg     *topology.Alert
	state   alertState
	since   des.Time // when the condition began to hold
	hold    des.Time // the rule's for
	col     int      // its state column in the series
	slo     *slo     // burn rate: the SLO it watches
	pairs   []burnPair
	targets []int32 // threshold: the components it watches
	firings []firing
}

// firing is one time an alert fired; resolved is -1 while it still fires.
type firing struct{ at, resolved des.Time }

// step moves the alert by one evaluation at now, given whether its
// condition holds: pending when it starts to hold, firing once it has held
// for the rule's for (at once when for is 0), inactive as soon as it does
// not hold. It reports whether the alert started or stopped firing.
func (a *alert) step(now des.Time, holds bool) (fired, resolved bool) {
	if !holds {
		resolved = a.state == alertFiring
		a.state = alertInactive
		return false, resolved
	}
	if a.state == alertInactive {
		a.state, a.since = alertPending, now
	}
	if a.state == alertPending && now-a.since >= a.hold {
		a.state = alertFiring
		return true, false
	}
	return false, false
}

// newAlerts sets up the SLOs and alerts, before the metric columns are made
// (each alert has one).
func (s *Sim) newAlerts() {
	bucketsOf := func(o *slo, d time.Duration) int64 {
		return max(1, int64(math.Round(float64(o.cfg.Scaled(d))/float64(s.bucket))))
	}
	for i := range s.sc.SLOs {
		cfg := &s.sc.SLOs[i]
		o := &slo{cfg: cfg, latency: des.Never}
		if cfg.Latency > 0 {
			o.latency = des.FromDuration(cfg.Latency)
		}
		for _, t := range cfg.Targets {
			s.comps[t].stats.slo = o
		}
		s.slos = append(s.slos, o)
	}
	for i := range s.sc.Alerts {
		cfg := &s.sc.Alerts[i]
		a := &alert{cfg: cfg, hold: des.FromDuration(cfg.For)}
		if cfg.Kind == topology.AlertBurnRate {
			a.slo = s.slos[cfg.SLO]
			longest := int64(1)
			for _, w := range cfg.Windows {
				p := burnPair{rate: w.Rate, long: bucketsOf(a.slo, w.Long), short: bucketsOf(a.slo, w.Short)}
				a.pairs = append(a.pairs, p)
				longest = max(longest, p.long)
			}
			if int64(len(a.slo.ring)) < longest+1 {
				a.slo.ring = make([]tally, longest+1)
			}
		} else {
			for _, t := range cfg.Targets {
				a.targets = append(a.targets, int32(t))
			}
		}
		s.alerts = append(s.alerts, a)
	}
	for _, o := range s.slos {
		if o.ring == nil {
			o.ring = make([]tally, 1)
		}
	}
}

// watched is the component whose columns hold alert a's state: its
// target's first instance, or its SLO's.
func (a *alert) watched() int {
	if a.slo != nil {
		return a.slo.cfg.Targets[0]
	}
	return a.cfg.Targets[0]
}

// alertColumns are the states of the alerts that watch report r's
// components: 0 inactive, 1 pending, 2 firing, as of the end of each bucket.
func (s *Sim) alertColumns(r *report) []column {
	var cols []column
	for _, a := range s.alerts {
		if s.reportOf(int32(a.watched())) == r {
			cols = append(cols, fromState("alert."+a.cfg.Name, func(*view) float64 { return float64(a.state) }))
		}
	}
	return cols
}

// startAlerts finds each alert's column and schedules the first evaluation.
func (s *Sim) startAlerts() {
	if len(s.alerts) == 0 {
		return
	}
	for _, a := range s.alerts {
		a.col = s.colOf(s.reportOf(int32(a.watched())), "alert."+a.cfg.Name)
	}
	s.sched.Schedule(s.bucket, evAlertEval, 0, 0)
}

// colOf is the index in the series of report r's metric.
func (s *Sim) colOf(r *report, metric string) int {
	for j, c := range r.cols {
		if c.name == metric {
			return r.col + j
		}
	}
	panic("sim: no column " + metric + " of " + r.name)
}

// closeSLOs closes the bucket of every SLO's counts.
func (s *Sim) closeSLOs() {
	for _, o := range s.slos {
		o.closeBucket()
	}
}

// evaluateAlerts runs every rule on the bucket that just closed and
// schedules the next evaluation.
func (s *Sim) evaluateAlerts() {
	now := s.now()
	for i, a := range s.alerts {
		fired, resolved := a.step(now, s.holds(a))
		if fired {
			s.alertFired(i)
		}
		if resolved {
			a.firings[len(a.firings)-1].resolved = now
		}
		// The column was written as the bucket closed, before this evaluation.
		s.lastRow().Set(a.col, float64(a.state))
	}
	if next := now + s.bucket; next < s.end {
		s.sched.Schedule(next, evAlertEval, 0, 0)
	}
}

// alertFired is called when alert i starts firing, at the evaluation that
// fires it (s.now()). It records the firing and schedules every
// intervention that reacts to it, its reaction delay later: each firing
// applies them again.
func (s *Sim) alertFired(i int) {
	a := s.alerts[i]
	a.firings = append(a.firings, firing{at: s.now(), resolved: -1})
	for j, iv := range s.sc.Interventions {
		if iv.OnAlert == a.cfg.Name {
			s.scheduleIntervention(j, s.now()+des.FromDuration(iv.ReactionDelay))
		}
	}
}

// holds is whether alert a's condition holds on the bucket that just closed.
func (s *Sim) holds(a *alert) bool {
	if a.slo != nil {
		for _, p := range a.pairs {
			if p.fires(a.slo) {
				return true
			}
		}
		return false
	}
	v := s.thresholdMetric(a)
	if math.IsNaN(v) { // nothing measured: no data, no alert
		return false
	}
	if a.cfg.Above {
		return v > a.cfg.Threshold
	}
	return v < a.cfg.Threshold
}

// thresholdMetric is a threshold alert's metric over the last bucket, its
// targets' instances together.
func (s *Sim) thresholdMetric(a *alert) float64 {
	row := s.lastRow()
	var r *report
	get := func(metric string) float64 { return row.Get(s.colOf(r, metric)) }
	var num, den float64
	worst := math.NaN()
	for _, t := range a.targets {
		if s.reportOf(t) == r {
			continue // a fleet's instances, counted together once
		}
		r = s.reportOf(t)
		k := &s.comps[t]
		switch a.cfg.Metric {
		case topology.MetricErrorRatio:
			if k.client != nil {
				bad := get("failed")
				num, den = num+bad, den+bad+get("succeeded")
			} else {
				bad := get("errors") + get("rejected")
				num, den = num+bad, den+bad+get("completed")
			}
		case topology.MetricLatencyP99:
			if v := get("latency_p99_s"); !math.IsNaN(v) && !(v <= worst) {
				worst = v
			}
		case topology.MetricQueue:
			num, den = num+get("queue_mean"), 1
		case topology.MetricUtilization:
			num, den = num+get("busy_mean"), den+get("workers")
		case topology.MetricGoodput:
			num, den = num+get("goodput_rps"), 1
		}
	}
	if a.cfg.Metric == topology.MetricLatencyP99 {
		return worst
	}
	if den == 0 {
		return math.NaN()
	}
	return num / den
}

// alertSummary adds the SLOs, the alerts that fired and what they detected
// to the summary; recovery must be judged already.
func (s *Sim) alertSummary(sum *results.Summary) {
	for _, o := range s.slos {
		c := o.cfg
		scaled := c.Scaled(c.Period).Seconds()
		r := results.SLO{
			Name: c.Name, Objective: c.Objective, PeriodS: c.Period.Seconds(), TimeScale: c.TimeScale, ScaledPeriodS: scaled,
			Good: o.tot.good, Total: o.tot.total, Met: true,
		}
		for _, t := range c.Targets {
			r.Targets = append(r.Targets, s.comps[t].name)
		}
		if c.Latency > 0 {
			l := c.Latency.Seconds()
			r.LatencyS = &l
		}
		if o.tot.total > 0 {
			r.ErrorRatio = float64(o.tot.total-o.tot.good) / float64(o.tot.total)
			r.BurnRate = burnRate(o.tot.total-o.tot.good, o.tot.total, c.Objective)
			r.BudgetSpent = r.BurnRate * s.end.Seconds() / scaled
			r.Met = 1-r.ErrorRatio >= c.Objective
		}
		sum.SLOs = append(sum.SLOs, r)
	}
	if len(s.alerts) == 0 {
		return
	}

	first := des.Never
	for _, f := range s.faults {
		first = min(first, des.FromDuration(f.At))
	}
	var all []firing
	var names []*alert
	for _, a := range s.alerts {
		for _, f := range a.firings {
			all = append(all, f)
			names = append(names, a)
		}
	}
	order := make([]int, len(all))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return cmp.Compare(all[i].at, all[j].at) })

	d := &results.Detection{UndetectedFaults: []string{}}
	if first < s.end {
		d.FirstFaultAtS = ptr(first.Seconds())
	}
	sum.Alerts = []results.Alert{}
	for _, i := range order {
		f, a := all[i], names[i]
		r := results.Alert{Name: a.cfg.Name, Kind: a.cfg.Kind.String(), FiredAtS: f.at.Seconds()}
		if f.resolved >= 0 {
			r.ResolvedAtS = ptr(f.resolved.Seconds())
		}
		if first < s.end && f.at >= first {
			r.TimeToDetectS = ptr((f.at - first).Seconds())
			if d.TimeToDetectS == nil {
				d.FirstAlert, d.TimeToDetectS = r.Name, r.TimeToDetectS
			}
		}
		sum.Alerts = append(sum.Alerts, r)
	}
	for _, f := range s.faults {
		if at := des.FromDuration(f.At); at < s.end && !caught(all, at, s.caughtBy(f, sum.Recovery)) {
			d.UndetectedFaults = append(d.UndetectedFaults, f.Name)
		}
	}
	sum.Detection = d
}

// caughtBy is until when an alert still catches fault f: to its end, or,
// while the system has not recovered, to the recovery (or the end of the
// run): an alert on the aftermath of a fault is an alert on that fault.
func (s *Sim) caughtBy(f topology.Fault, r results.Recovery) des.Time {
	end := des.FromDuration(f.End())
	switch {
	case r.RecoveredAtS != nil:
		return max(end, des.FromSeconds(*r.RecoveredAtS))
	case r.Recovered != nil: // judged, and did not recover
		return s.end
	}
	return end
}

// caught reports whether an alert fired in [from, to].
func caught(fs []firing, from, to des.Time) bool {
	for _, f := range fs {
		if f.at >= from && f.at <= to {
			return true
		}
	}
	return false
}

func ptr(v float64) *float64 { return &v }
