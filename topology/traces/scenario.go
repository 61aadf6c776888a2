package traces

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Component is one component of the written scenario and the operation it
// stands for (nil for a client the traces only imply).
type Component struct {
	Name string
	Kind string // client, load_balancer, service, database
	Op   *Operation
	Rate float64 // clients: requests per second

	Implied bool // a client in front of Op that the traces do not show
}

// Written is the scenario the model gives: its TOML, and what each
// component stands for.
type Written struct {
	TOML       []byte
	Components []Component
}

// GuessWorkers is the worker count written when traces cannot show one:
// four times the most calls seen in progress at once, at least 16.
func GuessWorkers(s *Service) int { return max(16, 4*s.MaxConcurrent) }

// maxSteps bounds the [[call]] entries written for one callee.
const maxSteps = 64

type writer struct {
	m     *Model
	b     strings.Builder
	names map[*Operation]string
	kinds map[*Operation]string
	used  map[string]bool
	comps []Component
}

// Scenario writes the model as a scenario named name.
func (m *Model) Scenario(name string) *Written {
	w := &writer{m: m, names: map[*Operation]string{}, kinds: map[*Operation]string{}, used: map[string]bool{}}
	w.plan()
	w.write(name)
	return &Written{TOML: []byte(w.b.String()), Components: w.comps}
}

// slug makes a component name out of a span name.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		ok := r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.')
		if ok {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.Trim(b.String(), "-.")
	if out == "" {
		return "op"
	}
	return out
}

func (w *writer) unique(n string) string {
	if !w.used[n] {
		w.used[n] = true
		return n
	}
	for i := 2; ; i++ {
		c := fmt.Sprintf("%s-%d", n, i)
		if !w.used[c] {
			w.used[c] = true
			return c
		}
	}
}

// isClient: an operation only ever entered from nowhere, never a server,
// calling exactly one callee, is the traced caller itself.
func isClient(o *Operation) bool {
	return o.Roots == o.Count && len(o.Callers) == 0 && o.Server == 0 && len(o.Calls) == 1 && o.Calls[0].To != o
}

func (w *writer) plan() {
	for _, s := range w.m.Services {
		for _, o := range s.Ops {
			n := slug(s.Name)
			if len(s.Ops) > 1 {
				n += "." + slug(o.Name)
			}
			w.names[o] = w.unique(n)
			switch {
			case isClient(o):
				w.kinds[o] = "client"
			case s.Proxy && len(o.Calls) == 1 && o.Calls[0].MaxTries() >= 1:
				w.kinds[o] = "load_balancer"
			case s.DB && len(o.Calls) == 0:
				w.kinds[o] = "database"
			default:
				w.kinds[o] = "service"
			}
		}
	}
}

// behindBalancers reports whether every caller of o is a load balancer.
func (w *writer) behindBalancers(o *Operation) bool {
	if len(o.Callers) == 0 {
		return false
	}
	for _, c := range w.m.Ops {
		if _, ok := o.Callers[c.Key()]; ok && w.kinds[c] != "load_balancer" {
			return false
		}
	}
	return true
}

func (w *writer) rate(o *Operation) (float64, string) {
	if w.m.Window <= 0 || w.m.Roots < 2 {
		return 1, fmt.Sprintf("GUESS: %d request(s) over no measurable time; edit the rate", o.Roots)
	}
	win := w.m.Window.Seconds() * float64(w.m.Roots) / float64(w.m.Roots-1) // n starts span n-1 gaps
	r := float64(o.Roots) / win
	return r, fmt.Sprintf("%d requests in %s", o.Roots, fmtSec(win))
}

func (w *writer) line(format string, args ...any) { fmt.Fprintf(&w.b, format+"\n", args...) }

