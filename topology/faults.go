package topology

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/failsim/failsim/topology/tomlpos"
)

var faultKeys = []string{"name", "target", "kind", "at", "for", "factor", "latency", "error_rate", "workers", "what", "from", "to"}

// faultParams is the parameter key each fault kind takes.
var faultParams = map[FaultKind]string{
	FaultSlowdown:  "factor",
	FaultLatency:   "latency",
	FaultErrors:    "error_rate",
	FaultCapacity:  "workers",
	FaultLoadSpike: "factor",
}

func (d *decoder) faults(n *node, r *resolver, sc *Scenario) []Fault {
	if n == nil {
		return nil
	}
	arr, ok := n.v.([]*node)
	if !ok {
		d.errorf(n, "fault must be a list of faults: write each as [[fault]]")
		return nil
	}
	var out []Fault
	for i, fn := range arr {
		o := d.object(fn, fmt.Sprintf("fault[%d]", i), faultKeys...)
		if o == nil {
			continue
		}
		if f, ok := d.fault(o, r, sc); ok {
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At < out[j].At })
	return out
}

func (d *decoder) fault(o *object, r *resolver, sc *Scenario) (Fault, bool) {
	f := Fault{Pos: Pos{File: d.file, Line: o.n.key.Line, Col: o.n.key.Col}}
	kinds := faultNames[:]
	k := o.enum("kind", -1, kinds)
	if !o.has("kind") {
		o.missing("kind", "one of "+quoteList(kinds))
	}
	f.Targets = r.resolveTarget(o, "target")
	if !o.has("at") {
		o.missing("at", "when the fault starts")
	}
	if !o.has("for") {
		o.missing("for", "how long it lasts")
	}
	f.At = o.duration("at", 0, false)
	f.For = o.positive("for", 0)
	if k < 0 || f.Targets == nil {
		return f, false
	}
	f.Kind = FaultKind(k)
	kind := kinds[k]
	target := o.str("target", "")
	f.Name = o.str("name", kind+" "+target)
	if f.At >= sc.Duration && o.has("at") {
		o.errorf(o.get("at"), "the fault starts at %s, after the run ends at %s", f.At, sc.Duration)
	}

	// The parameter this kind takes, and no other.
	param := faultParams[f.Kind]
	for _, k := range []string{"factor", "latency", "error_rate", "workers", "what", "from", "to"} {
		if n := o.get(k); n != nil && k != param && (f.Kind != FaultDrift || !slices.Contains(driftKeys, k)) {
			hint := "a crash takes no parameter"
			switch {
			case f.Kind == FaultDrift:
				hint = "a drift fault takes what, from and to"
			case param != "":
				hint = fmt.Sprintf("a %s fault takes %s", kind, param)
			}
			o.errorf(n, "%s does not apply to a %s fault (%s)", k, kind, hint)
		}
	}
	if param != "" && !o.has(param) {
		o.missing(param, fmt.Sprintf("how bad the %s is", kind))
	}
	switch f.Kind {
	case FaultSlowdown, FaultLoadSpike:
		f.Factor = o.number("factor", 1, 0, 1e6)
		if n := o.get("factor"); n != nil && f.Factor == 0 {
			o.errorf(n, "factor must be more than zero")
		}
	case FaultLatency:
		f.Latency = o.positive("latency", 0)
	case FaultErrors:
		f.ErrorRate = o.number("error_rate", 0, 0, 1)
	case FaultCapacity:
		f.Workers = o.integer("workers", 0, 0, 1_000_000)
	case FaultDrift:
		if !d.drift(o, &f, sc) {
			return f, false
		}
	}

	// What each kind can hit.
	for _, t := range f.Targets {
		c := sc.Components[t]
		ok := true
		switch f.Kind {
		case FaultLoadSpike:
			ok = c.Kind == KindClient && c.Client.Users == 0
		case FaultCrash:
			ok = c.Kind != KindClient
		default:
			ok = c.Kind == KindService || c.Kind == KindDatabase
		}
		if !ok {
			o.errorf(o.get("target"), "a %s fault cannot hit %s %q; %s", kind, c.Kind, c.Name, faultTargets[f.Kind])
			return f, false
		}
	}
	return f, true
}

var faultTargets = map[FaultKind]string{
	FaultSlowdown:  "it hits services and databases",
	FaultLatency:   "it hits services and databases",
	FaultErrors:    "it hits services and databases",
	FaultCapacity:  "it hits services and databases",
	FaultCrash:     "it hits load balancers, services and databases",
	FaultLoadSpike: "it hits open-loop clients (with a rate)",
	FaultDrift:     "it hits services and databases",
}

func posOf(p Pos) tomlpos.Pos { return tomlpos.Pos{Line: p.Line, Col: p.Col} }

// String is the fault in words, e.g. "slowdown x10 on db at 60s for 30s".
func (f Fault) String() string {
	what := f.Kind.String()
	switch f.Kind {
	case FaultSlowdown, FaultLoadSpike:
		what += fmt.Sprintf(" x%g", f.Factor)
	case FaultLatency:
		what += " +" + f.Latency.String()
	case FaultErrors:
		what += fmt.Sprintf(" %g%%", 100*f.ErrorRate)
	case FaultCapacity:
		what += fmt.Sprintf(" to %d workers", f.Workers)
	case FaultDrift:
		what += " " + f.Drift.String()
	}
	return fmt.Sprintf("%s at %s for %s", what, f.At, time.Duration(f.For))
}
