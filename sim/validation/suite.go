package validation

import (
	"fmt"
	"math"

	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
)

// Check is one row of the suite: a quantity a closed form predicts for a
// shipped scenario, how to measure it in a run, and how close the mean over
// the seeds must come.
type Check struct {
	Model    string // "M/M/1"
	Quantity string // "W, mean time in system"
	Formula  string // "1/(μ − λ)"
	Scenario string // path below scenarios/, e.g. "validation/mm1.toml"
	Variant  string
	Unit     Unit

	// Tolerance bounds |simulated mean - theory|: a fraction of the theory
	// when Relative, else in the quantity's own units; 0 asks for the exact
	// value.
	Tolerance float64
	Relative  bool

	// theory computes the closed form from the scenario's own parameters,
	// so that the suite follows the files.
	theory  func(*params) (float64, error)
	measure func(*results.Summary) float64
}

// Unit says how a quantity is printed.
type Unit uint8

// Units.
const (
	Seconds  Unit = iota // printed in ms
	Fraction             // printed in %
	PerSecond
	Times // a ratio, printed with ×
)

// Checks is the suite, in the order of docs/validation.md.
func Checks() []Check {
	return []Check{
		{Model: "M/M/1", Quantity: "W, mean time in system", Formula: "1/(μ − λ)",
			Scenario: "validation/mm1.toml", Unit: Seconds, Tolerance: 0.02, Relative: true,
			theory: func(p *params) (float64, error) {
				lambda, mu, err := p.openMM(1)
				return MM1Response(lambda, mu), err
			},
			measure: response},
		{Model: "M/M/1", Quantity: "Wq, mean wait in queue (Lq/λ)", Formula: "ρ/(μ − λ)",
			Scenario: "validation/mm1.toml", Unit: Seconds, Tolerance: 0.03, Relative: true,
			theory: func(p *params) (float64, error) {
				lambda, mu, err := p.openMM(1)
				return MMcWait(1, lambda, mu), err
			},
			measure: waitInQueue},
		{Model: "M/M/1", Quantity: "ρ, utilization", Formula: "λ/μ",
			Scenario: "validation/mm1.toml", Unit: Fraction, Tolerance: 0.003,
			theory: func(p *params) (float64, error) {
				lambda, mu, err := p.openMM(1)
				return lambda / mu, err
			},
			measure: func(s *results.Summary) float64 { return s.Components["server"].Utilization }},
		{Model: "M/M/c, c = 4", Quantity: "Wq, mean wait in queue", Formula: "C(c, λ/μ)/(cμ − λ), Erlang C",
			Scenario: "validation/mmc.toml", Unit: Seconds, Tolerance: 0.03, Relative: true,
			theory: func(p *params) (float64, error) {
				lambda, mu, err := p.openMM(4)
				return MMcWait(4, lambda, mu), err
			},
			measure: waitInQueue},
		{Model: "M/M/c, c = 4", Quantity: "W, mean time in system", Formula: "Wq + 1/μ",
			Scenario: "validation/mmc.toml", Unit: Seconds, Tolerance: 0.02, Relative: true,
			theory: func(p *params) (float64, error) {
				lambda, mu, err := p.openMM(4)
				return MMcWait(4, lambda, mu) + 1/mu, err
			},
			measure: response},
		{Model: "M/D/1", Quantity: "Wq, mean wait in queue", Formula: "ρD/(2(1 − ρ)), Pollaczek-Khinchine",
			Scenario: "validation/md1.toml", Unit: Seconds, Tolerance: 0.03, Relative: true,
			theory: func(p *params) (float64, error) {
				lambda, d, err := p.openMD1()
				return PKWait(lambda, d, d*d), err
			},
			measure: waitInQueue},
		{Model: "M/D/1", Quantity: "W, mean time in system", Formula: "Wq + D",
			Scenario: "validation/md1.toml", Unit: Seconds, Tolerance: 0.02, Relative: true,
			theory: func(p *params) (float64, error) {
				lambda, d, err := p.openMD1()
				return PKWait(lambda, d, d*d) + d, err
			},
			measure: response},
		{Model: "M/D/1, link d = 5ms", Quantity: "W at the client", Formula: "Wq + D + 2d",
			Scenario: "validation/link-md1.toml", Unit: Seconds, Tolerance: 0.02, Relative: true,
			theory: func(p *params) (float64, error) {
				lambda, d, err := p.openMD1()
				if err != nil {
					return 0, err
				}
				link, err := p.constantLink()
				return PKWait(lambda, d, d*d) + d + link, err
			},
			measure: clientResponse},
		{Model: "M/D/1, link d = 5ms", Quantity: "W at the client − W at the server", Formula: "2d, exactly (to 1µs)",
			Scenario: "validation/link-md1.toml", Unit: Seconds, Tolerance: 1e-6,
			theory:  func(p *params) (float64, error) { return p.constantLink() },
			measure: func(s *results.Summary) float64 { return clientResponse(s) - response(s) }},
		{Model: "M/M/c/c, c = 5", Quantity: "blocking probability", Formula: "B(c, λ/μ), Erlang B",
			Scenario: "validation/mmcc.toml", Unit: Fraction, Tolerance: 0.003,
			theory: func(p *params) (float64, error) {
				lambda, mu, err := p.openMM(5)
				if err == nil && p.server.Queue.Capacity != 0 {
					err = p.errorf("the queue must have capacity 0 (no waiting room)")
				}
				return ErlangB(5, lambda/mu), err
			},
			measure: func(s *results.Summary) float64 {
				c := s.Components["server"]
				return float64(c.Rejected) / float64(c.Arrivals)
			}},
		{Model: "closed, N = 20, Z = 50ms", Quantity: "R, mean response time", Formula: "MVA; R = N/X − Z",
			Scenario: "validation/closed.toml", Unit: Seconds, Tolerance: 0.02, Relative: true,
			theory: func(p *params) (float64, error) {
				n, z, d, err := p.closed()
				r, _ := MVA(n, z, d)
				return r, err
			},
			measure: func(s *results.Summary) float64 { return s.Clients.Latency.Mean }},
		{Model: "closed, N = 20, Z = 50ms", Quantity: "X, throughput", Formula: "MVA",
			Scenario: "validation/closed.toml", Unit: PerSecond, Tolerance: 0.01, Relative: true,
			theory: func(p *params) (float64, error) {
				n, z, d, err := p.closed()
				_, x := MVA(n, z, d)
				return x, err
			},
			measure: func(s *results.Summary) float64 { return s.Clients.GoodputRPS }},
		{Model: "retries, N = 3, p = 30%", Quantity: "success rate", Formula: "1 − p^N",
			Scenario: "validation/retries.toml", Unit: Fraction, Tolerance: 0.002,
			theory: func(p *params) (float64, error) {
				fail, n, err := p.retries()
				return RetrySuccess(fail, n), err
			},
			measure: func(s *results.Summary) float64 { return s.Clients.SuccessRate }},
		{Model: "retries, N = 3, p = 30%", Quantity: "attempts per request", Formula: "(1 − p^N)/(1 − p)",
			Scenario: "validation/retries.toml", Unit: Times, Tolerance: 0.005, Relative: true,
			theory: func(p *params) (float64, error) {
				fail, n, err := p.retries()
				return RetryAttempts(fail, n), err
			},
			measure: attemptsPerRequest},
		{Model: "answers lost, N = 3, p = 30%", Quantity: "success rate", Formula: "1 − p^N",
			Scenario: "validation/lost-answers.toml", Unit: Fraction, Tolerance: 0.002,
			theory: func(p *params) (float64, error) {
				loss, n, err := p.lostAnswers()
				return RetrySuccess(loss, n), err
			},
			measure: func(s *results.Summary) float64 { return s.Clients.SuccessRate }},
		{Model: "answers lost, N = 3, p = 30%", Quantity: "work at the callee per request", Formula: "(1 − p^N)/(1 − p)",
			Scenario: "validation/lost-answers.toml", Unit: Times, Tolerance: 0.005, Relative: true,
			theory: func(p *params) (float64, error) {
				loss, n, err := p.lostAnswers()
				return RetryAttempts(loss, n), err
			},
			measure: func(s *results.Summary) float64 {
				return float64(s.Components["server"].Completed) / float64(s.Clients.LogicalRequests)
			}},
		{Model: "gRPC throttling, r = 0.1, p = 8%", Quantity: "success rate, p below r/(1+r) = 9.09%: retries flow", Formula: "1 − p²",
			Scenario: "validation/grpc-throttling.toml", Unit: Fraction, Tolerance: 0.002,
			theory:  func(p *params) (float64, error) { return p.throttled(false) },
			measure: func(s *results.Summary) float64 { return s.Clients.SuccessRate }},
		{Model: "gRPC throttling, r = 0.1, p = 10%", Quantity: "success rate, p above r/(1+r) = 9.09%: retries stop", Formula: "1 − p",
			Scenario: "validation/grpc-throttling.toml", Variant: "above", Unit: Fraction, Tolerance: 0.002,
			theory:  func(p *params) (float64, error) { return p.throttled(true) },
			measure: func(s *results.Summary) float64 { return s.Clients.SuccessRate }},
		{Model: "3 layers × 3 attempts", Quantity: "database calls per request, all failing", Formula: "A^L",
			Scenario: "validation/layered.toml", Unit: Times, Tolerance: 0,
			theory:  func(p *params) (float64, error) { return p.layered() },
			measure: func(s *results.Summary) float64 { return s.Components["db"].Amplification }},
		{Model: "2 writers, one record, ρ = 0.5", Quantity: "writes that conflict", Formula: "ρ(2 + ρ)/((1 + ρ)(2 + 3ρ))",
			Scenario: "validation/conflicts.toml", Unit: Fraction, Tolerance: 0.005,
			theory: func(p *params) (float64, error) {
				rho, err := p.twoWriters()
				return TwoWriterConflicts(rho), err
			},
			measure: func(s *results.Summary) float64 {
				row := s.Components["row"]
				return float64(row.Conflicts) / float64(row.Completed+row.Errors)
			}},
		{Model: "LRU, C = 1000 of N = 10000 Zipf(0.8) keys", Quantity: "hit ratio", Formula: "Σ p_i(1 − e^(−p_i T)), Che",
			Scenario: "validation/lru-che.toml", Unit: Fraction, Tolerance: 0.003,
			theory: func(p *params) (float64, error) {
				if p.server == nil || p.server.Cache == nil || p.server.Cache.TTL != 0 {
					return 0, p.errorf("want a cache without a TTL")
				}
				return p.server.Cache.WarmHitRatio(), nil
			},
			measure: func(s *results.Summary) float64 { return s.Components["cache"].Cache.HitRatio }},
		{Model: "fan-out to N = 10, all", Quantity: "mean latency, the slowest of N", Formula: "H_N/μ",
			Scenario: "validation/fanout.toml", Unit: Seconds, Tolerance: 0.02, Relative: true,
			theory: func(p *params) (float64, error) {
				f, err := p.fanout(topology.JoinAll)
				return Harmonic(f.n) / f.mu, err
			},
			measure: clientResponse},
		{Model: "quorum k = 3 of n = 5", Quantity: "mean latency, the k-th fastest of n", Formula: "Σ_{i=n−k+1..n} 1/(iμ)",
			Scenario: "validation/quorum.toml", Unit: Seconds, Tolerance: 0.02, Relative: true,
			theory: func(p *params) (float64, error) {
				f, err := p.fanout(topology.JoinQuorum)
				return KthFastest(f.k, f.n, f.mu), err
			},
			measure: clientResponse},
		{Model: "fan-out to N = 10, p = 10%", Quantity: "requests slower than the SLO's latency", Formula: "1 − (1 − p)^N",
			Scenario: "validation/fanout-tail.toml", Unit: Fraction, Tolerance: 0.003,
			theory: func(p *params) (float64, error) {
				f, err := p.fanout(topology.JoinAll)
				if err != nil {
					return 0, err
				}
				if len(p.sc.SLOs) != 1 || p.sc.SLOs[0].Latency <= 0 {
					return 0, p.errorf("want one SLO with a latency on the client")
				}
				return FanoutSlow(f.work.ExceedProbability(p.sc.SLOs[0].Latency.Seconds()), f.n), nil
			},
			measure: func(s *results.Summary) float64 { return s.SLOs[0].ErrorRatio }},
		{Model: "M/M/1 by criticality", Quantity: "W of critical_plus", Formula: "W0/(1 − σ₁) + 1/μ, Cobham",
			Scenario: "validation/priority.toml", Unit: Seconds, Tolerance: 0.03, Relative: true,
			theory:  func(p *params) (float64, error) { return p.priority(0) },
			measure: func(s *results.Summary) float64 { return s.Clients.Classes["pay"].Latency.Mean }},
		{Model: "M/M/1 by criticality", Quantity: "W of sheddable", Formula: "W0/((1 − σ₁)(1 − σ₂)) + 1/μ",
			Scenario: "validation/priority.toml", Unit: Seconds, Tolerance: 0.03, Relative: true,
			theory:  func(p *params) (float64, error) { return p.priority(1) },
			measure: func(s *results.Summary) float64 { return s.Clients.Classes["batch"].Latency.Mean }},
	}
}

