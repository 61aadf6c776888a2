package scenariofile

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"time"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
)

var topKeys = []string{"name", "description", "duration", "seed", "metrics", "client", "load_balancer", "service", "database", "queue", "fault", "slo", "alert", "intervention",
	"network", "link"}

// maxBuckets bounds what a run keeps per bucket: one value per metric over
// the run, and the ring of counts over an SLO's longest alert window.
const maxBuckets = topology.MaxBuckets

// scenario decodes and validates a whole scenario tree (variants applied).
func (d *decoder) scenario(root *node, defaultName string) *topology.Scenario {
	o := d.object(root, "the scenario", topKeys...)
	if o == nil {
		return nil
	}
	sc := &topology.Scenario{
		Name:        d.scenarioName(o, defaultName),
		Description: o.str("description", ""),
		Duration:    o.positive("duration", 2*time.Minute),
		Seed:        uint64(o.integer("seed", 1, 0, math.MaxInt64)),
	}
	sc.Metrics = d.metrics(o, sc.Duration)
	defs := d.componentDefs(o)
	r := newResolver(d, defs)
	for _, def := range defs {
		for i, name := range def.names {
			c := topology.Component{Name: name, Kind: def.kind, Group: def.name, Pos: topology.Pos{File: d.file, Line: def.n.key.Line, Col: def.n.key.Col}}
			c.Standby = i >= def.ready
			c.Client, c.Balancer, c.Server, c.Durable = def.client, def.balancer, def.server, def.durable
			sc.Components = append(sc.Components, c)
		}
	}
	for _, def := range defs {
		d.decodeComponent(def, r)
	}
	d.classes(defs, r, sc)
	d.checkCycles(sc.Components, r)
	d.network(o, r, sc)
	d.conditionalWrites(sc)
	sc.Faults = d.faults(o.get("fault"), r, sc)
	sc.SLOs = d.slos(o.get("slo"), r, sc)
	sc.Alerts = d.alerts(o.get("alert"), r, sc)
	sc.Interventions = d.interventions(o.get("intervention"), r, sc)
	d.checkNotEmpty(sc)
	return sc
}

func (d *decoder) metrics(o *object, duration time.Duration) topology.Metrics {
	m := topology.Metrics{Bucket: time.Second, RecoveryWindow: 10 * time.Second, RecoveryTolerance: 0.1, PerInstanceUpTo: topology.DefaultPerInstanceUpTo}
	if n := o.get("metrics"); n != nil {
		if mo := d.object(n, "metrics", "bucket", "warmup", "recovery_window", "recovery_tolerance", "per_instance_up_to"); mo != nil {
			m.Bucket = mo.positive("bucket", m.Bucket)
			m.Warmup = mo.duration("warmup", 0, false)
			if w := mo.get("warmup"); w != nil && m.Bucket > 0 {
				switch {
				case m.Warmup%m.Bucket != 0:
					mo.errorf(w, "warmup %s is not a whole number of %s buckets: statistics start at a bucket's start", m.Warmup, m.Bucket)
				case m.Warmup >= duration && duration > 0:
					mo.errorf(w, "warmup %s leaves nothing of the run (duration %s) to measure", m.Warmup, duration)
				}
			}
			m.RecoveryWindow = mo.positive("recovery_window", m.RecoveryWindow)
			m.RecoveryTolerance = mo.number("recovery_tolerance", m.RecoveryTolerance, 0, 1)
			m.PerInstanceUpTo = mo.integer("per_instance_up_to", m.PerInstanceUpTo, 1, 1_000_000)
		}
	}
	d.checkBuckets(o, duration, m.Bucket)
	return m
}

// def is one component definition: several components when a service has
// instances.
type def struct {
	name  string
	kind  topology.Kind
	n     *node
	names []string
	ready int // instances that serve at the start; the other names are standby replicas

	client   *topology.Client
	balancer *topology.Balancer
	server   *topology.Server
	durable  *topology.DurableQueue
}

