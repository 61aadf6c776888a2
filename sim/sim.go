package sim

import (
	"hash"
	"math/rand/v2"

	"github.com/failsim/failsim/sim/breaker"
	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/sim/random"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/sim/retry"
	"github.com/failsim/failsim/sim/throttle"
	"github.com/failsim/failsim/topology"
)

// Version identifies the engine's behaviour: the same scenario, variant,
// settings and seed give the same results under one Version. It changes with
// every change that moves a result, so that runs of different engines are
// never merged as one.
const Version = "2026.11.1"

// Event kinds.
const (
	evArrival    des.Kind = iota // an open-loop client's next logical request (Comp)
	evUserWake                   // a closed-loop user (Ref) of client Comp starts a request
	evRetry                      // job Ref's backoff is over
	evTimeout                    // the caller's timer on call Ref fired
	evWorkDone                   // server job Ref finished its work
	evExpire                     // server job Ref waited in the queue as long as it may
	evFaultStart                 // fault Ref begins
	evFaultEnd                   // fault Ref ends
	evSweep                      // load balancer Comp's outlier detection interval
)

// Sim is one run in progress.
type Sim struct {
	sc     *topology.Scenario
	seed   uint64
	sched  des.Scheduler
	end    des.Time
	events uint64
	recs   records

	comps  []component
	faults []topology.Fault
	active int // faults in progress

	// Metrics.
	bucket     des.Time
	bucketEnd  des.Time
	series     *results.Series
	faultLogic int64 // logical requests issued while a fault was active

	finished des.Time // when the last user with a request limit made its last request

	violation string      // the first invariant seen broken as it happened
	fp        hash.Hash64 // the event fingerprint, when asked for
	tr        *tracing    // the run's Tracer, nil without one
	view      view        // the bucket being closed
}

// component is the runtime state of one topology node; exactly one of
// client, lb and srv is set.
type component struct {
	name    string
	kind    topology.Kind
	stats   stats
	jobs    int32    // head of the list of jobs here, -1 when empty
	cols    []column // its metrics in timeseries.csv
	col     int      // index of its first metric in the series
	client  *client
	lb      *balancer
	srv     *server
	backoff *rand.Rand // draws for retry backoff
	local   *rand.Rand // draws for adaptive throttling
}

// policies lists the component's outbound edges.
func (k *component) policies() []*policy {
	switch {
	case k.client != nil:
		return []*policy{&k.client.policy}
	case k.lb != nil:
		return []*policy{&k.lb.policy}
	}
	var out []*policy
	for i := range k.srv.calls {
		out = append(out, &k.srv.calls[i])
	}
	return out
}

// policy is one edge: a topology.CallPolicy in simulated time, with its
// callee and the state of the mechanisms that guard it.
type policy struct {
	to          int32 // callee, or -1 when a balancer picks one per attempt
	timeout     des.Time
	deadline    des.Time
	maxAttempts int32
	retryOn     topology.Outcomes
	backoff     topology.Backoff
	cancel      bool         // tell the callee when giving up
	propagate   bool         // send the deadline with each call
	delays      []*des.Delay // timers of the fixed waits: the per-try timeout and the deadline

	budget   *retry.Budget
	breaker  *breaker.Breaker
	throttle *throttle.Throttle
}

func newPolicy(s *Sim, to int, p topology.CallPolicy) policy {
	pol := policy{
		to:          int32(to),
		timeout:     des.FromDuration(p.Timeout),
		deadline:    des.FromDuration(p.Deadline),
		maxAttempts: int32(p.Retry.MaxAttempts),
		retryOn:     p.Retry.On,
		backoff:     p.Retry.Backoff,
		cancel:      p.Cancel,
		propagate:   p.PropagateDeadline,
	}
	for _, d := range []des.Time{pol.timeout, pol.deadline} {
		if d > 0 {
			pol.delays = append(pol.delays, s.sched.NewDelay(d, evTimeout, 0))
		}
	}
	if p.Retry.Budget != nil {
		pol.budget = retry.NewBudget(*p.Retry.Budget)
	}
	if p.Breaker != nil {
		pol.breaker = breaker.New(*p.Breaker)
	}
	if p.Throttle != nil {
		pol.throttle = throttle.New(*p.Throttle)
	}
	return pol
}

func newSim(sc *topology.Scenario, seed uint64) *Sim {
	s := &Sim{
		sc:     sc,
		seed:   seed,
		end:    des.FromDuration(sc.Duration),
		faults: sc.Faults,
		bucket: des.FromDuration(sc.Metrics.Bucket),
	}
	s.bucketEnd = s.bucket
	s.comps = make([]component, len(sc.Components))
	var keys []results.Key
	for i, c := range sc.Components {
		k := &s.comps[i]
		k.name, k.kind, k.jobs = c.Name, c.Kind, -1
		k.stats.init()
		k.backoff = random.Stream(seed, c.Name, "backoff")
		k.local = random.Stream(seed, c.Name, "throttle")
		switch c.Kind {
		case topology.KindClient:
			k.client = newClient(s, i, c.Client)
		case topology.KindLoadBalancer:
			k.lb = newBalancer(s, c)
			if o := c.Balancer.Outlier; o != nil {
				s.sched.Schedule(des.FromDuration(o.Interval), evSweep, int32(i), 0)
			}
		default:
			k.srv = newServer(s, c)
			k.stats.capacity.Add(0, int64(k.srv.capacity))
		}
	}
	// Columns name their callees, so every component must exist first.
	for i := range s.comps {
		k := &s.comps[i]
		k.cols = s.columnsFor(k)
		k.col = len(keys)
		keys = append(keys, keysOf(k.name, k.cols)...)
	}
	s.series = results.NewSeries(sc.Metrics.Bucket.Seconds(), keys)
	s.series.EndS = sc.Duration.Seconds()
	for i, f := range s.faults {
		s.sched.Schedule(des.FromDuration(f.At), evFaultStart, 0, int32(i))
		s.sched.Schedule(des.FromDuration(f.End()), evFaultEnd, 0, int32(i))
	}
	for i := range s.comps {
		if cl := s.comps[i].client; cl != nil {
			s.startClient(int32(i), cl)
		}
	}
	return s
}

func (s *Sim) now() des.Time { return s.sched.Now() }