func (w *writer) write(name string) {
	m := w.m
	w.line("# Inferred by `simulate import traces` from %d span(s) of %d trace(s) in %s.", m.Spans, m.Traces, strings.Join(m.Files, ", "))
	w.line("# Comments give the evidence for each number; GUESS marks what traces cannot show. Edit those.")
	for _, n := range m.Notes {
		w.line("# Note: %s.", n)
	}
	w.line("name = %q", name)
	w.line("description = %q", fmt.Sprintf("inferred from %d spans of %d traces", m.Spans, m.Traces))
	dur := max(time.Minute, (m.Window + time.Second).Truncate(time.Second))
	w.line("duration = %q", dur.String())

	// Clients: the traced callers, then one in front of each operation
	// entered from nowhere.
	for _, o := range m.Ops {
		if o.Roots == 0 {
			continue
		}
		r, why := w.rate(o)
		if w.kinds[o] == "client" {
			e := o.Calls[0]
			w.line("")
			w.line("# %s: %s, the caller of every request (%s).", o.Key(), plural(o.Count, "span"), why)
			w.line("[client.%s]", tomlKey(w.names[o]))
			w.line("target = %q", w.names[e.To])
			w.line("rate = %s", fmtRate(r))
			w.comps = append(w.comps, Component{Name: w.names[o], Kind: "client", Op: o, Rate: r})
			w.policy(e, true)
			continue
		}
		c := w.unique(w.names[o] + "-callers")
		w.line("")
		w.line("# The callers of %s are not in the traces: an open-loop client at the rate its requests arrived (%s).", o.Key(), why)
		w.line("# GUESS: no timeout and no retries; set those of the real callers.")
		w.line("[client.%s]", tomlKey(c))
		w.line("target = %q", w.names[o])
		w.line("rate = %s", fmtRate(r))
		w.comps = append(w.comps, Component{Name: c, Kind: "client", Op: o, Rate: r, Implied: true})
	}
	for _, o := range m.Ops {
		switch w.kinds[o] {
		case "load_balancer":
			w.balancer(o)
		case "service", "database":
			w.server(o)
		}
	}
}

func (w *writer) evidence(o *Operation) {
	d := o.Durations
	w.line("# %s: %s (%d entered from nowhere), %d with an error of its own.", o.Key(), plural(o.Count, "span"), o.Roots, o.Errors)
	if total := w.serviceCount(o.Service); len(o.Service.Ops) > 1 {
		w.line("# Mix: %s of %s's %d entry spans%s.", pct(o.Count, total), o.Service.Name, total, w.perSecond(o))
	} else if ps := w.perSecond(o); ps != "" {
		w.line("# Arrivals%s.", ps)
	}
	if len(d) > 0 {
		w.line("# Span duration p50 %s, p90 %s, p99 %s, max %s.", fmtSec(Quantile(d, .5)), fmtSec(Quantile(d, .9)), fmtSec(Quantile(d, .99)), fmtSec(d[len(d)-1]))
	}
	if o.Service.Uninstrumented {
		w.line("# Not instrumented: known only from the client spans that call it (%s); its time is theirs.", o.Service.Name)
	}
	if o.Count < 20 {
		w.line("# Little evidence: %s.", plural(o.Count, "span"))
	}
	if o.ownCalls > 0 {
		w.line("# %s calls to an unnamed peer (no peer.service or server.address) are counted as its own time.", plural(o.ownCalls, "span's"))
	}
}

func (w *writer) serviceCount(s *Service) int {
	n := 0
	for _, o := range s.Ops {
		n += o.Count
	}
	return n
}

// perSecond is an operation's arrival rate, when the traces span time.
func (w *writer) perSecond(o *Operation) string {
	if w.m.Window <= 0 || w.m.Roots < 2 {
		return ""
	}
	win := w.m.Window.Seconds() * float64(w.m.Roots) / float64(w.m.Roots-1)
	return fmt.Sprintf(": %.4g per second", float64(o.Count)/win)
}

func pct(n, of int) string { return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of)) }

func (w *writer) balancer(o *Operation) {
	e := o.Calls[0]
	w.line("")
	w.evidence(o)
	w.line("# A proxy (its spans carry component=proxy) that forwards each call to %s.", e.To.Key())
	w.line("[load_balancer.%s]", tomlKey(w.names[o]))
	w.line("targets = [%q]", w.names[e.To])
	w.comps = append(w.comps, Component{Name: w.names[o], Kind: "load_balancer", Op: o})
	if n := len(e.Timeouts); n > 0 {
		w.line("# %s of %d timed out after p50 %s: that is its route timeout.", plural(n, "try"), len(e.Durations), fmtSec(Quantile(e.Timeouts, .5)))
		w.line("timeout = %q", fmtDur(Quantile(e.Timeouts, .5)))
	} else {
		w.line("# GUESS: no try timed out; Envoy's default route timeout, 15s, applies.")
	}
	if mt := e.MaxTries(); mt > 1 {
		w.line("# %d retries over %d calls; at most %d tries a call.", e.Retries, e.Logical, mt)
		w.line("retry_policy = { num_retries = %d }", mt-1)
	}
}