// kindKey is a top-level table of components and the kind they are.
type kindKey struct {
	key  string
	kind topology.Kind
}

var kindKeys = []kindKey{{"client", topology.KindClient}, {"load_balancer", topology.KindLoadBalancer}, {"service", topology.KindService}, {"database", topology.KindDatabase}, {"queue", topology.KindQueue}}

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// componentDefs lists the component definitions, clients first, then load
// balancers, services and databases, each in file order.
func (d *decoder) componentDefs(o *object) []*def {
	var defs []*def
	seen := map[string]*def{}
	for _, kk := range kindKeys {
		n := o.get(kk.key)
		if n == nil {
			continue
		}
		t, ok := n.v.(*table)
		if !ok {
			d.errorf(n, "%s must hold named tables, e.g. [%s.NAME]", kk.key, kk.key)
			continue
		}
		for _, name := range t.keys {
			cn := t.m[name]
			if !validName.MatchString(name) {
				d.keyErrorf(cn, "%s name %q: %s", kk.key, name, nameRule)
				continue
			}
			if prev := seen[name]; prev != nil {
				d.keyErrorf(cn, "%s %q: the name is already used by %s at line %d", kk.kind, name, prev.kind, prev.n.key.Line)
				continue
			}
			df := &def{name: name, kind: kk.kind, n: cn, names: []string{name}, ready: 1}
			switch kk.kind {
			case topology.KindClient:
				df.client = &topology.Client{Target: -1} // none until decoded: a client that is not a table calls nothing
			case topology.KindLoadBalancer:
				df.balancer = &topology.Balancer{}
			case topology.KindQueue:
				df.durable = &topology.DurableQueue{}
			default:
				df.server = &topology.Server{}
				df.names, df.ready = instanceNames(d, cn, kk.kind, name) // databases have no max_instances: an unknown key
			}
			seen[name] = df
			defs = append(defs, df)
		}
	}
	// Instance names must not collide with other components.
	for _, df := range defs {
		if len(df.names) == 1 {
			continue
		}
		for _, inst := range df.names {
			if other := seen[inst]; other != nil {
				d.keyErrorf(other.n, "%s %q: the name is taken by an instance of service %q (instances = %d)", other.kind, inst, df.name, len(df.names))
			}
		}
	}
	return defs
}

// instanceNames reads a service's instances: "api" alone, or "api-1" to
// "api-N", N being max_instances when the service may scale beyond its
// instances. It returns the names and how many serve at the start.
func instanceNames(d *decoder, n *node, kind topology.Kind, name string) ([]string, int) {
	t, ok := n.v.(*table)
	if !ok || (t.m["instances"] == nil && t.m["max_instances"] == nil) {
		return []string{name}, 1
	}
	v := int64(1)
	if in := t.m["instances"]; in != nil {
		var ok bool
		if v, ok = in.v.(int64); !ok || v < 1 || v > 10000 {
			d.errorf(in, "%s %q: instances must be a whole number between 1 and 10000, got %s", kind, name, describe(in.v))
			return []string{name}, 1
		}
	}
	serving := int(v)
	if mn := t.m["max_instances"]; mn != nil && kind == topology.KindService {
		if m, ok := mn.v.(int64); !ok || m < v || m > 10000 {
			d.errorf(mn, "service %q: max_instances must be a whole number between instances (%d) and 10000, got %s", name, v, describe(mn.v))
		} else {
			v = m
		}
	}
	if v == 1 {
		return []string{name}, 1
	}
	names := make([]string, v)
	for i := range names {
		names[i] = fmt.Sprintf("%s-%d", name, i+1)
	}
	return names, serving
}