// clientResponse is the clients' exact mean latency.
func clientResponse(s *results.Summary) float64 { return s.Components["users"].MeanResponseS }

func response(s *results.Summary) float64 { return s.Components["server"].MeanResponseS }

// waitInQueue is Lq/λ, by Little's law on the queue.
func waitInQueue(s *results.Summary) float64 {
	c := s.Components["server"]
	return c.MeanQueue / (float64(c.Arrivals) / s.SimSeconds)
}

func attemptsPerRequest(s *results.Summary) float64 {
	return float64(s.Clients.Attempts) / float64(s.Clients.LogicalRequests)
}

// params reads a closed form's parameters from a validation scenario, and
// says what is wrong when the scenario no longer fits the model.
type params struct {
	sc     *topology.Scenario
	client *topology.Client
	server *topology.Server
}

func newParams(sc *topology.Scenario) *params {
	p := &params{sc: sc}
	for _, c := range sc.Components {
		switch {
		case c.Client != nil && p.client == nil:
			p.client = c.Client
		case c.Server != nil && p.server == nil:
			p.server = c.Server
		}
	}
	return p
}

func (p *params) errorf(format string, args ...any) error {
	return fmt.Errorf("%s does not fit its closed form: %s", p.sc.File, fmt.Sprintf(format, args...))
}

