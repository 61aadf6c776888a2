package trace

import (
	"encoding/binary"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/topology"
)

// Epoch is the wall-clock instant simulated time 0 maps to in exported
// traces: 2026-01-01T00:00:00Z. It is fixed so that the same run always
// gives the same bytes.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// SpanKind is OpenTelemetry's span kind, with its OTLP numbers.
type SpanKind int

// The kinds an exported span has.
const (
	KindInternal SpanKind = 1
	KindServer   SpanKind = 2
	KindClient   SpanKind = 3
)

// Span is one span of an exported request: a logical request at its client
// (internal), a try as its caller sees it (client), or a call as its callee
// handles it (server), with OpenTelemetry's names where a semantic
// convention exists.
type Span struct {
	TraceID  [16]byte
	SpanID   [8]byte
	ParentID [8]byte // zero for the root
	Request  int64   // the logical request's number

	Service  string // the component's group: "api" for "api-2" (service.name)
	Instance string // the component itself (service.instance.id)
	Name     string
	Kind     SpanKind

	Start, End time.Duration // simulated time
	Error      bool          // status code ERROR
	Message    string        // the status message of an error
	Attrs      []Attr
	Events     []Event
}

// Attr is an attribute; Value is a string, an int64, a float64 or a bool.
type Attr struct {
	Key   string
	Value any
}

// Event is a span event.
type Event struct {
	At    time.Duration
	Name  string
	Attrs []Attr
}

// Outcome names as attributes and status give them: error.type is what
// OpenTelemetry's HTTP conventions set (a status code, or "timeout").
var errorTypes = map[string]string{"timeout": "timeout", "error": "500", "rejected": "503", "cancelled": "cancelled"}

var statusCodes = map[string]int64{"ok": 200, "error": 500, "rejected": 503}

// builder turns the events of requests into spans.
type builder struct {
	comps    map[string]topology.Component
	policies map[string]policyHints // by caller component
	traceTag uint64
	spans    []*Span
	server   map[int64]*Span // call -> the callee's span (the root's span for a request)
	client   map[int64]*Span // call -> the caller's span of that try
	open     map[int64][]int64
	last     map[int64]string // job -> what its last outbound try did: "sent", "failed", "retry"
}

// policyHints says which local guards a component's outbound calls have,
// to name a refusal.
type policyHints struct{ breaker, throttle, budget bool }

// Spans builds the spans of reqs, recorded from a run of sc with seed:
// per logical request a root span at its client, per try a client span at
// the caller and a server span at the callee, children of the span of the
// call they were made for. Timeouts, retries, hedges, cancellations, local
// refusals and work for callers that gave up are statuses, attributes and
// span events. Trace and span IDs depend only on the scenario, the seed and
// the request and call numbers.
func Spans(sc *topology.Scenario, seed uint64, reqs []Request) []Span {
	b := newBuilder(sc, seed)
	var out []Span
	for _, r := range reqs {
		for _, s := range b.request(r) {
			out = append(out, *s)
		}
	}
	return out
}

func newBuilder(sc *topology.Scenario, seed uint64) *builder {
	b := &builder{comps: map[string]topology.Component{}, policies: map[string]policyHints{}}
	for _, c := range sc.Components {
		b.comps[c.Name] = c
		var calls []topology.CallPolicy
		switch {
		case c.Client != nil:
			calls = append(calls, c.Client.Call)
		case c.Balancer != nil:
			calls = append(calls, c.Balancer.Call)
		case c.Server != nil:
			for _, k := range c.Server.Calls {
				calls = append(calls, k.CallPolicy)
			}
		}
		var h policyHints
		for _, p := range calls {
			h.breaker = h.breaker || p.Breaker != nil
			h.throttle = h.throttle || p.Throttle != nil
			h.budget = h.budget || p.Retry.Budget != nil
		}
		b.policies[c.Name] = h
	}
	f := fnv.New64a()
	f.Write([]byte(sc.Name + "\x00" + sc.Variant + "\x00" + strconv.FormatUint(seed, 10)))
	b.traceTag = f.Sum64()
	return b
}

func (b *builder) group(name string) string {
	if c, ok := b.comps[name]; ok && c.Group != "" {
		return c.Group
	}
	return name
}

func (b *builder) kind(name string) topology.Kind { return b.comps[name].Kind }

func spanID(call int64, client bool) [8]byte {
	var id [8]byte
	v := uint64(call) << 1
	if !client {
		v |= 1
	}
	binary.BigEndian.PutUint64(id[:], v)
	return id
}