func (d *decoder) decodeComponent(df *def, r *resolver) {
	what := fmt.Sprintf("%s %q", df.kind, df.name)
	r.caller = df.name
	switch df.kind {
	case topology.KindClient:
		o := d.object(df.n, what, append([]string{"target", "rate", "schedule", "users", "think", "requests", "operation"}, callKeys...)...)
		if o != nil {
			d.client(o, df.client, r)
		}
	case topology.KindLoadBalancer:
		o := d.object(df.n, what, append([]string{"targets", "policy", "timeout", "retry_policy", "cancel", "propagate_deadline",
			"deadline_overhead", "circuit_breakers", "outlier_detection"}, envoyKeys...)...)
		if o != nil {
			d.balancer(o, df.balancer, r)
			d.envoyImports(o, df.balancer, df.name)
		}
	case topology.KindService:
		o := d.object(df.n, what, "instances", "workers", "queue", "service_time", "error_rate", "slowdown", "call",
			"abort_on_cancel", "deadline_overhead", "concurrency_limit", "idempotency_keys", "on_partial_failure", "repair_backoff", "cache",
			"max_instances", "autoscale", "class_bulkheads")
		if o != nil {
			d.server(o, df.server, r, "workers", "service_time")
			d.serverState(o, df.server)
			d.cacheOf(o, df.server)
			if n := o.get("autoscale"); n != nil {
				df.server.Autoscale = d.autoscale(n, what+" autoscale", df.ready, len(df.names), df.server.Workers)
			}
		}
	case topology.KindDatabase:
		o := d.object(df.n, what, "connections", "queue", "query_time", "error_rate", "timeout", "slowdown",
			"abort_on_cancel", "concurrency_limit", "idempotency_keys", "class_bulkheads", "instances", "records")
		if o != nil {
			d.server(o, df.server, r, "connections", "query_time")
			d.serverState(o, df.server)
			d.records(o, df.server)
		}
	case topology.KindQueue:
		if o := d.object(df.n, what, durableKeys...); o != nil {
			d.durableQueue(o, df.durable, r)
		}
	}
}

func (d *decoder) client(o *object, c *topology.Client, r *resolver) {
	c.Target = r.single(o, "target")
	switch {
	case o.has("rate") && o.has("users"):
		o.errorf(o.get("users"), "give either rate (open loop: requests per second) or users (closed loop), not both")
	case o.has("users"):
		c.Users = o.integer("users", 1, 1, 1_000_000)
		c.Think = d.dist(o, "think", topology.Dist{Kind: topology.DistConstant})
		if n := o.get("schedule"); n != nil {
			o.errorf(n, "schedule applies to open-loop clients (rate); this one is closed loop (users)")
		}
	case o.has("rate"):
		c.Rate = d.schedule(o)
	default:
		o.missing("rate", "requests per second for an open-loop client, or users for a closed-loop one")
	}
	if n := o.get("think"); n != nil && c.Users == 0 {
		o.errorf(n, "think applies to closed-loop clients (users)")
	}
	c.Requests = o.integer("requests", 0, 1, 1_000_000_000)
	if n := o.get("requests"); n != nil && c.Users == 0 {
		o.errorf(n, "requests applies to closed-loop clients (users): each user makes that many requests, then stops")
	}
	c.Call = d.callPolicy(o)
}

