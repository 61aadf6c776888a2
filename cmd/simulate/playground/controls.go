package playground

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
)

// Control is one knob of the page, bound to the --set key it changes. The
// page shows it as a slider over Choices; moving it away from Base adds
// the setting KEY=VALUE.
type Control struct {
	Key       string   `json:"key"`       // the --set key: client.users.timeout
	Label     string   `json:"label"`     // what it is, in words: "timeout"
	Component string   `json:"component"` // whose: "users", or the fault's name
	Base      string   `json:"base"`      // its value in the scenario (variant included, settings not)
	Value     string   `json:"value"`     // its value with the settings
	Choices   []string `json:"choices"`   // the values it offers, in order; Base and Value among them
	Names     []string `json:"names"`     // how each choice is shown (the same as Choices but for tables)
	Line      int      `json:"line"`      // the line it is about in the text; 0 for none
}

// Ladders of values the sliders offer, besides the scenario's own.
var (
	durations     = []string{"10ms", "25ms", "50ms", "100ms", "200ms", "250ms", "500ms", "750ms", "1s", "1.5s", "1.8s", "2s", "3s", "4s", "5s", "7.5s", "10s", "15s", "20s", "30s", "45s", "1m", "2m", "5m"}
	faultLengths  = []string{"1s", "2s", "3s", "4s", "5s", "10s", "15s", "20s", "30s", "45s", "1m", "1m30s", "2m", "3m", "5m", "10m"}
	multiples     = []float64{0.25, 0.5, 0.75, 0.9, 1, 1.1, 1.25, 1.5, 2, 3}
	factors       = []float64{1, 1.5, 2, 3, 5, 10, 20, 50, 100}
	errorRates    = []float64{0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 1}
	backoffKinds  = []string{`"none"`, `"constant"`, `"exponential"`}
	jitterKinds   = []string{`"none"`, `"full"`, `"equal"`, `"decorrelated"`}
	budgetChoices = []string{"none", `{ kind = "grpc" }`, `{ kind = "aws" }`, `{ kind = "envoy" }`, `{ kind = "finagle" }`}
	budgetNames   = []string{"off", "gRPC", "AWS", "Envoy", "Finagle"}
)

// controls are the knobs that matter in a retry spiral, read from the
// scenario with its variant (base) and with the settings (now): each
// client's rate (or users), timeout, attempts, backoff, jitter and retry
// budget; each load balancer's and database's timeout; each call's timeout
// (and attempts, when it retries); each fault's size and length.
func controls(base, now *topology.Scenario) []Control {
	b, n := knobs(base), knobs(now)
	// The base's controls, then those the settings brought (jitter once
	// the backoff is exponential).
	all := slices.Clone(b)
	for _, c := range n {
		if !slices.ContainsFunc(b, func(o Control) bool { return o.Key == c.Key }) {
			all = append(all, c)
		}
	}
	out := make([]Control, 0, len(all))
	for _, c := range all {
		c.Value = c.Base
		if i := slices.IndexFunc(n, func(o Control) bool { return o.Key == c.Key }); i >= 0 {
			c.Value = n[i].Base
		}
		c.Choices = withValue(c.Choices, c.Base)
		c.Choices = withValue(c.Choices, c.Value)
		if c.Names == nil {
			c.Names = make([]string, len(c.Choices))
			for i, ch := range c.Choices {
				c.Names[i] = strings.Trim(ch, `"`)
			}
		}
		out = append(out, c)
	}
	return out
}