// rate is the constant arrival rate of the open-loop client.
func (p *params) rate() (float64, error) {
	if p.client == nil || len(p.client.Rate) != 1 {
		return 0, p.errorf("want one open-loop client at a constant rate")
	}
	return p.client.Rate[0].RPS, nil
}

// openMM is lambda and mu of an M/M/c server with c workers.
func (p *params) openMM(c int) (lambda, mu float64, err error) {
	if lambda, err = p.rate(); err != nil {
		return 0, 0, err
	}
	if p.server == nil || p.server.Workers != c || p.server.Work.Kind != topology.DistExponential {
		return 0, 0, p.errorf("want a server of %d workers with exponential service", c)
	}
	return lambda, 1 / p.server.Work.Mean.Seconds(), nil
}

// openMD1 is lambda and D of an M/D/1 server.
func (p *params) openMD1() (lambda, d float64, err error) {
	if lambda, err = p.rate(); err != nil {
		return 0, 0, err
	}
	if p.server == nil || p.server.Workers != 1 || p.server.Work.Kind != topology.DistConstant {
		return 0, 0, p.errorf("want a server of one worker with constant service")
	}
	return lambda, p.server.Work.Value.Seconds(), nil
}

// closed is N, Z and D of users thinking in front of one exponential server.
func (p *params) closed() (n int, z, d float64, err error) {
	if p.client == nil || p.client.Users == 0 || p.client.Think.Kind != topology.DistExponential ||
		p.server == nil || p.server.Workers != 1 || p.server.Work.Kind != topology.DistExponential {
		return 0, 0, 0, p.errorf("want closed-loop users with exponential think time and one exponential server")
	}
	return p.client.Users, p.client.Think.Mean.Seconds(), p.server.Work.Mean.Seconds(), nil
}