// schedule reads an open-loop client's rate and its changes over time.
func (d *decoder) schedule(o *object) []topology.RatePoint {
	cur := o.number("rate", 0, 0, 1e9)
	points := []topology.RatePoint{{At: 0, RPS: cur}}
	n := o.get("schedule")
	if n == nil {
		return points
	}
	arr, ok := n.v.([]*node)
	if !ok {
		o.errorf(n, "schedule must be a list of changes, e.g. [{ at = \"1m\", rate = 200 }], got %s", describe(n.v))
		return points
	}
	var busyUntil time.Duration
	for i, en := range arr {
		eo := d.object(en, fmt.Sprintf("%s schedule[%d]", o.what, i), "at", "rate", "ramp", "for")
		if eo == nil {
			continue
		}
		if !eo.has("at") {
			eo.missing("at", "when the rate changes")
		}
		if !eo.has("rate") {
			eo.missing("rate", "the new rate in requests per second")
		}
		at := eo.duration("at", 0, false)
		rate := eo.number("rate", 0, 0, 1e9)
		ramp := eo.positive("ramp", 0)
		span := eo.positive("for", 0)
		if ramp > 0 && span > 0 {
			eo.errorf(eo.get("for"), "give ramp (change gradually) or for (a temporary spike), not both")
			continue
		}
		if at < busyUntil {
			eo.errorf(eo.get("at"), "at %s is before the previous change is over (%s); list changes in time order without overlap", at, busyUntil)
			continue
		}
		switch {
		case ramp > 0:
			points = append(points, topology.RatePoint{At: at, RPS: cur}, topology.RatePoint{At: at + ramp, RPS: rate})
			cur, busyUntil = rate, at+ramp
		case span > 0:
			points = append(points, topology.RatePoint{At: at, RPS: cur}, topology.RatePoint{At: at, RPS: rate}, topology.RatePoint{At: at + span, RPS: rate}, topology.RatePoint{At: at + span, RPS: cur})
			busyUntil = at + span
		default:
			points = append(points, topology.RatePoint{At: at, RPS: cur}, topology.RatePoint{At: at, RPS: rate})
			cur, busyUntil = rate, at
		}
	}
	return points
}

var outcomeNames = []string{"timeout", "error", "rejected"}

// callKeys are the keys of a call policy, shared by clients and downstream
// calls.
var callKeys = []string{"timeout", "deadline", "retry", "cancel", "propagate_deadline", "breaker", "throttle",
	"grpc_service_config", "grpc_method", "grpc_ignore", "write", "fallback", "hedge"}

func (d *decoder) callPolicy(o *object) topology.CallPolicy {
	p := topology.CallPolicy{
		Timeout:           d.limit(o, "timeout"),
		Deadline:          d.limit(o, "deadline"),
		Retry:             topology.Retry{MaxAttempts: 1},
		Cancel:            o.boolean("cancel", false),
		PropagateDeadline: o.boolean("propagate_deadline", false),
		Pos:               d.pos(o.n),
		TimeoutPos:        o.keyPos("timeout"),
		DeadlinePos:       o.keyPos("deadline"),
	}
	if n := o.get("retry"); n != nil {
		p.Retry = d.retry(n, o.what+" retry")
	}
	if n := o.get("breaker"); n != nil {
		p.Breaker = d.breaker(n, o.what+" breaker")
	}
	if n := o.get("throttle"); n != nil {
		p.Throttle = d.throttle(n, o.what+" throttle")
	}
	d.imports(o, "grpc_service_config", grpcKeys[1:], func() { d.grpcPolicy(o, &p) })
	d.stateKeys(o, &p)
	if p.Retry.MaxAttempts == topology.Unlimited && p.Deadline == 0 {
		at := o.get("retry")
		if t, ok := at.v.(*table); ok && t.m["max_attempts"] != nil {
			at = t.m["max_attempts"]
		}
		o.errorf(at, `max_attempts = "none" leaves only a deadline to bound the attempts, and this call has none: set deadline, or give max_attempts a number`)
	}
	return p
}

// limit reads a timeout: a positive duration, or "none" (the default).
func (d *decoder) limit(o *object, key string) time.Duration {
	v, ok := o.durationOK(key, true)
	if n := o.get(key); ok && v == 0 && n.v != "none" {
		o.errorf(n, "%s must be more than zero; write \"none\" for no limit", key)
	}
	return v
}

