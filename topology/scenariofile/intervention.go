package scenariofile

import (
	"fmt"
	"sort"
	"time"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
)

var autoscaleKeys = []string{"scale", "metric", "target", "tolerance", "min", "max", "window", "interval",
	"provisioning_delay", "cooldown", "warmup", "warmup_factor"}

// autoscale reads a service's [service.NAME.autoscale]. instances is how
// many instances serve at the start, replicas how many exist (max_instances).
func (d *decoder) autoscale(n *node, what string, instances, replicas, workers int) *topology.Autoscale {
	o := d.object(n, what, autoscaleKeys...)
	if o == nil {
		return nil
	}
	a := &topology.Autoscale{Pos: d.pos(n)}
	scale := o.enum("scale", 0, []string{"instances", "workers"})
	if !o.has("scale") && replicas == 1 {
		scale = 1 // a single instance can only grow its workers
	}
	a.Workers = scale == 1
	a.Metric = topology.AutoscaleMetric(o.enum("metric", int(topology.ScaleOnUtilization), topology.AutoscaleMetricNames))
	if !o.has("target") {
		o.missing("target", "the metric's value per instance the scaler aims for, e.g. 0.6 for 60% utilization")
	}
	hi := 1.0
	if a.Metric == topology.ScaleOnQueue {
		hi = 1e9
	}
	a.Target = o.number("target", 1, 0, hi)
	if n := o.get("target"); n != nil && a.Target == 0 {
		o.errorf(n, "target must be more than zero")
		a.Target = 1
	}
	a.Tolerance = o.number("tolerance", 0.1, 0, 1)
	if a.Workers {
		a.Min = o.integer("min", workers, 1, 1_000_000)
		a.Max = o.integer("max", workers, 1, 1_000_000)
		if !o.has("max") {
			o.missing("max", "the most workers it may scale each instance to")
		}
		if n := o.get("warmup"); n != nil {
			o.errorf(n, "warmup applies to scale = \"instances\": new workers of a running instance start warm")
		}
	} else {
		if replicas == 1 {
			o.errorf(o.get("scale"), "service has one instance; give it max_instances to scale its instances, or scale = \"workers\"")
		}
		if n := o.get("max"); n != nil && replicas > 1 {
			if v, isInt := n.v.(int64); isInt && v > int64(replicas) {
				o.errorf(n, "max %d: the service has %d instances at most; raise its max_instances", v, replicas)
			}
		}
		a.Min = o.integer("min", instances, 1, replicas)
		a.Max = min(o.integer("max", replicas, 1, 1_000_000), replicas)
	}
	if a.Min > a.Max {
		o.errorf(o.get("min"), "min %d is more than max %d", a.Min, a.Max)
	}
	a.Interval = o.positive("interval", 15*time.Second)
	a.Window = o.positive("window", 30*time.Second)
	a.ProvisioningDelay = o.duration("provisioning_delay", 0, false)
	a.Cooldown = o.duration("cooldown", time.Minute, false)
	a.Warmup = o.duration("warmup", 0, false)
	a.WarmupFactor = o.number("warmup_factor", 1, 1, 1e6)
	if n := o.get("warmup_factor"); n != nil && a.Warmup == 0 {
		o.errorf(n, "warmup_factor applies while an instance warms up: give warmup too")
	}
	return a
}

var interventionKeys = []string{"name", "target", "kind", "at", "on_alert", "reaction_delay", "for", "workers", "instances", "downtime", "fraction", "timeout"}

// interventionParams are the keys each kind takes beyond name, target,
// kind, at and for.
var interventionParams = map[topology.InterventionKind][]string{
	topology.Scale:      {"workers", "instances"},
	topology.Restart:    {"downtime"},
	topology.ShedLoad:   {"fraction"},
	topology.RetriesOff: {},
	topology.SetTimeout: {"timeout"},
}

func (d *decoder) interventions(n *node, r *resolver, sc *topology.Scenario) []topology.Intervention {
	if n == nil {
		return nil
	}
	arr, ok := n.v.([]*node)
	if !ok {
		d.errorf(n, "intervention must be a list of interventions: write each as [[intervention]]")
		return nil
	}
	var out []topology.Intervention
	lines := map[string]int{} // name -> line of the intervention that has it
	for i, in := range arr {
		o := d.object(in, fmt.Sprintf("intervention[%d]", i), interventionKeys...)
		if o == nil {
			continue
		}
		iv, ok := d.intervention(o, r, sc)
		if !ok {
			continue
		}
		if line, dup := lines[iv.Name]; dup {
			d.keyErrorf(in, "intervention[%d]: the name %q is already used by the intervention at line %d; results name each, so give each its own name", i, iv.Name, line)
			continue
		}
		lines[iv.Name] = in.key.Line
		out = append(out, iv)
	}
	// Alert-triggered ones last, in file order: they have no time of their own.
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return a.OnAlert == "" && (b.OnAlert != "" || a.At < b.At)
	})
	return out
}