// retries is the error probability and the attempts of a client retrying
// errors at once against a server that fails independently.
func (p *params) retries() (fail float64, attempts int, err error) {
	if _, err := p.rate(); err != nil {
		return 0, 0, err
	}
	if p.server == nil || p.server.ErrorRate <= 0 || p.client.Call.Timeout != 0 {
		return 0, 0, p.errorf("want a server that fails at a fixed rate and a client without timeout")
	}
	return p.server.ErrorRate, p.client.Call.Retry.MaxAttempts, nil
}

// constantLink is the one-way delay of the client's link to its target,
// the same constant each way, without loss.
func (p *params) constantLink() (float64, error) {
	for i, c := range p.sc.Components {
		if c.Client != p.client {
			continue
		}
		l, _ := p.sc.Network.LinkOf(topology.Edge{From: i, To: c.Client.Target})
		d := l.RequestDelay
		if d.Kind != topology.DistConstant || l.ResponseDelay.Kind != topology.DistConstant || l.ResponseDelay.Value != d.Value || l.Lossy() || d.Value == 0 {
			break
		}
		return 2 * d.Value.Seconds(), nil
	}
	return 0, p.errorf("want a client whose link delays both ways by one constant and loses nothing")
}

// lostAnswers is the loss of answers on the client's link and its attempts,
// retried at once on timeout, against a server that never fails.
func (p *params) lostAnswers() (loss float64, attempts int, err error) {
	if _, err := p.rate(); err != nil {
		return 0, 0, err
	}
	for i, c := range p.sc.Components {
		if c.Client != p.client {
			continue
		}
		l, _ := p.sc.Network.LinkOf(topology.Edge{From: i, To: c.Client.Target})
		r := c.Client.Call.Retry
		if l.RequestLoss != 0 || l.ResponseLoss <= 0 || r.On != topology.OnTimeout || c.Client.Call.Timeout == 0 ||
			p.server == nil || p.server.ErrorRate != 0 {
			break
		}
		return l.ResponseLoss, r.MaxAttempts, nil
	}
	return 0, 0, p.errorf("want a client that retries timeouts over a link that loses answers only, to a server that never fails")
}