func (d *decoder) retry(n *node, what string) topology.Retry {
	o := d.object(n, what, "max_attempts", "retry_on", "backoff", "base", "cap", "multiplier", "jitter", "budget")
	if o == nil {
		return topology.Retry{MaxAttempts: 1}
	}
	r := topology.Retry{
		MaxAttempts: d.maxAttempts(o),
		On:          d.outcomes(o, "retry_on"),
		Pos:         d.pos(n),
	}
	if bn := o.get("budget"); bn != nil {
		r.Budget = d.budget(bn, what+" budget")
	}
	b := &r.Backoff
	b.Kind = topology.BackoffKind(o.enum("backoff", int(topology.BackoffExponential), topology.BackoffNames))
	switch b.Kind {
	case topology.BackoffNone:
		for _, k := range []string{"base", "cap", "multiplier", "jitter"} {
			if n := o.get(k); n != nil {
				o.errorf(n, "%s does not apply when backoff = \"none\"", k)
			}
		}
	case topology.BackoffConstant:
		b.Base = o.positive("base", 100*time.Millisecond)
		for _, k := range []string{"cap", "multiplier", "jitter"} {
			if n := o.get(k); n != nil {
				o.errorf(n, "%s applies to exponential backoff; backoff is \"constant\"", k)
			}
		}
	default:
		b.Base = o.positive("base", 100*time.Millisecond)
		b.Cap = o.positive("cap", 20*time.Second)
		b.Multiplier = o.number("multiplier", 2, 1, 100)
		b.Jitter = topology.Jitter(o.enum("jitter", int(topology.JitterFull), topology.JitterNames))
		if b.Cap < b.Base {
			o.errorf(o.get("cap"), "cap %s is less than base %s", b.Cap, b.Base)
		}
	}
	return r
}

// maxAttempts reads max_attempts: 1 to 100, or "none" for no limit but the
// call's deadline.
func (d *decoder) maxAttempts(o *object) int {
	if n := o.get("max_attempts"); n != nil {
		if s, ok := n.v.(string); ok {
			if s != "none" {
				o.errorf(n, `max_attempts must be a whole number between 1 and 100, or "none" (no limit but the deadline), got %q`, s)
				return 3
			}
			return topology.Unlimited
		}
	}
	return o.integer("max_attempts", 3, 1, 100)
}

// outcomes reads a list of outcomes to retry on; all of them by default.
func (d *decoder) outcomes(o *object, key string) topology.Outcomes {
	n := o.get(key)
	if n == nil {
		return topology.OnTimeout | topology.OnError | topology.OnRejected
	}
	var out topology.Outcomes
	arr, ok := n.v.([]*node)
	if !ok {
		o.errorf(n, "%s must be a list drawn from %s", key, quoteList(outcomeNames))
		return out
	}
	for _, e := range arr {
		s, _ := e.v.(string)
		i := slices.Index(outcomeNames, s)
		if i < 0 {
			o.errorf(e, "%s: %s is not an outcome; use %s%s", key, describe(e.v), quoteList(outcomeNames), human.DidYouMean(s, outcomeNames))
			continue
		}
		out |= 1 << i
	}
	return out
}

func (d *decoder) balancer(o *object, b *topology.Balancer, r *resolver) {
	b.Targets = r.targets(o, "targets")
	b.Policy = topology.Policy(o.enum("policy", int(topology.RoundRobin), topology.PolicyNames))
	// Envoy: the route timeout (15s unless set) covers all tries; without a
	// retry_policy there are no retries.
	b.Call = topology.CallPolicy{
		Deadline:          15 * time.Second,
		Retry:             topology.Retry{MaxAttempts: 1},
		Cancel:            o.boolean("cancel", false),
		PropagateDeadline: o.boolean("propagate_deadline", false),
		Pos:               d.pos(o.n),
		DeadlinePos:       o.keyPos("timeout"),
	}
	if o.has("timeout") {
		b.Call.Deadline = d.limit(o, "timeout")
	}
	b.DeadlineOverhead = o.duration("deadline_overhead", 0, false)
	if n := o.get("retry_policy"); n != nil {
		d.retryPolicy(n, o.what+" retry_policy", &b.Call)
	}
	if n := o.get("circuit_breakers"); n != nil {
		b.Thresholds, b.Call.Retry.Budget = d.thresholds(n, o.what+" circuit_breakers")
	}
	if n := o.get("outlier_detection"); n != nil {
		b.Outlier = d.outlier(n, o.what+" outlier_detection")
	}
}

