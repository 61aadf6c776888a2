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

// The scenario keys that take a load balancer's policy from Envoy files.
var envoyKeys = []string{"envoy_route", "envoy_cluster", "envoy_ignore"}

// Envoy's retry_on conditions and what the model makes of them. "5xx"
// retries every failure the model produces: a per-try timeout, an error
// answer (a 500, or a 504 from a balancer further down) and a refusal (a
// 503 from a full queue, a refused or reset connection from a crashed
// callee). The conditions in envoyPart retry only part of one of those
// outcomes; they add nothing next to "5xx", and alone they are reported.
// Those in envoyNever react to answers the model never gives.
var (
	envoyPart = map[string]string{
		"gateway-error":              "502, 503 and 504 answers, while the model's error answers stand for 500s as well as 504s",
		"reset":                      "resets and per-try timeouts, while the model's refusals stand for 503s from a full queue as well as resets",
		"connect-failure":            "refused connections, while the model's refusals stand for 503s from a full queue as well",
		"refused-stream":             "HTTP/2 REFUSED_STREAM, while the model's refusals stand for 503s from a full queue and refused connections",
		"reset-before-request":       "resets before the request is sent, which the model does not tell apart from other refusals",
		"http3-post-connect-failure": "HTTP/3 failures after connecting, which the model does not simulate",
	}
	envoyNever = []string{"retriable-4xx", "retriable-status-codes", "retriable-headers", "envoy-ratelimited",
		"cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable"}
)

// envoyLB maps Envoy's lb_policy onto the model's. Envoy's LEAST_REQUEST
// with equal weights picks the better of choice_count (2) random hosts:
// the model's power_of_two, not its least_request (a full scan).
var envoyLB = map[string]topology.Policy{"ROUND_ROBIN": topology.RoundRobin, "RANDOM": topology.Random, "LEAST_REQUEST": topology.PowerOfTwo}

// envoyImports reads the Envoy files a load balancer imports, if any.
func (d *decoder) envoyImports(o *object, b *topology.Balancer, name string) {
	if o.has("envoy_route") || o.has("envoy_cluster") {
		d.envoyPolicy(o, b, name)
	} else if n := o.get("envoy_ignore"); n != nil {
		o.errorf(n, "envoy_ignore applies with envoy_route or envoy_cluster")
	}
}

// envoyPolicy fills b from the Envoy cluster (envoy_cluster) and route
// (envoy_route) that o imports.
func (d *decoder) envoyPolicy(o *object, b *topology.Balancer, name string) {
	conflicts := map[string][]string{"envoy_route": {"timeout", "retry_policy"}, "envoy_cluster": {"policy", "circuit_breakers", "outlier_detection"}}
	for _, imp := range []string{"envoy_route", "envoy_cluster"} {
		for _, k := range conflicts[imp] {
			if n := o.get(k); n != nil && o.has(imp) {
				o.errorf(n, "%s: the policy comes from %s; give %s in one place only", k, imp, k)
			}
		}
	}
	x := d.importer(o, "Envoy", "envoy_ignore")
	var files []string
	var budget *topology.Budget
	cluster := name
	if o.has("envoy_cluster") {
		f, fd := d.load(o, "envoy_cluster", "yaml")
		if f == nil {
			return
		}
		x.fd = fd
		cluster, budget = x.cluster(f.root, b)
		files = append(files, f.name)
		d.adopt(fd.errs, o.get("envoy_cluster"))
	}
	if o.has("envoy_route") {
		f, fd := d.load(o, "envoy_route", "yaml")
		if f == nil {
			return
		}
		x.fd = fd
		x.route(f.root, cluster, &b.Call)
		files = append(files, f.name)
		d.adopt(fd.errs, o.get("envoy_route"))
	}
	if o.has("envoy_cluster") {
		b.Call.Retry.Budget = budget
	}
	x.unused(strings.Join(files, " or "))
}