// knobs reads the controls of one scenario, Base set to its values.
func knobs(sc *topology.Scenario) []Control {
	var out []Control
	seen := map[string]bool{}
	for _, k := range sc.Components {
		if seen[k.Group] || k.Standby {
			continue
		}
		seen[k.Group] = true
		line := func(p topology.Pos) int {
			if p.File == sc.File && p.Line > 0 {
				return p.Line
			}
			if k.Pos.File == sc.File {
				return k.Pos.Line
			}
			return 0
		}
		switch {
		case k.Client != nil:
			key := "client." + keyName(k.Group)
			cl := k.Client
			switch {
			case cl.Users > 0:
				out = append(out, Control{Key: key + ".users", Label: "users", Choices: scaled(float64(cl.Users), true), Base: strconv.Itoa(cl.Users), Line: line(k.Pos)})
			case len(cl.Rate) == 1 && cl.Rate[0].At == 0:
				out = append(out, Control{Key: key + ".rate", Label: "rate (requests/s)", Choices: scaled(cl.Rate[0].RPS, false), Base: number(cl.Rate[0].RPS), Line: line(k.Pos)})
			}
			if !imported(sc, &cl.Call) {
				out = append(out, policyKnobs(key, &cl.Call, line)...)
			}
		case k.Balancer != nil:
			key := "load_balancer." + keyName(k.Group)
			if imported(sc, &k.Balancer.Call) {
				break // an Envoy route: its timeouts and retries are set there
			}
			out = append(out, Control{Key: key + ".timeout", Label: "route timeout", Choices: limits(), Base: limit(k.Balancer.Call.Deadline), Line: line(k.Balancer.Call.DeadlinePos)})
			if r := k.Balancer.Call.Retry; r.Pos.Line > 0 {
				out = append(out, Control{Key: key + ".retry_policy.num_retries", Label: "retries", Choices: counts(0, 9), Base: strconv.Itoa(r.MaxAttempts - 1), Line: line(r.Pos)})
			}
		case k.Server != nil && k.Kind == topology.KindDatabase:
			out = append(out, Control{Key: "database." + keyName(k.Group) + ".timeout", Label: "query timeout", Choices: limits(), Base: limit(k.Server.Timeout), Line: line(k.Pos)})
		case k.Server != nil:
			for i := range k.Server.Calls {
				call := &k.Server.Calls[i]
				key := fmt.Sprintf("service.%s.call[%d]", keyName(k.Group), i)
				to := sc.Components[call.To].Group
				timeout := Control{Key: key + ".timeout", Label: "timeout of calls to " + to, Choices: limits(), Base: limit(call.Timeout), Line: line(call.TimeoutPos)}
				out = append(out, timeout)
				out = append(out, Control{Key: key + ".retry.max_attempts", Label: "attempts of calls to " + to, Choices: counts(1, 10), Base: strconv.Itoa(max(call.Retry.MaxAttempts, 1)), Line: line(call.Retry.Pos)})
			}
		}
		for i := range out {
			if out[i].Component == "" {
				out[i].Component = k.Group
			}
		}
	}
	// Faults are fault[i] in the file's order, which is their order by line.
	order := make([]int, len(sc.Faults))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return sc.Faults[a].Pos.Line - sc.Faults[b].Pos.Line })
	for i, fi := range order {
		f := &sc.Faults[fi]
		key := fmt.Sprintf("fault[%d]", i)
		line := 0
		if f.Pos.File == sc.File {
			line = f.Pos.Line
		}
		size := Control{Key: key, Component: f.Name, Line: line}
		switch f.Kind {
		case topology.FaultSlowdown, topology.FaultLoadSpike:
			size.Key, size.Label, size.Choices, size.Base = key+".factor", "factor", numbers(factors), number(f.Factor)
		case topology.FaultCapacity:
			size.Key, size.Label, size.Choices, size.Base = key+".workers", "workers left", counts(0, max(f.Workers, workersOf(sc, f))), strconv.Itoa(f.Workers)
		case topology.FaultLatency:
			size.Key, size.Label, size.Choices, size.Base = key+".latency", "added latency", quoted(durations), quote(human.Duration(f.Latency))
		case topology.FaultErrors:
			size.Key, size.Label, size.Choices, size.Base = key+".error_rate", "error rate", numbers(errorRates), number(f.ErrorRate)
		}
		if size.Label != "" {
			out = append(out, size)
		}
		out = append(out, Control{Key: key + ".for", Label: "length", Component: f.Name, Choices: quoted(faultLengths), Base: quote(human.Duration(f.For)), Line: line})
	}
	return out
}

