package experiment

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology/human"
)

// between returns a value halfway between a and b, or false when there is
// none worth trying: adjacent integers, durations a millisecond apart.
func between(a, b float64, k human.NumberKind) (float64, bool) {
	switch k {
	case human.Int:
		m := a + math.Trunc((b-a)/2)
		return m, m != a && m != b
	case human.Dur:
		if math.Abs(b-a) <= float64(time.Millisecond) {
			return 0, false
		}
		m := a + (b-a)/2
		if math.Abs(b-a) >= float64(20*time.Millisecond) {
			m = float64(time.Duration(m).Round(time.Millisecond))
		}
		return m, true
	}
	m := a + (b-a)/2
	return m, m != a && m != b
}

// FindEdge bisects the axis key, whose two values are the bounds, for the
// value where the system stops recovering, in at most steps probes after
// the two bounds; every probe runs the sweep's seeds as par runs them. The
// other axes must have one value each.
func (s *Sweep) FindEdge(ctx context.Context, key string, steps int, par Parallel, progress func(done, total int)) (*results.Edge, error) {
	at := slices.IndexFunc(s.axes, func(a results.Axis) bool { return a.Key == key })
	bad := func(format string, args ...any) (*results.Edge, error) {
		return nil, results.InputError(key + ": " + fmt.Sprintf(format, args...))
	}
	if at < 0 {
		return bad("the sweep's settings must give its two bounds, as %s=LOW,HIGH", key)
	}
	if len(s.axes[at].Values) != 2 {
		return bad("the sweep's settings must give exactly two bounds, as %s=LOW,HIGH; they give %d values", key, len(s.axes[at].Values))
	}
	var fixed []string
	for i, a := range s.axes {
		if i != at && len(a.Values) > 1 {
			return bad("%s has %d values; while finding an edge every other setting has one", a.Key, len(a.Values))
		}
		if i != at && a.Values[0] != results.Keep {
			fixed = append(fixed, a.Key+"="+a.Values[0])
		}
	}
	lo, kl, ok1 := human.ParseNumber(s.axes[at].Values[0])
	hi, kh, ok2 := human.ParseNumber(s.axes[at].Values[1])
	if !ok1 || !ok2 || (kl == human.Dur) != (kh == human.Dur) {
		return bad("bounds %s and %s must be both numbers or both durations", s.axes[at].Values[0], s.axes[at].Values[1])
	}
	kind := max(kl, kh)
	if !slices.ContainsFunc(s.metrics, func(m results.Metric) bool { return m.Name == results.RecoveredMetric().Name }) {
		return bad("the scenario has no fault within its duration, so nothing to recover from")
	}

	e := &results.Edge{Format: results.FormatVersion, Scenario: s.name, SHA256: hash(s.config.Source), Variant: s.config.Variant,
		Key: key, Settings: fixed, Recovers: -1, Fails: -1}
	for r := range s.seeds {
		e.Seeds = append(e.Seeds, s.seed(r))
	}
	total, done := (2+steps)*s.seeds, 0
	probe := func(step int, xs ...float64) ([]results.Probe, error) {
		values := make([][]string, len(xs))
		for i, x := range xs {
			values[i] = s.point(0)
			values[i][at] = human.FormatNumber(x, kind)
		}
		ps, err := s.probe(ctx, values, par, func() {
			done++
			if progress != nil {
				progress(done, total)
			}
		})
		for i := range ps {
			ps[i].Value, ps[i].X, ps[i].Step = values[i][at], xs[i], step
			if kind == human.Dur {
				ps[i].X = xs[i] / 1e9
			}
		}
		e.Probes = append(e.Probes, ps...)
		return ps, err
	}
	ends, err := probe(0, lo, hi)
	if err != nil {
		return nil, err
	}
	ok, fail := ends[0], ends[1]
	xOK, xFail := lo, hi
	if ok.Recovers() == fail.Recovers() {
		which := "no seed majority recovers at either"
		if ok.Recovers() {
			which = "most seeds recover at both"
		}
		e.Verdict = fmt.Sprintf("no edge between %s=%s and %s: %s (%s and %s seeds recovered)", key, ok.Value, fail.Value, which, share(ok), share(fail))
		e.Sort()
		return e, nil
	}
	if !ok.Recovers() {
		ok, fail, xOK, xFail = fail, ok, xFail, xOK
	}
	for step := 1; step <= steps; step++ {
		x, more := between(xOK, xFail, kind)
		if !more {
			break
		}
		ps, err := probe(step, x)
		if err != nil {
			return nil, err
		}
		if ps[0].Recovers() {
			ok, xOK = ps[0], x
		} else {
			fail, xFail = ps[0], x
		}
	}
	if progress != nil {
		progress(total, total)
	}
	e.Sort()
	for i, p := range e.Probes {
		switch p.Value {
		case ok.Value:
			e.Recovers = i
		case fail.Value:
			e.Fails = i
		}
	}
	e.Verdict = fmt.Sprintf("the system stops recovering between %s=%s (%s seeds recovered) and %s (%s)", key, ok.Value, share(ok), fail.Value, share(fail))
	return e, nil
}

func share(p results.Probe) string {
	return fmt.Sprintf("%d/%d", len(p.RecoveredSeeds), p.Recovered.N)
}

// probe runs the sweep's seeds at each of the points given by their values,
// validating them first.
func (s *Sweep) probe(ctx context.Context, values [][]string, par Parallel, ran func()) ([]results.Probe, error) {
	configs := make([]Config, len(values))
	var jobs []job
	for i, vs := range values {
		configs[i] = s.config
		configs[i].Settings = settings(s.axes, vs)
		for r := range s.seeds {
			jobs = append(jobs, job{index: i*s.seeds + r, config: i, seed: s.seed(r)})
		}
	}
	if _, err := loadAll(configs); err != nil {
		return nil, err
	}
	outs := make([]*results.Outcome, len(jobs))
	err := execute(ctx, func(i int) Config { return configs[i] }, jobs, par, false, func(f finished) error {
		outs[f.index] = &f.outcome
		ran()
		return nil
	})
	if err != nil {
		return nil, err
	}
	ps := make([]results.Probe, len(values))
	for i := range ps {
		os := outs[i*s.seeds : (i+1)*s.seeds]
		rec := results.RecoveredMetric().Collect(os)
		if slices.ContainsFunc(rec, math.IsNaN) {
			return nil, results.InputError("recovery was not judged in some runs (no fault within the run, or no time before it): nothing to find an edge of")
		}
		ps[i] = results.Probe{Recovered: results.Proportion(rec), RecoveredSeeds: []uint64{},
			SuccessRate: results.MeanInterval(results.SuccessRateMetric().Collect(os)), Goodput: results.MeanInterval(results.GoodputMetric().Collect(os))}
		for r, x := range rec {
			if x == 1 {
				ps[i].RecoveredSeeds = append(ps[i].RecoveredSeeds, s.seed(r))
			}
		}
	}
	return ps, nil
}