// cluster reads an Envoy Cluster and returns its name and retry budget.
// Envoy applies its circuit breaker defaults to every cluster, so
// Thresholds are set whether or not the file has circuit_breakers.
func (x *importer) cluster(root *node, b *topology.Balancer) (string, *topology.Budget) {
	o := x.object(root, "cluster", []string{"name", "lb_policy", "least_request_lb_config", "circuit_breakers", "outlier_detection"},
		[]string{"type", "connect_timeout", "load_assignment", "dns_lookup_family", "dns_refresh_rate", "respect_dns_ttl",
			"transport_socket", "eds_cluster_config", "alt_stat_name", "metadata"},
		[]string{"per_connection_buffer_limit_bytes", "health_checks", "max_requests_per_connection", "http2_protocol_options",
			"http_protocol_options", "common_http_protocol_options", "typed_extension_protocol_options", "upstream_connection_options",
			"common_lb_config", "ring_hash_lb_config", "maglev_lb_config", "round_robin_lb_config", "load_balancing_policy",
			"preconnect_policy", "upstream_bind_config", "cleanup_interval", "close_connections_on_host_health_failure",
			"ignore_health_on_host_removal", "filters", "track_cluster_stats", "transport_socket_matches", "lrs_server",
			"protocol_selection", "dns_resolvers", "typed_dns_resolver_config", "wait_for_warm_on_init", "track_timeout_budgets",
			"lb_subset_config", "original_dst_lb_config", "cluster_type", "upstream_http_protocol_options"})
	b.Thresholds = &topology.Thresholds{MaxRequests: 1024, MaxPendingRequests: 1024, MaxRetries: 3}
	if o == nil {
		return "", nil
	}
	if !o.has("name") {
		x.missing(o, "name", "the cluster's name, which the route's cluster names")
	}
	name := o.str("name", "")
	if n := o.get("lb_policy"); n != nil {
		s, _ := n.v.(string)
		p, ok := envoyLB[s]
		switch {
		case ok:
			b.Policy = p
		case slices.Contains([]string{"RING_HASH", "MAGLEV", "CLUSTER_PROVIDED", "LOAD_BALANCING_POLICY_CONFIG", "ORIGINAL_DST_LB"}, s):
			if !x.ignored(s) {
				o.errorf(n, "lb_policy %s is not simulated (ROUND_ROBIN, RANDOM and LEAST_REQUEST are); add %q to envoy_ignore in the scenario to use ROUND_ROBIN", s, s)
			}
		default:
			o.errorf(n, "lb_policy must be an Envoy load balancing policy such as \"ROUND_ROBIN\" or \"LEAST_REQUEST\", got %s%s", describe(n.v), human.DidYouMean(fmt.Sprint(n.v), []string{"ROUND_ROBIN", "RANDOM", "LEAST_REQUEST"}))
		}
	}
	if n := o.get("least_request_lb_config"); n != nil {
		if lo := x.object(n, "least_request_lb_config", []string{"choice_count"}, nil, []string{"active_request_bias", "slow_start_config"}); lo != nil {
			if c := lo.integer("choice_count", 2, 2, math.MaxInt32); c != 2 {
				lo.errorf(lo.get("choice_count"), "choice_count %d: the model picks the better of 2 (power_of_two)", c)
			}
		}
	}
	var budget *topology.Budget
	if n := o.get("circuit_breakers"); n != nil {
		budget = x.circuitBreakers(n, b.Thresholds)
	}
	if n := o.get("outlier_detection"); n != nil {
		b.Outlier = x.outlier(n, len(b.Targets))
	}
	return name, budget
}

