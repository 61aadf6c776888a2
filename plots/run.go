package plots

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/plot/vg"

	"github.com/failsim/failsim/plots/live"

	"github.com/failsim/failsim/sim/results"
)

// view is a run with what every figure derives from it.
type view struct {
	s       *results.Summary
	ser     *results.Series
	x       []float64 // bucket middles
	tiers   []tier
	clients []string
	heading []string
}

func newView(r *results.Run) *view {
	s := &r.Summary
	tiers := tiersOf(s)
	for i := range tiers {
		tiers[i].Serving(r.Series.Get(tiers[i].Name, "replicas"))
	}
	return &view{
		s: s, ser: r.Series, x: middles(r.Series),
		tiers: tiers, clients: clientsOf(s),
		heading: []string{RunLabel(r) + fmt.Sprintf(": seed %d, %gs simulated, %gs buckets", s.Seed, s.SimSeconds, s.BucketSeconds)},
	}
}

// RunLabel names a run as "scenario/variant", "base" for no variant.
func RunLabel(r *results.Run) string {
	v := r.Summary.Variant
	if v == "" {
		v = "base"
	}
	return r.Summary.Scenario + "/" + v
}

// bucket says "1s bucket" or "10s bucket", for titles.
func (v *view) bucket() string { return fmt.Sprintf("%gs bucket", v.s.BucketSeconds) }

func (v *view) panel(title, ylabel string, log bool) *panel {
	p := newPanel(title, ylabel, v.s.Faults, v.s.SimSeconds, log)
	p.faults.alerts = v.s.Alerts
	if len(v.s.Interventions) > 0 {
		p.Add(interventionMarks{ivs: v.s.Interventions, color: interventionColor})
	}
	return p
}

// Sizes in pixels: wide enough for a 1s bucket to be visible over a few
// minutes, and legible when scaled down onto a slide.
const (
	figureWidth    = 1200
	figureHeight   = 560
	dashboardWidth = 1280
)

// Figures returns every figure of a run, the dashboard first. A figure
// whose metrics the run lacks is left out.
func Figures(r *results.Run) []*Figure {
	v := newView(r)
	var figs []*Figure
	if d := Dashboard(r); d != nil {
		figs = append(figs, d)
	}
	single := func(name, title, about string, p *panel) {
		if p != nil {
			figs = append(figs, newFigure(name, title, about, v.heading, figureWidth, figureHeight, p))
		}
	}
	single("latency", "Client latency", aboutLatency, v.latency())
	single("amplification", "Load amplification per tier", aboutAmplification, v.amplification())
	single("throughput", "Offered load, throughput and goodput", aboutThroughput, v.throughput())
	single("outcomes", "Client attempts by outcome", aboutOutcomes, v.outcomes())
	var qs []*panel
	for _, p := range []*panel{v.queues(), v.backlog(), v.inFlight()} {
		if p != nil {
			qs = append(qs, p)
		}
	}
	if len(qs) > 0 {
		figs = append(figs, newFigure("queues", "Queues and calls in flight", aboutQueues, v.heading, figureWidth, 360+340*float64(len(qs)), qs...))
	}
	single("wasted-work", "Wasted work per tier", aboutWasted, v.wasted())
	if ps := v.state(); len(ps) > 0 {
		figs = append(figs, newFigure("state", "State: inconsistent outcomes and duplicate writes", aboutState, v.heading, figureWidth, 360+340*float64(len(ps)), ps...))
	}
	single("capacity", "Capacity over time", aboutCapacity, v.capacity())
	return figs
}