// twoWriters is rho = lambda/mu of two closed-loop writers with exponential
// think times making conditional writes without retries to a database of
// one record with exponential query times and a connection each.
func (p *params) twoWriters() (float64, error) {
	c := p.client
	if c == nil || c.Users != 2 || c.Think.Kind != topology.DistExponential || c.Call.Write != topology.WriteConditional ||
		c.Call.Retry.MaxAttempts != 1 || p.server == nil || p.server.Records == nil || p.server.Records.Keys != 1 ||
		p.server.Workers < 2 || p.server.Work.Kind != topology.DistExponential {
		return 0, p.errorf("want two writers with exponential think times making conditional writes, once each, to one record with exponential query times and two connections")
	}
	return p.server.Work.Mean.Seconds() / c.Think.Mean.Seconds(), nil
}

// throttled is the success rate of two attempts under gRPC retry
// throttling: 1 - p² while p is below the threshold, 1 - p above it.
func (p *params) throttled(above bool) (float64, error) {
	fail, attempts, err := p.retries()
	if err != nil {
		return 0, err
	}
	b := p.client.Call.Retry.Budget
	if attempts != 2 || b == nil || b.Kind != topology.BudgetGRPC {
		return 0, p.errorf("want two attempts under a gRPC retry budget")
	}
	if threshold := GRPCThreshold(b.TokenRatio); (fail > threshold) != above {
		return 0, p.errorf("the error rate %g is on the wrong side of r/(1+r) = %.4f", fail, threshold)
	}
	if above {
		return RetrySuccess(fail, 1), nil
	}
	return RetrySuccess(fail, 2), nil
}