func (d *decoder) intervention(o *object, r *resolver, sc *topology.Scenario) (topology.Intervention, bool) {
	iv := topology.Intervention{Pos: topology.Pos{File: d.file, Line: o.n.key.Line, Col: o.n.key.Col}}
	kinds := topology.InterventionNames[:]
	k := o.enum("kind", -1, kinds)
	if !o.has("kind") {
		o.missing("kind", "one of "+quoteList(kinds))
	}
	iv.Targets = r.resolveTarget(o, "target")
	d.trigger(o, &iv, sc)
	if k < 0 || iv.Targets == nil {
		return iv, false
	}
	iv.Kind = topology.InterventionKind(k)
	target := o.str("target", "")
	iv.Name = o.str("name", kinds[k]+" "+target)

	params := interventionParams[iv.Kind]
	for _, p := range []string{"workers", "instances", "downtime", "fraction", "timeout"} {
		if n := o.get(p); n != nil && !contains(params, p) {
			hint := "it takes no parameter"
			if len(params) > 0 {
				hint = "it takes " + quoteList(params)
			}
			o.errorf(n, "%s does not apply to a %s intervention (%s)", p, kinds[k], hint)
		}
	}
	if n := o.get("for"); n != nil && iv.Kind == topology.Restart {
		o.errorf(n, "a restart is not undone; give downtime for how long it is down")
	}
	iv.For = o.positive("for", 0)

	ok := true
	targetKinds := func(want string, kinds ...topology.Kind) {
		for _, t := range iv.Targets {
			c := sc.Components[t]
			if !contains(kinds, c.Kind) {
				o.errorf(o.get("target"), "a %s intervention cannot act on %s %q; it acts on %s", iv.Kind, c.Kind, c.Group, want)
				ok = false
				return
			}
		}
	}
	switch iv.Kind {
	case topology.Scale:
		switch {
		case o.has("workers") && o.has("instances"):
			o.errorf(o.get("instances"), "give workers or instances, not both")
			ok = false
		case o.has("instances"):
			g := r.groups[target]
			if g == nil || sc.Components[g[0]].Kind != topology.KindService {
				o.errorf(o.get("target"), "instances scales a service with instances; %q has none (give it instances and max_instances)", target)
				return iv, false
			}
			if a := sc.Components[g[0]].Server.Autoscale; a != nil && a.Workers {
				o.errorf(o.get("instances"), "service %q autoscales its workers, not its instances; scale workers instead", target)
				return iv, false
			}
			iv.Service = target
			if v, isInt := o.get("instances").v.(int64); isInt && v > int64(len(g)) {
				o.errorf(o.get("instances"), "instances %d: service %q has %d at most; raise its max_instances", v, target, len(g))
				return iv, false
			}
			iv.Instances = o.integer("instances", 1, 1, len(g))
		case o.has("workers"):
			targetKinds("services and databases", topology.KindService, topology.KindDatabase)
			iv.Workers = o.integer("workers", 1, 1, 1_000_000)
		default:
			o.missing("workers", "the new number of workers of each instance, or instances for the number of instances")
			ok = false
		}
	case topology.Restart:
		targetKinds("load balancers, services and databases", topology.KindLoadBalancer, topology.KindService, topology.KindDatabase)
		iv.Downtime = o.duration("downtime", 0, false)
	case topology.ShedLoad:
		targetKinds("clients and load balancers (the edge)", topology.KindClient, topology.KindLoadBalancer)
		if !o.has("fraction") {
			o.missing("fraction", "the fraction of new requests refused, e.g. 0.5")
		}
		iv.Fraction = o.number("fraction", 0, 0, 1)
	case topology.RetriesOff:
		targetKinds("clients and load balancers", topology.KindClient, topology.KindLoadBalancer)
		if ok {
			for _, t := range iv.Targets {
				if p := callPolicyOf(sc.Components[t]); p.Retry.MaxAttempts <= 1 {
					o.errorf(o.get("target"), "%q makes no retries to switch off", sc.Components[t].Name)
					ok = false
				}
			}
		}
	case topology.SetTimeout:
		targetKinds("clients and load balancers (its per-try timeout)", topology.KindClient, topology.KindLoadBalancer)
		if !o.has("timeout") {
			o.missing("timeout", `the new timeout, e.g. "500ms", or "none"`)
		}
		iv.Timeout = d.limit(o, "timeout")
	}
	return iv, ok
}

// trigger reads when the intervention acts: at a fixed time, or a reaction
// delay after each firing of an alert.
func (d *decoder) trigger(o *object, iv *topology.Intervention, sc *topology.Scenario) {
	switch at, on := o.get("at"), o.get("on_alert"); {
	case at != nil && on != nil:
		o.errorf(on, "give at or on_alert, not both: an intervention acts at a fixed time or when an alert fires")
	case at == nil && on == nil:
		o.missing("at", "when the operator acts, or on_alert = \"NAME\" to act when that alert fires")
	case at != nil:
		iv.At = o.duration("at", 0, false)
		if iv.At >= sc.Duration {
			o.errorf(at, "the intervention is at %s, after the run ends at %s", iv.At, sc.Duration)
		}
		if n := o.get("reaction_delay"); n != nil {
			o.errorf(n, "reaction_delay applies to an intervention with on_alert; with at, the time is already when the operator acts")
		}
	default:
		iv.ReactionDelay = o.duration("reaction_delay", 0, false)
		iv.OnAlert = o.str("on_alert", "")
		if _, isStr := on.v.(string); !isStr {
			return // str said what is wrong
		}
		names := make([]string, len(sc.Alerts))
		for i, a := range sc.Alerts {
			names[i] = a.Name
		}
		if !contains(names, iv.OnAlert) {
			if len(names) == 0 {
				o.errorf(on, "no [[alert]] named %q: the scenario has no alerts", iv.OnAlert)
			} else {
				o.errorf(on, "no [[alert]] named %q%s", iv.OnAlert, human.DidYouMean(iv.OnAlert, names))
			}
		}
	}
}

func callPolicyOf(c topology.Component) topology.CallPolicy {
	if c.Client != nil {
		return c.Client.Call
	}
	return c.Balancer.Call
}

func contains[T comparable](xs []T, x T) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