// Dashboard is the one picture for a slide: client latency, amplification,
// offered load against goodput and wasted work on one time axis. It is nil
// when the run has none of their metrics.
func Dashboard(r *results.Run) *Figure {
	v := newView(r)
	var ps []*panel
	for _, p := range []*panel{v.latency(), v.amplification(), v.throughput(), v.wasted(), v.capacity()} {
		if p != nil {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		return nil
	}
	heading := v.heading
	if verdict := r.Summary.Recovery.Verdict; verdict != "" {
		if by := r.Summary.Recovery.RestoredBy; by != "" {
			verdict += ", after intervention " + by
		}
		heading = append(heading[:1:1], "Recovery: "+verdict)
	}
	about := aboutDashboard
	if len(r.Summary.Alerts) > 0 {
		about += " Purple: alerts, a dashed line where each fired and a bar along the top while it fired."
	}
	return newFigure("dashboard", "Dashboard", about, heading, dashboardWidth, 150+310*float64(len(ps)), ps...)
}

const (
	aboutDashboard = "Four views of the same seconds, one above the other: what clients felt (latency), " +
		"how much work each logical request turned into (amplification), what came out (goodput against " +
		"offered load), and what was done for nobody (wasted work). Shaded: fault windows."
	aboutLatency       = live.AboutLatency
	aboutAmplification = live.AboutAmplification
	aboutThroughput    = live.AboutThroughput
	aboutOutcomes      = "How the clients' attempts ended, per second, and how many logical requests failed " +
		"(every attempt failed or the deadline passed). Timeouts with no errors mean the system is slow, not broken."
	aboutQueues = live.AboutQueues
	aboutWasted = live.AboutWasted
)

func (v *view) latency() *panel {
	if cs := classesOf(v.ser, v.clients); len(cs) > 1 {
		p := v.panel("Client latency by request class: p99 (solid) and p50 (dashed) of logical requests finished per "+v.bucket(), "latency (log scale)", true)
		v.classLatency(p, cs)
		return nonEmpty(p)
	}
	p := v.panel(live.LatencyTitle(v.s.BucketSeconds), "latency (log scale)", true)
	quantiles := []struct{ label, metric string }{
		{"p50", "latency_p50_s"}, {"p99", "latency_p99_s"}, {"p99.9", "latency_p999_s"},
	}
	// Highest first and widest, so that where they meet (every request at
	// the same timeout) they show as nested bands, p50 on top, and the
	// legend reads top down.
	met := 0
	for ci, c := range v.clients {
		for qi := len(quantiles) - 1; qi >= 0; qi-- {
			q := quantiles[qi]
			label := q.label
			if len(v.clients) > 1 {
				label = c + " " + q.label
			}
			if y := v.ser.Get(c, q.metric); y != nil {
				p.line(label, v.x, y, lineStyle(paletteColor(qi), 2+2*float64(qi), dash(ci)))
			}
		}
		met = max(met, meeting(v.ser.Get(c, quantiles[0].metric), v.ser.Get(c, quantiles[2].metric)))
	}
	if met > 0 {
		p.note(fmt.Sprintf("p50 = p99.9 in %d buckets:", met))
		p.note("every request took as long")
		p.note("(often: all failed after the same timeouts)")
	}
	return nonEmpty(p)
}

// meeting counts the buckets where the p50 and the p99.9 are equal: every
// request of the bucket took the same time.
func meeting(p50, p999 []float64) int {
	n := 0
	for i := range min(len(p50), len(p999)) {
		if !math.IsNaN(p50[i]) && p50[i] > 0 && p50[i] == p999[i] {
			n++
		}
	}
	return n
}

func (v *view) amplification() *panel {
	logical := sum(v.ser, v.clients, "logical_requests")
	if logical == nil {
		return nil
	}
	p := v.panel(live.AmplificationTitle, "arrivals per logical request", false)
	// Tiers often carry the same load (only clients retry): draw the first
	// widest and each next one narrower on top, so that coinciding lines
	// show as nested bands instead of hiding each other.
	n := float64(len(v.tiers))
	for i, t := range v.tiers {
		if arr := sum(v.ser, t.Members, "arrivals"); arr != nil {
			w := 1.5 + 7.5*(n-1-float64(i))/max(n-1, 1)
			p.line(t.Label(), v.x, ratio(arr, logical), lineStyle(paletteColor(i), w, nil))
		}
	}
	if p.empty() {
		return nil
	}
	p.rule("1 = each request once", 1, lineStyle(grey, 1, []vg.Length{px(4), px(4)}))
	return p
}

func (v *view) throughput() *panel {
	p := v.panel(live.ThroughputTitle, "requests per second", false)
	offered := sum(v.ser, v.clients, "offered_rps")
	sent := perSecond(v.ser, sum(v.ser, v.clients, "arrivals"))
	answered := perSecond(v.ser, add(
		sum(v.ser, v.clients, "completed"), sum(v.ser, v.clients, "errors"), sum(v.ser, v.clients, "rejected")))
	goodput := sum(v.ser, v.clients, "goodput_rps")
	p.line(live.OfferedLabel, v.x, offered, lineStyle(black, 1.5, nil))
	p.line(live.SentLabel, v.x, sent, lineStyle(paletteColor(4), 2, dash(1)))
	// Goodput wide and throughput dashed on top: they coincide when all is
	// well, and the dashes still show there.
	p.line(live.GoodputLabel, v.x, goodput, lineStyle(paletteColor(2), 5, nil))
	p.line(live.ThroughputLabel, v.x, answered, lineStyle(black, 1.5, dash(2)))
	if cs := classesOf(v.ser, v.clients); len(cs) > 1 {
		v.classGoodput(p, cs)
	}
	return nonEmpty(p)
}

func (v *view) outcomes() *panel {
	p := v.panel("Clients: attempts by outcome, and failed logical requests", "attempts or requests per second", false)
	series := []struct {
		label, metric, none string
		i                   int
	}{
		{"attempts succeeded", "completed", "no successes", 2},
		{"attempts timed out", "timed_out", "no timeouts", 1},
		{"attempts answered with an error", "errors", "no errors", 3},
		{"attempts rejected", "rejected", "no rejections", 4},
		{"logical requests failed", "failed", "no failed requests", -1},
	}
	// A line at zero would hide the others there: say so instead.
	var none []string
	for _, s := range series {
		y := perSecond(v.ser, sum(v.ser, v.clients, s.metric))
		if y == nil {
			continue
		}
		if allZero(y) {
			none = append(none, s.none)
			continue
		}
		sty := lineStyle(black, 1.5, dash(1))
		if s.i >= 0 {
			sty = lineStyle(paletteColor(s.i), 2, nil)
		}
		p.line(s.label, v.x, y, sty)
	}
	if len(none) > 0 && !p.empty() {
		p.note(strings.Join(none, ", "))
	}
	return nonEmpty(p)
}

func (v *view) queues() *panel {
	p := v.panel(live.QueueTitle(v.s.BucketSeconds), "calls waiting", false)
	for i, t := range v.tiers {
		if t.Works() {
			p.line(t.Label(), v.x, sum(v.ser, t.Members, "queue_mean"), lineStyle(paletteColor(i), 2, nil))
		}
	}
	return nonEmpty(p)
}

// backlog draws the messages durable queues hold; nil without a queue.
func (v *view) backlog() *panel {
	p := v.panel("Durable queues: messages held, waiting or out for delivery (mean per "+v.bucket()+")", "messages", false)
	for i, t := range v.tiers {
		if t.Kind == "queue" {
			p.line(t.Label(), v.x, sum(v.ser, t.Members, "backlog_mean"), lineStyle(paletteColor(i), 2, nil))
		}
	}
	return nonEmpty(p)
}

func (v *view) inFlight() *panel {
	p := v.panel("In flight: calls inside each tier (mean per "+v.bucket()+", replicas summed; clients: logical requests)", "calls inside", false)
	for i, t := range v.tiers {
		p.line(t.Label(), v.x, sum(v.ser, t.Members, "in_flight_mean"), lineStyle(paletteColor(i), 2, nil))
	}
	return nonEmpty(p)
}

func (v *view) wasted() *panel {
	p := v.panel(live.WastedTitle, "seconds of work per second", false)
	for i, t := range v.tiers {
		if t.Works() {
			p.line(t.Label(), v.x, perSecond(v.ser, sum(v.ser, t.Members, "wasted_work_s")), lineStyle(paletteColor(i), 2, nil))
		}
	}
	return nonEmpty(p)
}

// nonEmpty returns p, or nil when nothing was drawn on it.
func nonEmpty(p *panel) *panel {
	if p.empty() {
		return nil
	}
	return p
}