// request builds the spans of one request, in the order they start.
func (b *builder) request(r Request) []*Span {
	b.spans = b.spans[:0]
	b.server, b.client = map[int64]*Span{}, map[int64]*Span{}
	b.open, b.last = map[int64][]int64{}, map[int64]string{}
	var tid [16]byte
	binary.BigEndian.PutUint64(tid[:8], b.traceTag)
	binary.BigEndian.PutUint64(tid[8:], uint64(r.ID))
	var end time.Duration
	for i := range r.Events {
		e := &r.Events[i]
		end = e.At
		b.event(tid, r.ID, e)
	}
	for _, s := range b.spans { // still in flight when the run ended
		if s.End < 0 {
			s.End = end
			s.Attrs = append(s.Attrs, Attr{"failsim.unfinished", true})
		}
	}
	return b.spans
}

func (b *builder) add(s *Span) *Span {
	s.End = -1
	b.spans = append(b.spans, s)
	return s
}

// jobSpan is the span of the job that made call c's caller's call: the
// server span of the call it handles, or the root.
func (b *builder) jobSpan(id int64) *Span { return b.server[id] }

func (b *builder) event(tid [16]byte, req int64, e *sim.TraceEvent) {
	switch e.Kind {
	case sim.TraceStart:
		b.server[e.Call] = b.add(&Span{
			TraceID: tid, SpanID: spanID(e.Call, false), Request: req,
			Service: b.group(e.Where), Instance: e.Where, Name: "request", Kind: KindInternal, Start: e.At,
			Attrs: []Attr{{"failsim.request", req}},
		})
	case sim.TraceSend:
		b.send(tid, req, e)
	case sim.TraceQueued:
		if s := b.server[e.Call]; s != nil {
			s.Events = append(s.Events, Event{e.At, "queued", []Attr{{"failsim.queue.ahead", int64(e.Queue)}}})
		}
	case sim.TraceWork:
		if s := b.server[e.Call]; s != nil {
			s.Events = append(s.Events, Event{e.At, "work started", []Attr{{"failsim.work_s", e.Wait.Seconds()}}})
			if e.Orphaned {
				s.Events[len(s.Events)-1].Attrs = append(s.Events[len(s.Events)-1].Attrs, Attr{"failsim.orphaned", true})
			}
		}
	case sim.TraceAnswer:
		b.answer(e)
	case sim.TraceTimeout:
		c := b.client[e.Call]
		if c == nil || c.End >= 0 {
			return
		}
		c.End = e.At
		setOutcome(c, "timeout")
		c.Events = append(c.Events, Event{e.At, "timeout", []Attr{{"failsim.timeout_s", e.Wait.Seconds()}, {"failsim.cancel_sent", e.Cancel}}})
		b.last[e.Parent] = "failed"
	case sim.TraceGoesOn:
		if s := b.server[e.Call]; s != nil {
			attrs := []Attr{{"failsim.state", e.State}}
			if e.Wait > 0 {
				attrs = append(attrs, Attr{"failsim.left_s", e.Wait.Seconds()})
			}
			s.Events = append(s.Events, Event{e.At, "caller gave up", attrs})
		}
	case sim.TraceRetry:
		if s := b.jobSpan(e.Call); s != nil {
			s.Events = append(s.Events, Event{e.At, "retry scheduled", []Attr{
				{"failsim.after", e.Outcome}, {"failsim.next_try", int64(e.Try + 1)}, {"failsim.backoff_s", e.Wait.Seconds()},
			}})
		}
		b.last[e.Call] = "retry"
	case sim.TraceGiveUp:
		b.giveUp(e)
	case sim.TraceDone:
		s := b.server[e.Call]
		if s == nil {
			return
		}
		s.End = e.At
		setOutcome(s, e.Outcome)
		s.Attrs = append(s.Attrs, Attr{"failsim.attempts", int64(e.Try)})
		b.closeOpen(e.Call, e.At)
	}
}

func (b *builder) send(tid [16]byte, req int64, e *sim.TraceEvent) {
	parent := b.server[e.Parent]
	var pid [8]byte
	if parent != nil {
		pid = parent.SpanID
	}
	callee := b.group(e.Callee)
	cl := &Span{
		TraceID: tid, SpanID: spanID(e.Call, true), ParentID: pid, Request: req,
		Service: b.group(e.Where), Instance: e.Where, Name: "call " + callee, Kind: KindClient, Start: e.At,
		Attrs: []Attr{{"peer.service", callee}, {"server.address", e.Callee}, {"failsim.try", int64(e.Try)}, {"failsim.max_tries", int64(e.MaxTries)}},
	}
	if e.Wait > 0 {
		cl.Attrs = append(cl.Attrs, Attr{"failsim.timeout_s", e.Wait.Seconds()})
	}
	if e.Hedge {
		cl.Attrs = append(cl.Attrs, Attr{"failsim.hedge", true})
	} else if e.Try > 1 {
		cl.Attrs = append(cl.Attrs, Attr{"http.request.resend_count", int64(e.Try - 1)})
	}
	if e.Orphaned {
		cl.Attrs = append(cl.Attrs, Attr{"failsim.orphaned", true})
	}
	b.tag(cl, e.Where, e.Callee)
	b.client[e.Call] = b.add(cl)
	sv := &Span{
		TraceID: tid, SpanID: spanID(e.Call, false), ParentID: cl.SpanID, Request: req,
		Service: callee, Instance: e.Callee, Name: callee, Kind: KindServer, Start: e.At,
	}
	b.tag(sv, e.Callee, "")
	b.server[e.Call] = b.add(sv)
	b.open[e.Parent] = append(b.open[e.Parent], e.Call)
	b.last[e.Parent] = "sent"
}