// policyKnobs are a caller's timeout, attempts, backoff, jitter and budget.
func policyKnobs(key string, p *topology.CallPolicy, line func(topology.Pos) int) []Control {
	r := p.Retry
	out := []Control{
		{Key: key + ".timeout", Label: "timeout", Choices: limits(), Base: limit(p.Timeout), Line: line(p.TimeoutPos)},
		{Key: key + ".retry.max_attempts", Label: "attempts", Choices: counts(1, 10), Base: strconv.Itoa(max(r.MaxAttempts, 1)), Line: line(r.Pos)},
		{Key: key + ".retry.backoff", Label: "backoff", Choices: backoffKinds, Base: quote(topology.BackoffNames[r.Backoff.Kind]), Line: line(r.Pos)},
	}
	if r.Backoff.Kind != topology.BackoffNone {
		// The file may give a base or a cap, which "none" does not take.
		out[2].Choices = backoffKinds[1:]
	}
	if r.Backoff.Kind == topology.BackoffExponential { // jitter applies to exponential backoff only
		out = append(out, Control{Key: key + ".retry.jitter", Label: "jitter", Choices: jitterKinds, Base: quote(topology.JitterNames[r.Backoff.Jitter]), Line: line(r.Pos)})
	}
	budget := Control{Key: key + ".retry.budget", Label: "retry budget", Choices: budgetChoices, Names: budgetNames, Base: "none", Line: line(r.Pos)}
	if r.Budget != nil {
		// A budget the file sets cannot be unset by a setting: offer the
		// other kinds instead of "off".
		budget.Base = fmt.Sprintf("{ kind = %q }", r.Budget.Kind.String())
		budget.Choices, budget.Names = budgetChoices[1:], budgetNames[1:]
		if !slices.Contains(budget.Choices, budget.Base) {
			budget.Choices = append([]string{budget.Base}, budget.Choices...)
			budget.Names = append([]string{"as in the file"}, budget.Names...)
		}
	}
	return append(out, budget)
}

// imported reports whether a caller's policy comes from a gRPC service
// config or an Envoy route, where its timeouts and retries are set: a
// setting of them in the scenario would be refused.
func imported(sc *topology.Scenario, p *topology.CallPolicy) bool {
	for _, pos := range []topology.Pos{p.TimeoutPos, p.DeadlinePos, p.Retry.Pos} {
		if pos.File != "" && pos.File != sc.File {
			return true
		}
	}
	return false
}

// workersOf is the workers of the first service a fault hits.
func workersOf(sc *topology.Scenario, f *topology.Fault) int {
	for _, t := range f.Targets {
		if s := sc.Components[t].Server; s != nil {
			return s.Workers
		}
	}
	return 1
}

// keyName writes a component's name as a --set key segment, quoted when it
// holds anything but letters, digits, '-' and '_'.
func keyName(name string) string {
	if name != "" && strings.Trim(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == "" {
		return name
	}
	return strconv.Quote(name)
}

func limit(d time.Duration) string {
	if d == 0 {
		return `"none"`
	}
	return quote(human.Duration(d))
}

func limits() []string { return append(quoted(durations), `"none"`) }

func quote(s string) string { return `"` + s + `"` }

func quoted(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = quote(x)
	}
	return out
}

func number(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func numbers(xs []float64) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = number(x)
	}
	return out
}

func counts(lo, hi int) []string {
	var out []string
	for i := lo; i <= hi; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}

// scaled offers multiples of x, to three significant digits (whole when
// integer is set), without repeats.
func scaled(x float64, integer bool) []string {
	var out []string
	for _, m := range multiples {
		v := x * m
		if integer {
			v = math.Max(1, math.Round(v))
		} else if v != 0 {
			p := math.Pow(10, math.Floor(math.Log10(math.Abs(v)))-2)
			v = math.Round(v/p) * p
		}
		if s := number(v); !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// withValue returns choices with v among them, in order when they are
// numbers or durations, else first.
func withValue(choices []string, v string) []string {
	if slices.Contains(choices, v) {
		return choices
	}
	out := slices.Clone(choices)
	key, ok := order(v)
	if !ok {
		return append([]string{v}, out...)
	}
	i := 0
	for i < len(out) {
		if k, ok := order(out[i]); ok && k > key {
			break
		}
		i++
	}
	return slices.Insert(out, i, v)
}

// order is where a value sorts among a slider's: a number, or a duration in
// seconds ("none" last).
func order(v string) (float64, bool) {
	if x, err := strconv.ParseFloat(v, 64); err == nil {
		return x, true
	}
	s := strings.Trim(v, `"`)
	if s == "none" {
		return math.Inf(1), true
	}
	if d, err := time.ParseDuration(s); err == nil {
		return d.Seconds(), true
	}
	return 0, false
}

// policyLabel says how a caller calls: "timeout 2s × 3", for the drawing.
func policyLabel(p *topology.CallPolicy, balancer bool) string {
	if p == nil {
		return ""
	}
	t := p.Timeout
	if balancer {
		t = p.Deadline
	}
	label := "no timeout"
	if t > 0 {
		label = human.Duration(t)
	}
	if n := p.Retry.MaxAttempts; n > 1 {
		label += fmt.Sprintf(" ×%d", n)
	}
	return label
}