// circuitBreakers reads the DEFAULT priority's thresholds into th, with
// Envoy's defaults, and its retry budget if any.
func (x *importer) circuitBreakers(n *node, th *topology.Thresholds) *topology.Budget {
	o := x.object(n, "circuit_breakers", []string{"thresholds"}, nil, []string{"per_host_thresholds"})
	if o == nil || !o.has("thresholds") {
		return nil
	}
	var budget *topology.Budget
	seen := false
	for i, tn := range x.list(o.get("thresholds"), "thresholds") {
		what := fmt.Sprintf("circuit_breakers thresholds[%d]", i)
		to := x.object(tn, what, []string{"priority", "max_pending_requests", "max_requests", "max_retries", "retry_budget"},
			[]string{"track_remaining"}, []string{"max_connections", "max_connection_pools"})
		if to == nil {
			continue
		}
		switch to.enum("priority", 0, []string{"DEFAULT", "HIGH"}) {
		case 1:
			if !x.ignored("HIGH") {
				to.errorf(to.get("priority"), "the model has one priority (DEFAULT); add \"HIGH\" to envoy_ignore in the scenario to leave these thresholds out")
			}
			continue
		}
		if seen {
			to.errorf(tn, "a second DEFAULT priority; Envoy takes one set of thresholds per priority")
			continue
		}
		seen = true
		th.MaxRequests = to.integer("max_requests", th.MaxRequests, 1, math.MaxInt32)
		th.MaxPendingRequests = to.integer("max_pending_requests", th.MaxPendingRequests, 0, math.MaxInt32)
		th.MaxRetries = to.integer("max_retries", th.MaxRetries, 0, math.MaxInt32)
		bn := to.get("retry_budget")
		if bn == nil {
			continue
		}
		if mr := to.get("max_retries"); mr != nil && !x.ignored("max_retries") {
			to.errorf(mr, "Envoy ignores max_retries when retry_budget is set; remove it, or add \"max_retries\" to envoy_ignore in the scenario")
		}
		bo := x.object(bn, what+" retry_budget", []string{"budget_percent", "min_retry_concurrency"}, nil, nil)
		if bo == nil {
			continue
		}
		budget = &topology.Budget{Kind: topology.BudgetEnvoy, BudgetPercent: 20, MinRetryConcurrency: bo.integer("min_retry_concurrency", 3, 0, math.MaxInt32), Pos: x.fd.pos(bn)}
		if pn := bo.get("budget_percent"); pn != nil {
			if po := x.object(pn, "budget_percent (an envoy.type.v3.Percent, e.g. {value: 25})", []string{"value"}, nil, nil); po != nil {
				budget.BudgetPercent = po.number("value", 20, 0, 100)
			}
		}
	}
	return budget
}

