package scenariofile

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/scenariofile/tomlpos"
)

var faultKeys = []string{"name", "target", "kind", "at", "for", "factor", "latency", "error_rate", "workers", "what", "from", "to",
	"link", "partition", "direction", "loss"}

// faultParams is the parameter key each fault kind takes.
var faultParams = map[topology.FaultKind]string{
	topology.FaultSlowdown:  "factor",
	topology.FaultLatency:   "latency",
	topology.FaultErrors:    "error_rate",
	topology.FaultCapacity:  "workers",
	topology.FaultLoadSpike: "factor",
}

func (d *decoder) faults(n *node, r *resolver, sc *topology.Scenario) []topology.Fault {
	if n == nil {
		return nil
	}
	arr, ok := n.v.([]*node)
	if !ok {
		d.errorf(n, "fault must be a list of faults: write each as [[fault]]")
		return nil
	}
	var out []topology.Fault
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

func (d *decoder) fault(o *object, r *resolver, sc *topology.Scenario) (topology.Fault, bool) {
	if o.has("link") || o.has("partition") {
		return d.linkFault(o, r, sc)
	}
	f := topology.Fault{Pos: topology.Pos{File: d.file, Line: o.n.key.Line, Col: o.n.key.Col}}
	kinds := topology.FaultNames[:]
	k := o.enum("kind", -1, kinds)
	if !o.has("kind") {
		o.missing("kind", "one of "+quoteList(kinds))
	}
	if k >= 0 && linkKinds[topology.FaultKind(k)] {
		o.missing("link", fmt.Sprintf(`a %s fault hits links: the edge it cuts, e.g. link = "api -> db"`, kinds[k]))
		return f, false
	}
	for _, key := range []string{"direction", "loss"} {
		if n := o.get(key); n != nil {
			o.errorf(n, "%s applies to faults on links (link = \"api -> db\"); this fault hits a component", key)
		}
	}
	f.Targets = r.resolveTarget(o, "target")
	window(o, &f)
	if k < 0 || f.Targets == nil {
		return f, false
	}
	f.Kind = topology.FaultKind(k)
	kind := kinds[k]
	target := o.str("target", "")
	f.Name = o.str("name", kind+" "+target)
	if f.At >= sc.Duration && o.has("at") {
		o.errorf(o.get("at"), "the fault starts at %s, after the run ends at %s", f.At, sc.Duration)
	}

	// The parameter this kind takes, and no other.
	param := faultParams[f.Kind]
	for _, k := range []string{"factor", "latency", "error_rate", "workers", "what", "from", "to"} {
		if n := o.get(k); n != nil && k != param && (f.Kind != topology.FaultDrift || !slices.Contains(driftKeys, k)) {
			hint := "a crash takes no parameter"
			switch {
			case f.Kind == topology.FaultDrift:
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
	case topology.FaultSlowdown, topology.FaultLoadSpike:
		f.Factor = o.number("factor", 1, 0, 1e6)
		if n := o.get("factor"); n != nil && f.Factor == 0 {
			o.errorf(n, "factor must be more than zero")
		}
	case topology.FaultLatency:
		f.Latency = o.positive("latency", 0)
	case topology.FaultErrors:
		f.ErrorRate = o.number("error_rate", 0, 0, 1)
	case topology.FaultCapacity:
		f.Workers = o.integer("workers", 0, 0, 1_000_000)
	case topology.FaultDrift:
		if !d.drift(o, &f, sc) {
			return f, false
		}
	}

	// What each kind can hit.
	for _, t := range f.Targets {
		c := sc.Components[t]
		ok := true
		switch f.Kind {
		case topology.FaultLoadSpike:
			ok = c.Kind == topology.KindClient && c.Client.Users == 0
		case topology.FaultCrash:
			ok = c.Kind != topology.KindClient && c.Kind != topology.KindQueue
		default:
			ok = c.Kind == topology.KindService || c.Kind == topology.KindDatabase
		}
		if !ok {
			o.errorf(o.get("target"), "a %s fault cannot hit %s %q; %s", kind, c.Kind, c.Name, faultTargets[f.Kind])
			return f, false
		}
	}
	return f, true
}

// linkKinds are the fault kinds that only links can have.
var linkKinds = map[topology.FaultKind]bool{topology.FaultPartition: true, topology.FaultLoss: true}

// linkFault reads a fault on links: link = "FROM -> TO" (either end may be
// "*") with a kind of partition, loss, latency or drift, or the shorthand
// partition = "FROM -> TO"; direction says which messages it hits.
func (d *decoder) linkFault(o *object, r *resolver, sc *topology.Scenario) (topology.Fault, bool) {
	f := topology.Fault{Pos: topology.Pos{File: d.file, Line: o.n.key.Line, Col: o.n.key.Col}}
	kinds := topology.FaultNames[:]
	key, k := "link", -1
	if pn := o.get("partition"); pn != nil {
		key, k = "partition", int(topology.FaultPartition)
		if o.has("link") {
			o.errorf(pn, `give partition = "A -> B", or kind = "partition" with link = "A -> B", not both`)
			return f, false
		}
		if kn := o.get("kind"); kn != nil && kn.v != "partition" {
			o.errorf(kn, "kind %s contradicts partition = ...; a partition is kind \"partition\"", describe(kn.v))
		}
	} else {
		k = o.enum("kind", -1, kinds)
		if !o.has("kind") {
			o.missing("kind", `one of "partition", "loss", "latency" or "drift" for a fault on links`)
		}
	}
	if tn := o.get("target"); tn != nil {
		o.errorf(tn, "give target (a component) or %s (links), not both", key)
	}
	window(o, &f)
	f.Link = d.linkTarget(o, key, r, sc)
	if k < 0 || f.Link == nil {
		return f, false
	}
	f.Kind = topology.FaultKind(k)
	kind := kinds[k]
	params := map[topology.FaultKind][]string{
		topology.FaultPartition: nil,
		topology.FaultLoss:      {"loss"},
		topology.FaultLatency:   {"latency"},
		topology.FaultDrift:     driftKeys,
	}
	want, ok := params[f.Kind]
	if !ok {
		o.errorf(o.get("kind"), `a %s fault hits components (target = "NAME"); links take "partition", "loss", "latency" and "drift"`, kind)
		return f, false
	}
	for _, p := range []string{"factor", "latency", "error_rate", "workers", "what", "from", "to", "loss"} {
		if n := o.get(p); n != nil && !slices.Contains(want, p) {
			hint := "a partition takes no parameter: nothing passes"
			if len(want) > 0 {
				hint = fmt.Sprintf("a %s fault on links takes %s", kind, strings.Join(want, ", "))
			}
			o.errorf(n, "%s does not apply to a %s fault on links (%s)", p, kind, hint)
		}
	}
	f.Name = o.str("name", kind+" "+f.Link.Name)
	if f.At >= sc.Duration && o.has("at") {
		o.errorf(o.get("at"), "the fault starts at %s, after the run ends at %s", f.At, sc.Duration)
	}
	switch f.Kind {
	case topology.FaultLoss:
		if !o.has("loss") {
			o.missing("loss", "the probability that a message is lost, 0 to 1")
		}
		f.Loss = o.number("loss", 0, 0, 1)
	case topology.FaultLatency:
		if !o.has("latency") {
			o.missing("latency", `the delay added to each message one way, e.g. "200ms" or { dist = "exponential", mean = "200ms" }`)
		}
		f.Delay = d.dist(o, "latency", topology.Dist{Kind: topology.DistConstant})
	case topology.FaultDrift:
		return f, d.drift(o, &f, sc)
	}
	return f, true
}

var faultTargets = map[topology.FaultKind]string{
	topology.FaultSlowdown:  "it hits services and databases",
	topology.FaultLatency:   "it hits services and databases",
	topology.FaultErrors:    "it hits services and databases",
	topology.FaultCapacity:  "it hits services and databases",
	topology.FaultCrash:     "it hits load balancers, services and databases",
	topology.FaultLoadSpike: "it hits open-loop clients (with a rate)",
	topology.FaultDrift:     "it hits services and databases",
}

func posOf(p topology.Pos) tomlpos.Pos { return tomlpos.Pos{Line: p.Line, Col: p.Col} }

// window reads a fault's at and for, both required, into f.
func window(o *object, f *topology.Fault) {
	if !o.has("at") {
		o.missing("at", "when the fault starts")
	}
	if !o.has("for") {
		o.missing("for", "how long it lasts")
	}
	f.At = o.duration("at", 0, false)
	f.For = o.positive("for", 0)
}
