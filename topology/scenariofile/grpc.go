package scenariofile

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
)

// The scenario keys that take a call policy from a gRPC service config.
var grpcKeys = []string{"grpc_service_config", "grpc_method", "grpc_ignore"}

// grpcCodes are gRPC's status codes, indexed by their numbers.
var grpcCodes = []string{"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
	"ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
	"UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"}

// grpcOutcome is the outcome of the model that each status code stands
// for. A caller's own timer is DEADLINE_EXCEEDED; a refusal (a full queue,
// a crashed callee, a concurrency limit) is UNAVAILABLE, as a gRPC server or
// proxy that sheds load or cannot be reached answers; an error answer is
// UNKNOWN, what gRPC servers answer when a handler fails. The model
// produces no other code.
var grpcOutcome = map[string]topology.Outcomes{"DEADLINE_EXCEEDED": topology.OnTimeout, "UNAVAILABLE": topology.OnRejected, "UNKNOWN": topology.OnError}

// grpcMaxAttempts is gRPC's limit: larger maxAttempts are treated as 5.
const grpcMaxAttempts = 5

// grpcPolicy fills p from the methodConfig of the gRPC service config
// that applies to grpc_method, and its retryThrottling.
func (d *decoder) grpcPolicy(o *object, p *topology.CallPolicy) {
	for _, k := range []string{"timeout", "deadline", "retry", "hedge"} {
		if n := o.get(k); n != nil {
			o.errorf(n, "%s: the call policy comes from grpc_service_config; give %s in one place only", k, k)
		}
	}
	method := o.str("grpc_method", "")
	svc, name, ok := strings.Cut(strings.TrimPrefix(method, "/"), "/")
	switch {
	case !o.has("grpc_method"):
		o.missing("grpc_method", `the method it calls, as "package.Service/Method"`)
		return
	case !ok || svc == "" || name == "" || strings.Contains(name, "/"):
		o.errorf(o.get("grpc_method"), "grpc_method must be \"package.Service/Method\", got %q", method)
		return
	}
	x := d.importer(o, "gRPC", "grpc_ignore")
	f, fd := d.load(o, "grpc_service_config", "json")
	if f == nil {
		return
	}
	x.fd = fd
	sc := x.serviceConfig(f.root, svc, name)
	x.unused(f.name)
	d.adopt(fd.errs, o.get("grpc_service_config"))
	if sc == nil {
		return
	}
	p.Deadline, p.DeadlinePos = sc.timeout, sc.timeoutPos
	p.Retry = topology.Retry{MaxAttempts: 1}
	if sc.retry != nil {
		p.Retry = *sc.retry
	}
	p.Retry.Budget = sc.throttling
	p.Hedge = sc.hedge
}

// grpcMethod is what one methodConfig says.
type grpcMethod struct {
	timeout    time.Duration
	timeoutPos topology.Pos
	retry      *topology.Retry
	hedge      *topology.Hedge
	throttling *topology.Budget
}

func (x *importer) serviceConfig(root *node, svc, method string) *grpcMethod {
	o := x.object(root, "service config", []string{"methodConfig", "retryThrottling"}, nil,
		[]string{"loadBalancingPolicy", "loadBalancingConfig", "healthCheckConfig"})
	if o == nil {
		return nil
	}
	var throttling *topology.Budget
	if n := o.get("retryThrottling"); n != nil {
		throttling = x.throttling(n)
	}
	// gRPC's precedence: the exact method, then the service, then the
	// default (an empty name). The same name twice makes the config invalid.
	names := map[string]*node{}
	var configs []*grpcMethod
	best, bestRank := -1, 0
	var listed []string
	if n := o.get("methodConfig"); n != nil {
		for i, mn := range x.list(n, "methodConfig") {
			mc := x.methodConfig(mn, fmt.Sprintf("methodConfig[%d]", i))
			if mc == nil {
				continue
			}
			configs = append(configs, mc.grpcMethod)
			for _, nm := range mc.names {
				key := nm.service + "/" + nm.method
				if prev := names[key]; prev != nil {
					x.fd.errorf(nm.n, "methodConfig[%d]: the name %s is already given at line %d; gRPC rejects the config", i, nm, prev.val.Line)
					continue
				}
				names[key] = nm.n
				listed = append(listed, nm.String())
				rank := 0
				switch {
				case nm.service == svc && nm.method == method:
					rank = 3
				case nm.service == svc && nm.method == "":
					rank = 2
				case nm.service == "":
					rank = 1
				}
				if rank > bestRank {
					best, bestRank = len(configs)-1, rank
				}
			}
		}
	}
	if len(x.fd.errs) > 0 {
		return nil
	}
	if best < 0 {
		x.o.errorf(x.o.get("grpc_method"), "no methodConfig of %s applies to %s/%s (it names %s); gRPC would call it without a timeout or retries%s",
			x.fd.file, svc, method, strings.Join(listed, ", "), human.DidYouMean(svc+"/"+method, listed))
		return nil
	}
	mc := configs[best]
	switch {
	case throttling != nil && mc.hedge != nil && !x.ignored("retryThrottling"):
		x.fd.keyErrorf(o.get("retryThrottling"), "retryThrottling of hedged calls is not simulated (failsim throttles retries, not hedges); list \"retryThrottling\" in %s to simulate the hedges without it", x.ignoreKey)
	case throttling != nil && mc.retry != nil:
		mc.throttling = throttling
	}
	return mc
}