// outlier reads Envoy's outlier_detection by consecutive 5xx. Envoy's other
// detectors must be off, as the model has none of them: failure percentage
// and consecutive gateway failures are by default; success rate is on by
// default but only acts with success_rate_minimum_hosts (5) hosts or more.
func (x *importer) outlier(n *node, targets int) *topology.Outlier {
	o := x.object(n, "outlier_detection", []string{"consecutive_5xx", "interval", "base_ejection_time", "max_ejection_percent",
		"max_ejection_time", "enforcing_consecutive_5xx", "enforcing_success_rate", "enforcing_consecutive_gateway_failure",
		"enforcing_failure_percentage", "enforcing_consecutive_local_origin_failure", "enforcing_local_origin_success_rate",
		"enforcing_failure_percentage_local_origin"}, nil,
		[]string{"success_rate_minimum_hosts", "success_rate_request_volume", "success_rate_stdev_factor", "consecutive_gateway_failure",
			"split_external_local_origin_errors", "consecutive_local_origin_failure", "failure_percentage_threshold",
			"failure_percentage_minimum_hosts", "failure_percentage_request_volume", "max_ejection_time_jitter",
			"successful_active_health_check_uneject_host", "monitors", "always_eject_one_host", "detector"})
	if o == nil {
		return nil
	}
	out := &topology.Outlier{
		Consecutive5xx:     o.integer("consecutive_5xx", 5, 1, math.MaxInt32),
		Interval:           x.positive(o, "interval", 10*time.Second),
		BaseEjectionTime:   x.positive(o, "base_ejection_time", 30*time.Second),
		MaxEjectionTime:    x.positive(o, "max_ejection_time", 300*time.Second),
		MaxEjectionPercent: float64(o.integer("max_ejection_percent", 10, 0, 100)),
	}
	if out.MaxEjectionTime < out.BaseEjectionTime && o.has("max_ejection_time") {
		o.errorf(o.get("max_ejection_time"), "max_ejection_time %s is less than base_ejection_time %s", out.MaxEjectionTime, out.BaseEjectionTime)
	}
	if e := o.integer("enforcing_consecutive_5xx", 100, 0, 100); e != 100 {
		o.errorf(o.get("enforcing_consecutive_5xx"), "enforcing_consecutive_5xx %d: the model always ejects (100)", e)
	}
	for _, k := range []string{"enforcing_consecutive_gateway_failure", "enforcing_failure_percentage", "enforcing_consecutive_local_origin_failure",
		"enforcing_local_origin_success_rate", "enforcing_failure_percentage_local_origin"} {
		def := 0
		if k == "enforcing_local_origin_success_rate" {
			def = 100 // acts only with split_external_local_origin_errors, which is reported
		}
		if e := o.integer(k, def, 0, 100); e != def && !x.ignored(k) {
			o.errorf(o.get(k), "%s %d turns on a detector the model does not have; remove it, or add %q to envoy_ignore in the scenario", k, e, k)
		}
	}
	if e := o.integer("enforcing_success_rate", 100, 0, 100); e != 0 && targets >= 5 && !x.ignored("enforcing_success_rate") {
		at := o.get("enforcing_success_rate")
		if at == nil {
			at = n
		}
		x.fd.errorf(at, "outlier_detection: with %d hosts Envoy also ejects by success rate (enforcing_success_rate %d), which the model does not; write enforcing_success_rate: 0, or add \"enforcing_success_rate\" to envoy_ignore in the scenario", targets, e)
	}
	return out
}

// positive reads a protobuf Duration that must be more than zero.
func (x *importer) positive(o *object, key string, def time.Duration) time.Duration {
	v, ok := x.duration(o, key, def)
	if ok && v == 0 {
		o.errorf(o.get(key), "%s must be more than zero", key)
		return def
	}
	return v
}

