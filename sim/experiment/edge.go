package experiment

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Edge is the result of FindEdge, and edge.json: where, along one setting,
// the system stops recovering from its faults (a metastable boundary), with
// every value probed and which seeds recovered there.
type Edge struct {
	Format   int      `json:"failsim_edge"`
	Scenario string   `json:"scenario"`
	SHA256   string   `json:"scenario_sha256"`
	Variant  string   `json:"variant"`
	Key      string   `json:"key"`
	Settings []string `json:"settings"` // the other --set, fixed
	Seeds    []uint64 `json:"seeds"`
	Probes   []Probe  `json:"probes"` // by value
	// Recovers and Fails are the probes on either side of the edge: the
	// nearest values at which most seeds did and did not recover. Both are
	// -1 when the bounds do not straddle an edge.
	Recovers int    `json:"recovers"`
	Fails    int    `json:"fails"`
	Verdict  string `json:"verdict"`
}

// Probe is one value tried: how many seeds recovered there, which, and the
// goodput they had.
type Probe struct {
	Value          string   `json:"value"`
	X              float64  `json:"x"` // the value as a number; durations in seconds
	Step           int      `json:"step"`
	Recovered      Estimate `json:"recovered"` // share of seeds, Wilson interval
	RecoveredSeeds []uint64 `json:"recovered_seeds"`
	SuccessRate    Estimate `json:"success_rate"`
	Goodput        Estimate `json:"goodput"`
}

// recovers is the rule of the search: a value recovers when at least half
// the seeds do.
func (p Probe) recovers() bool { return p.Recovered.Mean >= 0.5 }

// numberKind is how a bisected value is written.
type numberKind uint8

const (
	kindInt numberKind = iota
	kindFloat
	kindDuration // held in nanoseconds
)

// parseNumber reads a bound: an integer, a number, or a duration (quoted or
// not).
func parseNumber(v string) (float64, numberKind, bool) {
	if i, err := strconv.ParseInt(v, 10, 64); err == nil {
		return float64(i), kindInt, true
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		return f, kindFloat, true
	}
	if d, err := time.ParseDuration(strings.Trim(v, `"'`)); err == nil {
		return float64(d), kindDuration, true
	}
	return 0, 0, false
}

// Numeric reads a setting's value as a number for an axis: durations in
// seconds. False for values that are neither (none, {kind="grpc"}, -).
func Numeric(v string) (float64, bool) {
	x, k, ok := parseNumber(v)
	if k == kindDuration {
		x /= 1e9
	}
	return x, ok
}