func (w *writer) server(o *Operation) {
	s := o.Service
	kind := w.kinds[o]
	w.line("")
	w.evidence(o)
	w.comps = append(w.comps, Component{Name: w.names[o], Kind: kind, Op: o})
	w.line("[%s.%s]", kind, tomlKey(w.names[o]))
	workers := GuessWorkers(s)
	what := "workers"
	if kind == "database" {
		what = "connections"
	}
	w.line("# GUESS: traces show no limit that was never reached; at most %d of %s's calls were in progress at once on one instance.", s.MaxConcurrent, s.Name)
	w.line("%s = %d", what, workers)
	if s.Instances > 1 {
		if w.behindBalancers(o) {
			w.line("# %d instances (service.instance.id) served it.", s.Instances)
			w.line("instances = %d", s.Instances)
		} else {
			w.line("# %d instances (service.instance.id) served it, called directly: written as one instance.", s.Instances)
		}
	}
	if len(s.Ops) > 1 {
		w.line("# %s has %d operations, each a component here; in the real system they share its workers.", s.Name, len(s.Ops))
	}
	key := "service_time"
	if kind == "database" {
		key = "query_time"
	}
	w.line("# Own time (span minus the time it waited on its calls): p50 %s, p90 %s, p99 %s.", fmtSec(Quantile(o.Self, .5)), fmtSec(Quantile(o.Self, .9)), fmtSec(Quantile(o.Self, .99)))
	if med, p99, ks := Lognormal(o.Self); !math.IsNaN(med) {
		w.line("# Fitted lognormal: median %s, p99 %s (Kolmogorov-Smirnov distance %.3f to the spans).", fmtSec(med), fmtSec(p99), ks)
	}
	w.line("%s = %s", key, dist(o.Self))
	if o.Errors > 0 {
		w.line("# %d of %d spans failed with no failed call below them.", o.Errors, o.Count)
		w.line("error_rate = %s", fmtFloat(float64(o.Errors)/float64(o.Count)))
	}
	for gi, g := range o.Groups {
		if len(g) > 1 || o.Calls[g[0]].Overlap > 0 {
			var names []string
			for _, i := range g {
				names = append(names, o.Calls[i].To.Key())
			}
			w.line("# In the traces the calls to %s run in parallel; the format has sequential calls only, so they are written one after the other and the simulated %s is slower than the real one. (Parallel group %d.)", strings.Join(names, ", "), o.Key(), gi+1)
		}
		for _, i := range g {
			w.calls(o, o.Calls[i], kind)
		}
	}
}

func (w *writer) calls(o *Operation, e *Edge, kind string) {
	if kind == "database" {
		return
	}
	per := e.PerRun(o)
	whole := int(per)
	frac := per - float64(whole)
	if frac > 0.995 {
		whole, frac = whole+1, 0
	}
	steps := whole
	if frac >= 0.005 {
		steps++
	}
	note := fmt.Sprintf("%s to %s in %d of %d runs: %s per run", plural(e.Logical, "call"), e.To.Key(), e.Runs, o.Count, fmtFloat(per))
	if e.Overlap > 0 {
		note += fmt.Sprintf("; %d pairs of them overlapped in time (parallel fan-out, written in sequence)", e.Overlap)
	}
	w.line("# %s.", note)
	if steps > maxSteps {
		w.line("# Only %d of the %d calls a run makes are written (at most %d steps).", maxSteps, steps, maxSteps)
		steps, frac = maxSteps, 0
	}
	for i := 0; i < steps; i++ {
		w.line("[[%s.%s.call]]", kind, tomlKey(w.names[o]))
		w.line("to = %q", w.names[e.To])
		if i == steps-1 && frac >= 0.005 {
			w.line("fraction = %s", fmtFloat(frac))
		}
		w.policy(e, i == 0)
	}
}

