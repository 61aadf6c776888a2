package scenariofile

import (
	"time"

	"github.com/failsim/failsim/topology"
)

// stateKeys reads the keys of a call policy about state: write, fallback and
// hedge.
func (d *decoder) stateKeys(o *object, p *topology.CallPolicy) {
	p.Write = topology.Write(o.enum("write", int(topology.WriteNone), topology.WriteNames))
	p.WritePos = o.keyPos("write")
	if n := o.get("fallback"); n != nil {
		if fo := d.object(n, o.what+" fallback", "latency"); fo != nil {
			p.Fallback = &topology.Fallback{Latency: fo.duration("latency", 0, false), Pos: d.pos(n)}
		}
		if p.Write != topology.WriteNone {
			o.errorf(n, "a fallback answers a read from a stale copy or a default; this call is a write (write = %q), which a fallback cannot stand in for", p.Write)
		}
	}
	if n := o.get("hedge"); n != nil {
		p.Hedge = d.hedge(n, o.what+" hedge")
		if p.Hedge == nil {
			return
		}
		if p.Retry.MaxAttempts > 1 {
			o.errorf(n, "give either hedge or retry with max_attempts > 1, not both (gRPC: a method has a retryPolicy or a hedgingPolicy)")
		}
		for _, k := range []string{"breaker", "throttle"} {
			if kn := o.get(k); kn != nil {
				o.errorf(kn, "%s is not supported together with hedge", k)
			}
		}
		if p.Retry.Budget != nil {
			o.errorf(o.get("retry"), "a retry budget is not supported together with hedge")
		}
	}
}

// hedge reads gRPC's hedgingPolicy: { max_attempts, hedging_delay, non_fatal }.
func (d *decoder) hedge(n *node, what string) *topology.Hedge {
	o := d.object(n, what, "max_attempts", "hedging_delay", "non_fatal")
	if o == nil {
		return nil
	}
	if !o.has("max_attempts") {
		o.missing("max_attempts", "copies of the call at most, the first included, 2 to 5")
	}
	h := &topology.Hedge{
		MaxAttempts:  min(o.integer("max_attempts", 2, 2, 100), topology.MaxHedgeAttempts),
		HedgingDelay: o.duration("hedging_delay", 0, false),
		NonFatal:     0,
	}
	if o.has("non_fatal") {
		h.NonFatal = d.outcomes(o, "non_fatal")
	}
	return h
}

// serverState reads a service's or database's keys about state.
func (d *decoder) serverState(o *object, s *topology.Server) {
	if n := o.get("idempotency_keys"); n != nil {
		if ko := d.object(n, o.what+" idempotency_keys", "ttl", "durable"); ko != nil {
			if !ko.has("ttl") {
				ko.missing("ttl", `how long a key is kept, e.g. "24h": the store must not grow without bound`)
			}
			s.IdempotencyKeys = &topology.KeyStore{TTL: ko.positive("ttl", time.Hour), Durable: ko.boolean("durable", false), Pos: d.pos(n)}
		}
	}
	s.OnPartialFailure = topology.PartialFailure(o.enum("on_partial_failure", int(topology.PartialNone), topology.PartialFailureNames))
	s.PartialPos = o.keyPos("on_partial_failure")
	s.Repair = topology.Backoff{Kind: topology.BackoffExponential, Jitter: topology.JitterFull, Base: time.Second, Cap: time.Minute, Multiplier: 2}
	if n := o.get("repair_backoff"); n != nil {
		if s.OnPartialFailure != topology.PartialRetryStep {
			o.errorf(n, `repair_backoff applies to on_partial_failure = "retry-step"`)
		}
		if bo := d.object(n, o.what+" repair_backoff", "base", "cap"); bo != nil {
			s.Repair.Base = bo.positive("base", s.Repair.Base)
			s.Repair.Cap = bo.positive("cap", s.Repair.Cap)
			if s.Repair.Cap < s.Repair.Base {
				bo.errorf(bo.get("cap"), "cap %s is less than base %s", s.Repair.Cap, s.Repair.Base)
			}
		}
	}
	if n := o.get("on_partial_failure"); n != nil && s.OnPartialFailure != topology.PartialNone && !hasWriteStep(s.Calls) {
		o.errorf(n, "on_partial_failure applies to a handler with a write step: mark a [[call]] with write = %q or %q", "idempotent", "non_idempotent")
	}
}

func hasWriteStep(calls []topology.Call) bool {
	for _, c := range calls {
		if c.Write != topology.WriteNone {
			return true
		}
	}
	return false
}
