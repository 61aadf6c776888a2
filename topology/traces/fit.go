package traces

import (
	"fmt"
	"math"
	"strings"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// AddTraces reads spans already in the Collector's pdata form (a replay of
// a scenario, for instance) as if they came from a file named name.
func (r *Reader) AddTraces(name string, td ptrace.Traces) error {
	file := uint16(len(r.files))
	r.files = append(r.files, name)
	r.formats = append(r.formats, "otlp")
	if err := r.addOTLP(td, file, 0); err != nil {
		if e, ok := err.(*Error); ok {
			e.File = name
		}
		return err
	}
	return nil
}

// Tolerances of a fit, relative to the observed value, with a floor for
// latencies of a millisecond (timer and scheduling noise on a busy host).
// Percentiles further out in the tail rest on fewer spans and get more.
var (
	TolP50   = 0.10
	TolP90   = 0.15
	TolP99   = 0.25
	TolCount = 0.10
	TolFloor = 0.001 // seconds
	MinSpans = 100   // fewer observed spans than this: too little evidence for a verdict
)

// Stats are one side of a row of the fit.
type Stats struct {
	Spans      int     `json:"spans"`
	PerRequest float64 `json:"per_request"` // spans per request (root)
	P50        float64 `json:"p50_s"`
	P90        float64 `json:"p90_s"`
	P99        float64 `json:"p99_s"`
}

// FitRow compares one operation's spans, observed and simulated.
type FitRow struct {
	Component string `json:"component"`
	Operation string `json:"operation"` // service/name in the traces
	Observed  Stats  `json:"observed"`
	Simulated Stats  `json:"simulated"`
	Verdict   string `json:"verdict"` // "ok", "off" or "few spans"
	Why       string `json:"why,omitempty"`
}

func statsOf(o *Operation, roots int) Stats {
	s := Stats{Spans: o.Count, P50: Quantile(o.Durations, .5), P90: Quantile(o.Durations, .9), P99: Quantile(o.Durations, .99)}
	if roots > 0 {
		s.PerRequest = float64(o.Count) / float64(roots)
	}
	return s
}

// simulatedOp finds, in a model read from a replay of the written
// scenario, the operation of component c: a client's requests, or the
// server spans of a component (named after it).
func simulatedOp(sim *Model, c Component) *Operation {
	for _, o := range sim.Ops {
		if o.Service.Name != c.Name {
			continue
		}
		if c.Kind == "client" && o.Name == "request" || c.Kind != "client" && o.Name == c.Name {
			return o
		}
	}
	return nil
}

// Fit sets the operations of the observed model against those of a model
// read from a replay of the scenario w wrote: per operation, latency
// quantiles and spans per request, with a verdict.
func Fit(observed *Model, w *Written, simulated *Model) []FitRow {
	var rows []FitRow
	for _, c := range w.Components {
		if c.Op == nil || c.Implied {
			continue // a client the traces only imply has no spans of its own
		}
		row := FitRow{Component: c.Name, Operation: c.Op.Key(), Observed: statsOf(c.Op, observed.Roots)}
		so := simulatedOp(simulated, c)
		if so == nil {
			row.Verdict, row.Why = "off", "no simulated span"
			rows = append(rows, row)
			continue
		}
		row.Simulated = statsOf(so, simulated.Roots)
		var off []string
		check := func(name string, obs, sim, tol float64) {
			if d := math.Abs(sim - obs); d > math.Max(tol*obs, TolFloor) {
				off = append(off, fmt.Sprintf("%s %s vs %s observed", name, fmtSec(sim), fmtSec(obs)))
			}
		}
		check("p50", row.Observed.P50, row.Simulated.P50, TolP50)
		check("p90", row.Observed.P90, row.Simulated.P90, TolP90)
		check("p99", row.Observed.P99, row.Simulated.P99, TolP99)
		if d := math.Abs(row.Simulated.PerRequest - row.Observed.PerRequest); d > TolCount*row.Observed.PerRequest {
			off = append(off, fmt.Sprintf("%.3g calls per request vs %.3g observed", row.Simulated.PerRequest, row.Observed.PerRequest))
		}
		switch {
		case c.Op.Count < MinSpans:
			row.Verdict = "few spans"
			row.Why = fmt.Sprintf("%d observed spans: too few for a verdict", c.Op.Count)
		case len(off) > 0:
			row.Verdict, row.Why = "off", strings.Join(off, "; ")
		default:
			row.Verdict = "ok"
		}
		rows = append(rows, row)
	}
	return rows
}