// route finds, in an Envoy RouteConfiguration, the route to cluster and
// reads its timeout and retry policy (the virtual host's when the route has
// none, as Envoy does) into p. Other routes are not read.
func (x *importer) route(root *node, cluster string, p *topology.CallPolicy) {
	o := x.object(root, "route configuration", []string{"virtual_hosts"}, []string{"name", "request_headers_to_add",
		"request_headers_to_remove", "response_headers_to_add", "response_headers_to_remove", "internal_only_headers", "metadata"},
		[]string{"vhds", "most_specific_header_mutations_wins", "validate_clusters", "max_direct_response_body_size_bytes",
			"cluster_specifier_plugins", "request_mirror_policies", "ignore_port_in_host_matching",
			"ignore_path_parameters_in_path_matching", "typed_per_filter_config"})
	if o == nil {
		return
	}
	type found struct{ vhost, route, action *node }
	var hits []found
	var others []string
	if vn := o.get("virtual_hosts"); vn != nil {
		for _, vh := range x.list(vn, "virtual_hosts") {
			vt, ok := vh.v.(*table)
			if !ok || vt.m["routes"] == nil {
				continue
			}
			rs, _ := vt.m["routes"].v.([]*node)
			for _, r := range rs {
				rt, ok := r.v.(*table)
				if !ok || rt.m["route"] == nil {
					continue
				}
				at, ok := rt.m["route"].v.(*table)
				if !ok || at.m["cluster"] == nil {
					continue
				}
				if c, _ := at.m["cluster"].v.(string); c == cluster {
					hits = append(hits, found{vh, r, rt.m["route"]})
				} else if !slices.Contains(others, c) {
					others = append(others, c)
				}
			}
		}
	}
	switch len(hits) {
	case 0:
		x.o.errorf(x.o.get("envoy_route"), "no route of %s sends to cluster %q (its routes send to %s)%s; name the load balancer after the cluster, or import the cluster with envoy_cluster",
			x.fd.file, cluster, quoteList(others), human.DidYouMean(cluster, others))
		return
	case 1:
	default:
		x.fd.errorf(hits[1].route, "a second route to cluster %q (the first is at line %d); failsim simulates one route per load balancer", cluster, hits[0].route.val.Line)
		return
	}
	h := hits[0]
	vo := x.object(h.vhost, "virtual host", []string{"routes", "retry_policy"}, []string{"name", "domains", "request_headers_to_add",
		"request_headers_to_remove", "response_headers_to_add", "response_headers_to_remove", "metadata", "include_request_attempt_count",
		"include_attempt_count_in_response", "include_is_timeout_retry_header", "require_tls", "virtual_clusters"},
		[]string{"matcher", "rate_limits", "cors", "typed_per_filter_config", "retry_policy_typed_config", "hedge_policy",
			"per_request_buffer_limit_bytes", "request_mirror_policies"})
	x.object(h.route, "route", []string{"route"}, []string{"name", "match", "metadata", "decorator", "tracing", "stat_prefix",
		"request_headers_to_add", "request_headers_to_remove", "response_headers_to_add", "response_headers_to_remove"},
		[]string{"typed_per_filter_config", "per_request_buffer_limit_bytes"})
	ao := x.object(h.action, "route action", []string{"cluster", "timeout", "retry_policy"},
		[]string{"prefix_rewrite", "regex_rewrite", "path_rewrite_policy", "host_rewrite_literal", "auto_host_rewrite",
			"host_rewrite_header", "host_rewrite_path_regex", "append_x_forwarded_host", "cors", "upgrade_configs"},
		[]string{"metadata_match", "idle_timeout", "early_data_policy", "retry_policy_typed_config", "request_mirror_policies",
			"priority", "rate_limits", "include_vh_rate_limits", "hash_policy", "max_grpc_timeout", "grpc_timeout_offset",
			"internal_redirect_policy", "internal_redirect_action", "max_internal_redirects", "hedge_policy", "max_stream_duration"})
	if ao == nil {
		return
	}
	// The route timeout covers every try; 15s unless set, and 0s turns it off.
	p.Deadline = 15 * time.Second
	if v, ok := x.duration(ao, "timeout", 0); ok {
		p.Deadline, p.DeadlinePos = v, ao.keyPos("timeout")
	}
	rn := ao.get("retry_policy")
	if rn == nil && vo != nil {
		rn = vo.get("retry_policy")
	}
	if rn != nil {
		x.envoyRetry(rn, p)
	}
}

// envoyRetry reads Envoy's retry_policy into p, with Envoy's defaults:
// one retry, back-off from 25ms to 10 times the base.
func (x *importer) envoyRetry(n *node, p *topology.CallPolicy) {
	o := x.object(n, "retry_policy", []string{"retry_on", "num_retries", "per_try_timeout", "retry_back_off"}, nil,
		[]string{"per_try_idle_timeout", "retry_priority", "retry_host_predicate", "retry_options_predicates",
			"host_selection_retry_max_attempts", "retriable_status_codes", "rate_limited_retry_back_off", "retriable_headers",
			"retriable_request_headers"})
	if o == nil {
		return
	}
	if v, ok := x.duration(o, "per_try_timeout", 0); ok {
		p.Timeout, p.TimeoutPos = v, o.keyPos("per_try_timeout")
	}
	p.Retry = topology.Retry{
		MaxAttempts: o.integer("num_retries", 1, 0, 99) + 1,
		On:          x.retryOn(o),
		Backoff:     envoyBackOff(nil, 0, 0),
		Pos:         x.fd.pos(n),
	}
	if bn := o.get("retry_back_off"); bn != nil {
		if bo := x.object(bn, "retry_back_off", []string{"base_interval", "max_interval"}, nil, nil); bo != nil {
			if !bo.has("base_interval") {
				x.missing(bo, "base_interval", `Envoy requires it, e.g. "0.025s"`)
			}
			p.Retry.Backoff = envoyBackOff(bo, x.positive(bo, "base_interval", 0), x.positive(bo, "max_interval", 0))
		}
	}
}