func formatNumber(x float64, k numberKind) string {
	switch k {
	case kindInt:
		return strconv.FormatInt(int64(x), 10)
	case kindDuration:
		return time.Duration(x).String()
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// between returns a value halfway between a and b, or false when there is
// none worth trying: adjacent integers, durations a millisecond apart.
func between(a, b float64, k numberKind) (float64, bool) {
	switch k {
	case kindInt:
		m := a + math.Trunc((b-a)/2)
		return m, m != a && m != b
	case kindDuration:
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
func (s *Sweep) FindEdge(ctx context.Context, key string, steps int, par Parallel, progress func(done, total int)) (*Edge, error) {
	at := slices.IndexFunc(s.axes, func(a Axis) bool { return a.Key == key })
	bad := func(format string, args ...any) (*Edge, error) {
		return nil, InputError(fmt.Sprintf("--find-edge %s: ", key) + fmt.Sprintf(format, args...))
	}
	if at < 0 {
		return bad("give its two bounds with --set %s=LOW,HIGH", key)
	}
	if len(s.axes[at].Values) != 2 {
		return bad("--set %s must give exactly two bounds, got %d values", key, len(s.axes[at].Values))
	}
	var fixed []string
	for i, a := range s.axes {
		if i != at && len(a.Values) > 1 {
			return bad("--set %s has %d values; while finding an edge every other setting has one", a.Key, len(a.Values))
		}
		if i != at && a.Values[0] != Keep {
			fixed = append(fixed, a.Key+"="+a.Values[0])
		}
	}
	lo, kl, ok1 := parseNumber(s.axes[at].Values[0])
	hi, kh, ok2 := parseNumber(s.axes[at].Values[1])
	if !ok1 || !ok2 || (kl == kindDuration) != (kh == kindDuration) {
		return bad("bounds %s and %s must be both numbers or both durations", s.axes[at].Values[0], s.axes[at].Values[1])
	}
	kind := max(kl, kh)
	if !slices.ContainsFunc(s.metrics, func(m Metric) bool { return m.kind == mRecovered }) {
		return bad("the scenario has no fault within its duration, so nothing to recover from")
	}

	e := &Edge{Format: FormatVersion, Scenario: s.name, SHA256: hash(s.config.Source), Variant: s.config.Variant,
		Key: key, Settings: fixed, Recovers: -1, Fails: -1}
	for r := range s.seeds {
		e.Seeds = append(e.Seeds, s.seed(r))
	}
	total, done := (2+steps)*s.seeds, 0
	probe := func(step int, xs ...float64) ([]Probe, error) {
		values := make([][]string, len(xs))
		for i, x := range xs {
			values[i] = slices.Clone(s.points[0])
			values[i][at] = formatNumber(x, kind)
		}
		ps, err := s.probe(ctx, values, par, func() {
			done++
			if progress != nil {
				progress(done, total)
			}
		})
		for i := range ps {
			ps[i].Value, ps[i].X, ps[i].Step = values[i][at], xs[i], step
			if kind == kindDuration {
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
	if ok.recovers() == fail.recovers() {
		which := "no seed majority recovers at either"
		if ok.recovers() {
			which = "most seeds recover at both"
		}
		e.Verdict = fmt.Sprintf("no edge between %s=%s and %s: %s (%s and %s seeds recovered)", key, ok.Value, fail.Value, which, share(ok), share(fail))
		e.sort()
		return e, nil
	}
	if !ok.recovers() {
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
		if ps[0].recovers() {
			ok, xOK = ps[0], x
		} else {
			fail, xFail = ps[0], x
		}
	}
	if progress != nil {
		progress(total, total)
	}
	e.sort()
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

func (e *Edge) sort() {
	slices.SortStableFunc(e.Probes, func(a, b Probe) int {
		switch {
		case a.X < b.X:
			return -1
		case a.X > b.X:
			return 1
		}
		return 0
	})
}

func share(p Probe) string {
	return fmt.Sprintf("%d/%d", len(p.RecoveredSeeds), p.Recovered.N)
}

// probe runs the sweep's seeds at each of the points given by their values,
// validating them first.
func (s *Sweep) probe(ctx context.Context, values [][]string, par Parallel, ran func()) ([]Probe, error) {
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
	outs := make([]*Outcome, len(jobs))
	err := execute(ctx, configs, jobs, par, false, func(f finished) error {
		outs[f.index] = &f.outcome
		ran()
		return nil
	})
	if err != nil {
		return nil, err
	}
	ps := make([]Probe, len(values))
	for i := range ps {
		os := outs[i*s.seeds : (i+1)*s.seeds]
		rec := recoveryMetrics[0].values(os)
		if slices.ContainsFunc(rec, math.IsNaN) {
			return nil, InputError("recovery was not judged in some runs (no fault within the run, or no time before it): nothing to find an edge of")
		}
		ps[i] = Probe{Recovered: proportion(rec), RecoveredSeeds: []uint64{},
			SuccessRate: MeanInterval(clientMetrics[0].values(os)), Goodput: MeanInterval(clientMetrics[1].values(os))}
		for r, x := range rec {
			if x == 1 {
				ps[i].RecoveredSeeds = append(ps[i].RecoveredSeeds, s.seed(r))
			}
		}
	}
	return ps, nil
}

// JSON is edge.json.
func (e *Edge) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(e, "", "  ")
	return append(b, '\n'), err
}