type grpcName struct {
	service, method string
	n               *node
}

func (nm grpcName) String() string {
	if nm.service == "" {
		return "the default (an empty name)"
	}
	if nm.method == "" {
		return fmt.Sprintf("%q (every method)", nm.service+"/")
	}
	return fmt.Sprintf("%q", nm.service+"/"+nm.method)
}

type grpcMethodConfig struct {
	*grpcMethod
	names []grpcName
}

func (x *importer) methodConfig(n *node, what string) *grpcMethodConfig {
	o := x.object(n, what, []string{"name", "timeout", "retryPolicy", "hedgingPolicy"}, nil,
		[]string{"waitForReady", "maxRequestMessageBytes", "maxResponseMessageBytes"})
	if o == nil {
		return nil
	}
	mc := &grpcMethodConfig{grpcMethod: &grpcMethod{}}
	if !o.has("name") {
		x.missing(o, "name", `the methods it applies to, e.g. [{"service": "orders.Orders"}]; without one it applies to none`)
	} else {
		for i, nn := range x.list(o.get("name"), what+" name") {
			no := x.object(nn, fmt.Sprintf("%s name[%d]", what, i), []string{"service", "method"}, nil, nil)
			if no == nil {
				continue
			}
			nm := grpcName{service: no.str("service", ""), method: no.str("method", ""), n: nn}
			if nm.service == "" && nm.method != "" {
				no.errorf(no.get("method"), "a method needs its service; gRPC rejects the config")
				continue
			}
			mc.names = append(mc.names, nm)
		}
	}
	if v, ok := x.duration(o, "timeout", 0); ok {
		mc.timeout, mc.timeoutPos = v, o.keyPos("timeout")
		if v == 0 {
			o.errorf(o.get("timeout"), "timeout 0s makes every call fail at once; leave it out for no deadline")
		}
	}
	if o.has("retryPolicy") && o.has("hedgingPolicy") {
		x.fd.keyErrorf(o.get("hedgingPolicy"), "%s: give retryPolicy or hedgingPolicy, not both; gRPC rejects a methodConfig with both", what)
		return mc
	}
	if n := o.get("retryPolicy"); n != nil {
		mc.retry = x.retryPolicy(n, what+" retryPolicy")
	}
	if n := o.get("hedgingPolicy"); n != nil {
		mc.hedge = x.hedgingPolicy(n, what+" hedgingPolicy")
	}
	return mc
}

// retryPolicy reads gRPC's retryPolicy: every field is required.
// gRPC's wait before retry n is U(0, min(initialBackoff *
// backoffMultiplier^(n-1), maxBackoff)): exponential backoff with full
// jitter, the cap applied before jitter, which is the model's exactly.
func (x *importer) retryPolicy(n *node, what string) *topology.Retry {
	o := x.object(n, what, []string{"maxAttempts", "initialBackoff", "maxBackoff", "backoffMultiplier", "retryableStatusCodes"}, nil,
		[]string{"perAttemptRecvTimeout"})
	if o == nil {
		return nil
	}
	r := &topology.Retry{
		MaxAttempts: x.attempts(o),
		Backoff:     topology.Backoff{Kind: topology.BackoffExponential, Jitter: topology.JitterFull},
		Pos:         x.fd.pos(n),
	}
	for _, k := range []string{"initialBackoff", "maxBackoff"} {
		v, ok := x.duration(o, k, 0)
		switch {
		case !o.has(k):
			x.missing(o, k, `a duration such as "0.1s"; gRPC requires it`)
		case ok && v == 0:
			o.errorf(o.get(k), "%s must be more than zero", k)
		}
		if k == "initialBackoff" {
			r.Backoff.Base = v
		} else {
			r.Backoff.Cap = v
		}
	}
	if !o.has("backoffMultiplier") {
		x.missing(o, "backoffMultiplier", "a number more than zero, e.g. 2; gRPC requires it")
	}
	r.Backoff.Multiplier = o.number("backoffMultiplier", 0, 0, 1e6)
	if n := o.get("backoffMultiplier"); n != nil && r.Backoff.Multiplier == 0 {
		o.errorf(n, "backoffMultiplier must be more than zero")
	}
	if !o.has("retryableStatusCodes") {
		x.missing(o, "retryableStatusCodes", `the status codes to retry, e.g. ["UNAVAILABLE"]; gRPC requires them`)
	} else {
		r.On = x.codes(o, "retryableStatusCodes", true)
	}
	return r
}