// policy writes the timeout and retries of an edge, or says they are
// guesses.
func (w *writer) policy(e *Edge, tell bool) {
	if n := len(e.Timeouts); n > 0 {
		if tell {
			w.line("# %s of %d timed out, after p50 %s (min %s, max %s).", plural(n, "try"), len(e.Durations), fmtSec(Quantile(e.Timeouts, .5)), fmtSec(e.Timeouts[0]), fmtSec(e.Timeouts[n-1]))
		}
		w.line("timeout = %q", fmtDur(Quantile(e.Timeouts, .5)))
	} else if tell {
		w.line("# GUESS: no try timed out, so the timeout is unknown: none written; slowest try %s.", fmtSec(last(e.Durations)))
	}
	mt := e.MaxTries()
	switch {
	case !tell && mt > 1:
		w.line("retry = { max_attempts = %d, %s }", mt, backoffOf(e))
	case !tell:
	case mt > 1:
		gap := Quantile(e.Gaps, .5)
		w.line("# %d retries over %d calls, at most %d tries a call (GUESS: the policy may allow more); waits before a retry p50 %s.", e.Retries, e.Logical, mt, fmtSec(gap))
		w.line("retry = { max_attempts = %d, %s }", mt, backoffOf(e))
	case e.Failed > 0:
		w.line("# %d call(s) failed and none was retried: no retries.", e.Failed)
	default:
		w.line("# GUESS: no call failed, so whether failures are retried is unknown: none written.")
	}
	if e.Hedges > 0 {
		w.line("# %d hedged copies were sent (failsim.hedge); written as plain calls.", e.Hedges)
	}
}

func last(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	return v[len(v)-1]
}

// dist writes a distribution of durations: empirical with enough values,
// a lognormal fit with a few, a constant with fewer.
func dist(sorted []float64) string {
	n := len(sorted)
	if n == 0 || sorted[n-1] <= 0 {
		return `"0s"`
	}
	if n < 5 || sorted[0] == sorted[n-1] {
		return fmt.Sprintf("%q", fmtDur(Quantile(sorted, .5)))
	}
	if n < 20 {
		med, p99, _ := Lognormal(sorted)
		if !math.IsNaN(med) && p99 > med && fmtDur(p99) != fmtDur(med) {
			return fmt.Sprintf(`{ dist = "lognormal", median = %q, p99 = %q }`, fmtDur(med), fmtDur(p99))
		}
		return fmt.Sprintf("%q", fmtDur(Quantile(sorted, .5)))
	}
	type pt struct {
		key string
		q   float64
	}
	// Percentiles with at least two spans beyond them: linear
	// interpolation between two far-apart points in the tail would spread
	// a rare outlier's weight over everything below it.
	var pts []pt
	for _, p := range []pt{{"min", 0}, {"p10", .1}, {"p25", .25}, {"p50", .5}, {"p75", .75}, {"p90", .9}, {"p95", .95},
		{"p98", .98}, {"p99", .99}, {"p995", .995}, {"p998", .998}, {"p999", .999}, {"p9995", .9995}, {"p9999", .9999}} {
		if float64(n)*(1-p.q) >= 2 {
			pts = append(pts, p)
		}
	}
	pts = append(pts, pt{"max", 1})
	var parts []string
	for _, p := range pts {
		parts = append(parts, fmt.Sprintf("%s = %q", p.key, fmtDur(Quantile(sorted, p.q))))
	}
	return `{ dist = "empirical", percentiles = { ` + strings.Join(parts, ", ") + " } }"
}

// fmtDur writes seconds as a duration the scenario loader reads, to the
// microsecond.
func fmtDur(sec float64) string {
	d := time.Duration(math.Round(sec*1e6)) * time.Microsecond
	return d.String()
}

// fmtSec writes seconds briefly for comments.
func fmtSec(sec float64) string {
	switch {
	case math.IsNaN(sec):
		return "-"
	case sec >= 1:
		return fmt.Sprintf("%.3gs", sec)
	case sec >= 1e-3:
		return fmt.Sprintf("%.3gms", sec*1e3)
	}
	return fmt.Sprintf("%.3gµs", sec*1e6)
}

func fmtRate(r float64) string { return fmtFloat(math.Round(r*1000) / 1000) }

func fmtFloat(f float64) string {
	s := fmt.Sprintf("%.4f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "" || s == "-" {
		return "0"
	}
	return s
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	if strings.HasSuffix(what, "y") {
		return fmt.Sprintf("%d %sies", n, what[:len(what)-1])
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// backoffOf is the backoff the waits before retries suggest: none when
// retries went at once, else exponential with full jitter whose first
// wait averages the median wait seen.
func backoffOf(e *Edge) string {
	gap := Quantile(e.Gaps, .5)
	if len(e.Gaps) == 0 || gap < 1e-3 {
		return `backoff = "none"`
	}
	return fmt.Sprintf(`backoff = "exponential", base = %q`, fmtDur(2*gap))
}

// tomlKey quotes a component name that TOML would split at its dots.
func tomlKey(n string) string {
	if strings.Contains(n, ".") {
		return fmt.Sprintf("%q", n)
	}
	return n
}