// layered is the product of the attempts along the chain from the client
// to the database, every layer retrying errors.
func (p *params) layered() (float64, error) {
	attempts := []int{p.client.Call.Retry.MaxAttempts}
	for at := p.client.Target; ; {
		k := p.sc.Components[at]
		if k.Server == nil {
			return 0, p.errorf("want a chain of services")
		}
		if len(k.Server.Calls) == 0 {
			if k.Server.ErrorRate != 1 {
				return 0, p.errorf("want a bottom that always fails")
			}
			return LayeredAmplification(attempts...), nil
		}
		if len(k.Server.Calls) != 1 {
			return 0, p.errorf("want one call per layer")
		}
		c := k.Server.Calls[0]
		attempts = append(attempts, c.Retry.MaxAttempts)
		at = c.To
	}
}

// fan is a fan-out's parameters: n calls, k of them joined, each drawing
// its time from work.
type fan struct {
	n, k int
	mu   float64 // 1/mean of work, when it is exponential
	work topology.Dist
}

// fanout reads a front end that does no work and calls, in one group with
// join, the instances of a service that never queue (workers enough for
// ten times the load).
func (p *params) fanout(join topology.Join) (fan, error) {
	rate, err := p.rate()
	if err != nil {
		return fan{}, err
	}
	front := p.sc.Components[p.client.Target].Server
	if front == nil || front.Work.Kind != topology.DistConstant || front.Work.Value != 0 || len(front.Calls) == 0 {
		return fan{}, p.errorf("want a front end with no work of its own and calls")
	}
	g := front.Calls[0].Group
	if g == nil || g.Join != join || g.Timeout != 0 || len(front.Steps()) != 1 {
		return fan{}, p.errorf("want a front end whose one step is a group joined by %q, without a join timeout", join)
	}
	f := fan{n: g.Members(front.Calls), k: g.Quorum}
	for _, c := range front.Calls[g.First:g.End] {
		for _, t := range c.Callees() {
			leaf := p.sc.Components[t].Server
			if leaf == nil || len(leaf.Calls) > 0 || float64(leaf.Workers) < 10*rate*leaf.Work.MeanSeconds() {
				return fan{}, p.errorf("want leaves without calls and with workers enough that nothing queues")
			}
			if f.work.Kind != leaf.Work.Kind || f.work.Mean != leaf.Work.Mean {
				if t != front.Calls[g.First].Callees()[0] {
					return fan{}, p.errorf("want every leaf to draw from one distribution")
				}
				f.work = leaf.Work
			}
		}
	}
	if f.work.Kind == topology.DistExponential {
		f.mu = 1 / f.work.Mean.Seconds()
	} else if join != topology.JoinAll || p.sc.SLOs == nil {
		return fan{}, p.errorf("want exponential leaves")
	}
	return f, nil
}

// priority is the mean time in system of the class at index i (0 the
// highest) of an M/M/1 server that serves two classes of different
// criticality by priority, by Cobham's formula.
func (p *params) priority(i int) (float64, error) {
	lambda, mu, err := p.openMM(1)
	if err != nil {
		return 0, err
	}
	cl := p.client.Classes
	if len(cl) != 2 || cl[0].Criticality <= cl[1].Criticality || !p.server.Queue.ByCriticality {
		return 0, p.errorf("want two classes, the first of higher criticality, and a queue by criticality")
	}
	share := cl[0].Weight / (cl[0].Weight + cl[1].Weight)
	rho := []float64{lambda * share / mu, lambda * (1 - share) / mu}
	w0 := lambda * (2 / (mu * mu)) / 2 // Σ λ_i E[S²]/2 with exponential service
	above := 0.0
	if i == 1 {
		above = rho[0]
	}
	return w0/((1-above)*(1-above-rho[i])) + 1/mu, nil
}

// tolerance is the largest |simulated - theory| the check accepts.
func (c *Check) tolerance(theory float64) float64 {
	if c.Relative {
		return c.Tolerance * math.Abs(theory)
	}
	return c.Tolerance
}
