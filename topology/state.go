package topology

import "time"

// Write is what a call does to its callee's state.
type Write uint8

// Kinds of call: a read changes nothing; a write takes effect when the
// callee completes it. Running an idempotent write twice has the effect of
// running it once; running a non-idempotent one twice (a payment, an
// insert, a counter) has two effects.
const (
	WriteNone Write = iota
	WriteIdempotent
	WriteNonIdempotent
)

var writeNames = []string{"none", "idempotent", "non_idempotent"}

func (w Write) String() string { return writeNames[w] }

// Fallback is what a caller answers with when a call fails after its
// retries: a stale cached value or a default, after Latency. The caller's
// own answer is then a degraded success.
type Fallback struct {
	Latency time.Duration
	Pos     Pos
}

// KeyStore is where a component keeps the idempotency keys of the writes it
// completed, each for TTL: a write whose key is there is answered with the
// stored result and takes no effect. Unless Durable, a crash empties it.
type KeyStore struct {
	TTL     time.Duration
	Durable bool
	Pos     Pos
}

// PartialFailure is what a service handler does when one of its calls fails
// after an earlier write call succeeded.
type PartialFailure uint8

// Partial failure policies: leave the state inconsistent and fail; undo the
// earlier writes (compensating calls, which can fail too) and fail; or keep
// what succeeded, answer with success, and retry the failed call later from
// stored state until it succeeds.
const (
	PartialNone PartialFailure = iota
	PartialRollback
	PartialRetryStep
)

var partialNames = []string{"none", "rollback", "retry-step"}

func (p PartialFailure) String() string { return partialNames[p] }

// MaxHedgeAttempts is gRPC's cap on hedgingPolicy.maxAttempts: larger
// values are treated as 5.
const MaxHedgeAttempts = 5

// stateKeys reads the keys of a call policy about state: write, fallback and
// hedge.
func (d *decoder) stateKeys(o *object, p *CallPolicy) {
	p.Write = Write(o.enum("write", int(WriteNone), writeNames))
	if n := o.get("fallback"); n != nil {
		if fo := d.object(n, o.what+" fallback", "latency"); fo != nil {
			p.Fallback = &Fallback{Latency: fo.duration("latency", 0, false), Pos: d.pos(n)}
		}
		if p.Write != WriteNone {
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
func (d *decoder) hedge(n *node, what string) *Hedge {
	o := d.object(n, what, "max_attempts", "hedging_delay", "non_fatal")
	if o == nil {
		return nil
	}
	if !o.has("max_attempts") {
		o.missing("max_attempts", "copies of the call at most, the first included, 2 to 5")
	}
	h := &Hedge{
		MaxAttempts:  min(o.integer("max_attempts", 2, 2, 100), MaxHedgeAttempts),
		HedgingDelay: o.duration("hedging_delay", 0, false),
		NonFatal:     0,
	}
	if o.has("non_fatal") {
		h.NonFatal = d.outcomes(o, "non_fatal")
	}
	return h
}

// serverState reads a service's or database's keys about state.
func (d *decoder) serverState(o *object, s *Server) {
	if n := o.get("idempotency_keys"); n != nil {
		if ko := d.object(n, o.what+" idempotency_keys", "ttl", "durable"); ko != nil {
			if !ko.has("ttl") {
				ko.missing("ttl", `how long a key is kept, e.g. "24h": the store must not grow without bound`)
			}
			s.IdempotencyKeys = &KeyStore{TTL: ko.positive("ttl", time.Hour), Durable: ko.boolean("durable", false), Pos: d.pos(n)}
		}
	}
	s.OnPartialFailure = PartialFailure(o.enum("on_partial_failure", int(PartialNone), partialNames))
	s.PartialPos = o.keyPos("on_partial_failure")
	s.Repair = Backoff{Kind: BackoffExponential, Jitter: JitterFull, Base: time.Second, Cap: time.Minute, Multiplier: 2}
	if n := o.get("repair_backoff"); n != nil {
		if s.OnPartialFailure != PartialRetryStep {
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
	if n := o.get("on_partial_failure"); n != nil && s.OnPartialFailure != PartialNone && !hasWriteStep(s.Calls) {
		o.errorf(n, "on_partial_failure applies to a handler with a write step: mark a [[call]] with write = %q or %q", "idempotent", "non_idempotent")
	}
}

func hasWriteStep(calls []Call) bool {
	for _, c := range calls {
		if c.Write != WriteNone {
			return true
		}
	}
	return false
}

// PartialFailureRisk says whether a handler's calls can leave state
// inconsistent: a write followed by another call that can fail (one without
// a fallback), such as a second write.
func PartialFailureRisk(calls []Call) bool {
	wrote := false
	for _, c := range calls {
		if wrote && c.Fallback == nil {
			return true
		}
		wrote = wrote || c.Write != WriteNone
	}
	return false
}