// envoyBackOff is Envoy's retry back-off from the intervals of a
// retry_back_off, read in either syntax (0 for one not given): the base is
// 25ms unless given, the cap ten times the base, and intervals under 1ms
// count as 1ms. A cap below the base is reported on bo.
func envoyBackOff(bo *object, base, cap time.Duration) topology.Backoff {
	if base == 0 {
		base = 25 * time.Millisecond
	}
	base = max(base, time.Millisecond)
	if cap == 0 {
		cap = 10 * base
	}
	cap = max(cap, time.Millisecond)
	if cap < base {
		bo.errorf(bo.get("max_interval"), "max_interval %s is less than base_interval %s", cap, base)
	}
	return topology.Backoff{Kind: topology.BackoffEnvoy, Base: base, Cap: cap}
}

// retryOn reads retry_on, a comma-separated list of Envoy's conditions.
func (x *importer) retryOn(o *object) topology.Outcomes {
	n := o.get("retry_on")
	if n == nil {
		return 0 // Envoy retries on nothing
	}
	s, ok := n.v.(string)
	if !ok {
		o.errorf(n, "retry_on must be a comma-separated string, e.g. \"5xx,reset\", got %s", describe(n.v))
		return 0
	}
	var conds []string
	at := map[string]int{} // where each condition starts in s
	off := 0
	for _, raw := range strings.Split(s, ",") {
		if c := strings.TrimSpace(raw); c != "" {
			conds = append(conds, c)
			at[c] = off + strings.Index(raw, c)
		}
		off += len(raw) + 1
	}
	all := slices.Concat([]string{"5xx"}, envoyNever)
	for c := range envoyPart {
		all = append(all, c)
	}
	slices.Sort(all)
	var out topology.Outcomes
	for _, c := range conds {
		_, part := envoyPart[c]
		switch {
		case c == "5xx":
			out = topology.OnTimeout | topology.OnError | topology.OnRejected
		case part && slices.Contains(conds, "5xx"):
		case part && !x.ignored(c):
			o.errorf(within(n, x.fd.lines, s, at[c]), "retry_on %q covers only %s; add \"5xx\" (which covers them all), or add %q to envoy_ignore in the scenario to leave it out", c, envoyPart[c], c)
		case slices.Contains(envoyNever, c) && !x.ignored(c):
			o.errorf(within(n, x.fd.lines, s, at[c]), "retry_on %q reacts to answers failsim's callees never give (they time out, fail with a 500, or refuse with a 503 or a reset); remove it, or add %q to envoy_ignore in the scenario", c, c)
		case !part && !slices.Contains(envoyNever, c) && c != "5xx":
			o.errorf(within(n, x.fd.lines, s, at[c]), "retry_on: %q is not an Envoy retry condition%s", c, human.DidYouMean(c, all))
		}
	}
	return out
}

// within points at byte offset at of the string value s of n when the value is
// written on one line, so that a problem with one retry condition points at
// it rather than at the start of the list.
func within(n *node, lines []string, s string, at int) *node {
	if n.val.Line < 1 || n.val.Line > len(lines) {
		return n
	}
	line := []rune(lines[n.val.Line-1])
	start := n.val.Col - 1
	if start < len(line) && (line[start] == '"' || line[start] == '\'') {
		start++
	}
	if start < 0 || start+len([]rune(s)) > len(line) || string(line[start:start+len([]rune(s))]) != s {
		return n
	}
	cp := *n
	cp.val.Col = start + 1 + len([]rune(s[:at])) // columns count runes
	return &cp
}