// tag adds the conventions that tell a database (db.system.name) and a
// proxy (Envoy's component=proxy) from a service.
func (b *builder) tag(s *Span, where, callee string) {
	if b.kind(where) == topology.KindLoadBalancer {
		s.Attrs = append(s.Attrs, Attr{"component", "proxy"})
		if callee != "" {
			s.Attrs = append(s.Attrs, Attr{"upstream_cluster", b.group(callee)})
		}
	}
	if b.kind(where) == topology.KindDatabase || (callee != "" && b.kind(callee) == topology.KindDatabase) {
		s.Attrs = append(s.Attrs, Attr{"db.system.name", "other_sql"})
	}
}

func (b *builder) answer(e *sim.TraceEvent) {
	sv := b.server[e.Call]
	if sv == nil || sv.End >= 0 {
		return
	}
	sv.End = e.At
	setOutcome(sv, e.Outcome)
	if e.Orphaned {
		sv.Attrs = append(sv.Attrs, Attr{"failsim.orphaned", true})
		if e.Wasted > 0 {
			sv.Attrs = append(sv.Attrs, Attr{"failsim.wasted_s", e.Wasted.Seconds()})
		}
	}
	b.closeOpen(e.Call, e.At)
	if cl := b.client[e.Call]; cl != nil && cl.End < 0 {
		cl.End = e.At
		setOutcome(cl, e.Outcome)
		if e.Outcome != "ok" {
			b.last[e.Parent] = "failed"
		} else {
			b.last[e.Parent] = "done"
			b.closeOpen(e.Parent, e.At) // other copies of a hedged call lost
		}
	}
}

// closeOpen ends, at at, the client spans of job's tries still open: the
// job stopped waiting for them without a timeout of its own (it answered,
// another copy won, it was cancelled or dropped).
func (b *builder) closeOpen(job int64, at time.Duration) {
	for _, c := range b.open[job] {
		if cl := b.client[c]; cl != nil && cl.End < 0 {
			cl.End = at
			setOutcome(cl, "cancelled")
			cl.Events = append(cl.Events, Event{at, "abandoned", []Attr{{"failsim.reason", "the caller stopped waiting"}}})
		}
	}
	delete(b.open, job)
}

// giveUp ends a job's outbound call with a failure. One that follows a
// scheduled retry, or no try at all, was refused by the caller itself (a
// circuit breaker, a throttle, a bulkhead, a deadline); one that follows a
// failed try its policy would retry was refused a retry (a budget, a kill
// switch, a deadline).
func (b *builder) giveUp(e *sim.TraceEvent) {
	s := b.jobSpan(e.Call)
	if s == nil {
		return
	}
	h := b.policies[e.Where]
	var attrs []Attr
	name := "call failed"
	switch b.last[e.Call] {
	case "retry", "", "done":
		name = "call refused"
		reason := "deadline, bulkhead or load balancer limit"
		switch {
		case h.breaker && h.throttle:
			reason = "circuit breaker or throttle"
		case h.breaker:
			reason = "circuit breaker"
		case h.throttle:
			reason = "adaptive throttling"
		}
		attrs = append(attrs, Attr{"failsim.reason", reason})
	case "failed":
		if e.Try < e.MaxTries {
			name = "retry refused"
			reason := "not retryable, deadline or retries switched off"
			if h.budget {
				reason = "retry budget"
			}
			attrs = append(attrs, Attr{"failsim.reason", reason})
		}
	}
	attrs = append(attrs, Attr{"failsim.outcome", e.Outcome}, Attr{"failsim.tries", int64(e.Try)})
	s.Events = append(s.Events, Event{e.At, name, attrs})
	b.last[e.Call] = ""
}

func setOutcome(s *Span, outcome string) {
	s.Attrs = append(s.Attrs, Attr{"failsim.outcome", outcome})
	if code, ok := statusCodes[outcome]; ok && s.Kind != KindInternal {
		s.Attrs = append(s.Attrs, Attr{"http.response.status_code", code})
	}
	if outcome == "ok" {
		return
	}
	s.Error = true
	s.Message = outcome
	s.Attrs = append(s.Attrs, Attr{"error.type", errorTypes[outcome]})
}