// retryPolicy reads Envoy's route retry_policy into a call policy.
func (d *decoder) retryPolicy(n *node, what string, p *topology.CallPolicy) {
	ro := d.object(n, what, "num_retries", "per_try_timeout", "retry_on", "retry_back_off")
	if ro == nil {
		return
	}
	p.Timeout = d.limit(ro, "per_try_timeout")
	p.TimeoutPos = ro.keyPos("per_try_timeout")
	p.Retry = topology.Retry{
		MaxAttempts: ro.integer("num_retries", 1, 0, 99) + 1,
		On:          d.outcomes(ro, "retry_on"),
		Backoff:     envoyBackOff(nil, 0, 0),
		Pos:         d.pos(n),
	}
	if bn := ro.get("retry_back_off"); bn != nil {
		if bo := d.object(bn, what+" retry_back_off", "base_interval", "max_interval"); bo != nil {
			p.Retry.Backoff = envoyBackOff(bo, bo.positive("base_interval", 0), bo.positive("max_interval", 0))
		}
	}
}

// server reads a service (workers, service_time) or a database (connections,
// query_time).
func (d *decoder) server(o *object, s *topology.Server, r *resolver, workersKey, workKey string) {
	s.Workers = o.integer(workersKey, 1, 1, 1_000_000)
	s.WorkersPos = o.keyPos(workersKey)
	if !o.has(workersKey) {
		o.missing(workersKey, "how many calls it serves at once")
	}
	if !o.has(workKey) {
		o.missing(workKey, `how long one call takes, e.g. "20ms" or { dist = "exponential", mean = "20ms" }`)
	}
	s.Work = d.dist(o, workKey, topology.Dist{Kind: topology.DistConstant})
	s.ErrorRate = o.number("error_rate", 0, 0, 1)
	s.Timeout = d.limit(o, "timeout")
	s.AbortOnCancel = o.boolean("abort_on_cancel", false)
	s.DeadlineOverhead = o.duration("deadline_overhead", 0, false)
	if n := o.get("concurrency_limit"); n != nil {
		s.Limit = d.concurrencyLimit(n, o.what+" concurrency_limit")
	}
	s.Queue = topology.Queue{Capacity: -1, LIFOAbove: s.Workers, Pos: o.keyPos("queue")}
	if n := o.get("queue"); n != nil {
		if qo := d.object(n, o.what+" queue", "capacity", "discipline", "lifo_above", "timeout", "by_criticality"); qo != nil {
			s.Queue.Capacity = qo.integer("capacity", -1, 0, math.MaxInt32)
			s.Queue.Discipline = topology.Discipline(qo.enum("discipline", int(topology.FIFO), topology.DisciplineNames))
			s.Queue.LIFOAbove = qo.integer("lifo_above", s.Workers, 0, math.MaxInt32)
			if n := qo.get("lifo_above"); n != nil && s.Queue.Discipline != topology.AdaptiveLIFO {
				qo.errorf(n, "lifo_above applies to discipline = \"adaptive_lifo\"")
			}
			s.Queue.Timeout = d.limit(qo, "timeout")
			s.Queue.ByCriticality = qo.boolean("by_criticality", false)
		}
	}
	if n := o.get("slowdown"); n != nil {
		if so := d.object(n, o.what+" slowdown", "linear", "sigma", "kappa"); so != nil {
			s.Slowdown = topology.Slowdown{
				PerCall: so.duration("linear", 0, false),
				Sigma:   so.number("sigma", 0, 0, 1),
				Kappa:   so.number("kappa", 0, 0, 1),
			}
		}
	}
	if n := o.get("call"); n != nil {
		arr, ok := n.v.([]*node)
		if !ok {
			o.errorf(n, "call must be a list of calls: write each as [[...call]] with to = \"NAME\"")
			return
		}
		names := map[string]*node{}
		for i, cn := range arr {
			s.Calls = d.callStep(cn, fmt.Sprintf("%s call[%d]", o.what, i), r, s.Calls, names)
		}
	}
}