// hedgingPolicy reads gRPC's hedgingPolicy: maxAttempts is required,
// hedgingDelay defaults to 0s (all copies at once), nonFatalStatusCodes to
// none (any failure ends the call).
func (x *importer) hedgingPolicy(n *node, what string) *topology.Hedge {
	o := x.object(n, what, []string{"maxAttempts", "hedgingDelay", "nonFatalStatusCodes"}, nil, nil)
	if o == nil {
		return nil
	}
	h := &topology.Hedge{MaxAttempts: x.attempts(o)}
	h.HedgingDelay, _ = x.duration(o, "hedgingDelay", 0)
	if o.has("nonFatalStatusCodes") {
		h.NonFatal = x.codes(o, "nonFatalStatusCodes", false)
	}
	return h
}

// attempts reads maxAttempts: required, at least 2, more than 5 taken as 5
// as gRPC does.
func (x *importer) attempts(o *object) int {
	if !o.has("maxAttempts") {
		x.missing(o, "maxAttempts", "attempts including the first, 2 or more; gRPC requires it")
		return 1
	}
	return min(o.integer("maxAttempts", 1, 2, math.MaxInt32), grpcMaxAttempts)
}

// codes reads a list of status codes, by name or number, as outcomes of
// the model. A code the model never produces is reported unless the
// scenario's grpc_ignore names it.
func (x *importer) codes(o *object, key string, required bool) topology.Outcomes {
	var out topology.Outcomes
	arr := x.list(o.get(key), key)
	if required && len(arr) == 0 && arr != nil {
		o.errorf(o.get(key), "%s must not be empty; gRPC requires at least one code", key)
	}
	for _, e := range arr {
		var name string
		switch v := e.v.(type) {
		case string:
			name = v
		case int64:
			if v >= 0 && int(v) < len(grpcCodes) {
				name = grpcCodes[v]
			}
		}
		i := slices.Index(grpcCodes, name)
		switch {
		case i < 0:
			o.errorf(e, "%s: %s is not a gRPC status code%s", key, describe(e.v), human.DidYouMean(fmt.Sprint(e.v), grpcCodes))
		case name == "OK":
			o.errorf(e, "%s: OK is a success, not a failure to retry", key)
		case grpcOutcome[name] != 0:
			out |= grpcOutcome[name]
		case !x.ignored(name):
			o.errorf(e, "%s: failsim's callees never answer %s (they time out: DEADLINE_EXCEEDED, refuse: UNAVAILABLE, or fail: UNKNOWN); remove it, or add %q to grpc_ignore in the scenario",
				key, name, name)
		}
	}
	return out
}

// throttling reads retryThrottling into a gRPC retry budget. gRPC keeps
// three decimal places of both numbers (it counts milli-tokens).
func (x *importer) throttling(n *node) *topology.Budget {
	o := x.object(n, "retryThrottling", []string{"maxTokens", "tokenRatio"}, nil, nil)
	if o == nil {
		return nil
	}
	milli := func(key, hint string, hi float64) float64 {
		if !o.has(key) {
			x.missing(o, key, hint)
		}
		v := o.number(key, 0, 0, hi)
		if n := o.get(key); n != nil && v == 0 {
			o.errorf(n, "%s must be more than zero", key)
		}
		return math.Floor(v*1000) / 1000
	}
	return &topology.Budget{
		Kind:       topology.BudgetGRPC,
		MaxTokens:  milli("maxTokens", "in (0, 1000]; gRPC requires it", 1000),
		TokenRatio: milli("tokenRatio", "tokens a success adds, e.g. 0.1; gRPC requires it", math.Inf(1)),
		Pos:        x.fd.pos(n),
	}
}
