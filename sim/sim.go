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
	evArrival     des.Kind = iota // an open-loop client's next logical request (Comp)
	evUserWake                    // a closed-loop user (Ref) of client Comp starts a request
	evRetry                       // job Ref's backoff is over
	evTimeout                     // the caller's timer on call Ref fired
	evWorkDone                    // server job Ref finished its work
	evExpire                      // server job Ref waited in the queue as long as it may
	evFaultStart                  // fault Ref begins
	evFaultEnd                    // fault Ref ends
	evSweep                       // load balancer Comp's outlier detection interval
	evDriftStep                   // drift fault Ref's value moves on
	evAlertEval                   // the alerts are evaluated
	evHedge                       // job Ref's hedging delay is over: send the next copy
	evFallback                    // job Ref's fallback answer is ready
	evRepair                      // repair Ref's backoff is over: try the failed step again
	evRetention                   // queue Comp's oldest message reaches its retention
	evIntervene                   // intervention Ref is applied
	evUndo                        // applied intervention Ref is undone
	evRestarted                   // component Comp is back from a restart
	evScaleOpen                   // pool Ref's autoscaler opens a metric window
	evScaleCheck                  // pool Ref's autoscaler decides
	evScaleReady                  // capacity pool Ref requested is ready: Comp instances or workers
	evJoinTimeout                 // job Ref's join_timeout on its group step is over
	evLinkArrive                  // call Ref reaches its callee over its link
	evLinkAnswer                  // the answer (outcome Comp) to call Ref reaches its caller over its link
	evKinds                       // the number of kinds: dispatch has a case for each one below it
)

// Sim is one run in progress.
type Sim struct {
	sc     *topology.Scenario
	seed   uint64
	sched  des.Scheduler
	end    des.Time
	events uint64
	recs   records

	comps   []component
	reports []report // what the outputs show: components, or instances together
	faults  []topology.Fault
	active  int // faults in progress
	slos    []*slo
	alerts  []*alert

	// Metrics.
	bucket     des.Time
	bucketEnd  des.Time
	series     *results.Series
	faultLogic int64                 // logical requests issued while a fault was active
	onBucket   func(*results.Series) // Options.OnBucket: told of each bucket as it closes, or nil

	warmupEnd        des.Time // statistics start here, at a bucket's end; 0 without a warm-up
	faultLogicWarmup int64    // faultLogic when the warm-up ended

	book          *book                  // writes, idempotency keys, inconsistent outcomes; nil when the scenario has no write
	hedges        []hedgeSet             // the copies in flight of each job's hedged call, by record; nil without hedging
	joins         []joinState            // each job's group step in progress, by record; nil without groups
	crit          []topology.Criticality // by request class (its index + 1): its criticality; index 0, no class, is CRITICAL
	interventions []applied              // interventions as they were applied, in time order
	pools         []pool                 // services whose instances or workers change during the run
	finished      des.Time               // when the last user with a request limit made its last request
	links         []*link                // the links of edges with a delay, a loss or a fault; nil without (links.go)
	faultDelays   *rand.Rand             // draws of the delays latency faults add on links

	lastLook des.Time // the time of the last look at whether to stop, and
	stalled  int      // how many events have passed since without time moving

	violation string         // the first invariant seen broken as it happened
	fp        hash.Hash64    // the event fingerprint, when asked for
	tr        *tracing       // the run's Tracer, nil without one
	view      view           // the bucket being closed
	block     *results.Block // the series as it is written, bucket by bucket
}

// component is the runtime state of one topology node; exactly one of
// client, lb and srv is set.
type component struct {
	name    string
	kind    topology.Kind
	stats   *stats // its report's: shared by the instances of a fleet
	report  int32  // index in Sim.reports
	jobs    int32  // head of the list of jobs here, -1 when empty
	held    int64  // calls inside it: the length of jobs
	client  *client
	lb      *balancer
	srv     *server
	mq      *durable
	backoff *rand.Rand // draws for retry backoff
	local   *rand.Rand // draws for adaptive throttling

	downUntil des.Time // a restart keeps it down until then
}

// policies lists the component's outbound edges.
func (k *component) policies() []*policy {
	switch {
	case k.client != nil && k.client.classes == nil:
		return []*policy{&k.client.policy}
	case k.lb != nil:
		return []*policy{&k.lb.policy}
	case k.mq != nil:
		return nil
	}
	var out []*policy
	if k.client != nil { // a client with request classes
		out = append(out, &k.client.policy)
		for _, cc := range k.client.classes {
			out = append(out, &cc.policy)
		}
		return out
	}
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
	retriesOff  bool         // an operator switched retries off
	delays      []*des.Delay // timers of the fixed waits: the per-try timeout and the deadline

	budget   *retry.Budget
	breaker  *breaker.Breaker
	throttle *throttle.Throttle

	write    uint16             // the write the call makes (its slot + 1), 0 for a read
	hedge    *topology.Hedge    // hedged instead of retried, or nil
	fallback *topology.Fallback // answered from a fallback when it fails, or nil
	fraction float64            // of the jobs that make this step (servers' calls)
	bulkhead int32              // most jobs in this step at once; 0 for no limit
	inStep   int32              // jobs in this step now, when it has a bulkhead

	group    *group   // the group of calls made at once it is a member of, or nil (fanout.go)
	optional bool     // a group member whose failure degrades the answer instead of failing it
	scatter  *scatter // a scatter: the instances it calls, one call each; to is then -1

	// Last, so that a scenario without links finds the fields above where
	// they were before links: the links its calls cross, by target (a
	// balancer's, a scatter's; else one), nil when none has one; and the
	// targets of links.
	links       []*link
	linkTargets []int32
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
		hedge:       p.Hedge,
		fallback:    p.Fallback,
		fraction:    1,
	}
	if p.Hedge != nil { // gRPC treats more than 5 as 5, whoever built the policy
		pol.maxAttempts = int32(min(p.Hedge.MaxAttempts, topology.MaxHedgeAttempts))
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

		warmupEnd: des.FromDuration(sc.Metrics.Warmup),
	}
	s.bucketEnd = s.bucket
	s.crit = classCriticalities(sc)
	classes := sc.Classes()
	s.comps = make([]component, len(sc.Components))
	s.newReports()
	var keys []results.Key
	for i, c := range sc.Components {
		k := &s.comps[i]
		k.name, k.kind, k.jobs = c.Name, c.Kind, -1
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
		case topology.KindQueue: // queues come last: their consumers, services, exist
			k.mq = newDurable(s, i, c.Durable)
		default:
			k.srv = newServer(s, c)
			k.stats.capacity.Add(0, int64(k.srv.capacity))
			if classes != nil {
				s.newServerClasses(i, k.srv, classes, k.srv.workDraw)
			}
		}
	}
	s.newAlerts()
	s.initState()
	s.newLinks()
	// Columns name their callees, so every component must exist first.
	for i := range s.reports {
		r := &s.reports[i]
		r.cols = s.reportColumns(r)
		r.quiet = quietBucket{levels: noLevels, row: make([]float64, len(r.cols))}
		r.col = len(keys)
		keys = append(keys, keysOf(r.name, r.cols)...)
	}
	keys = s.newPools(keys)
	s.series = results.NewSeries(sc.Metrics.Bucket.Seconds(), keys)
	s.series.EndS = sc.Duration.Seconds()
	s.startAlerts()
	for i, f := range s.faults {
		s.sched.Schedule(des.FromDuration(f.At), evFaultStart, 0, int32(i))
		s.sched.Schedule(des.FromDuration(f.End()), evFaultEnd, 0, int32(i))
	}
	for i, iv := range sc.Interventions {
		if iv.OnAlert == "" { // the others wait for their alert: alertFired
			s.scheduleIntervention(i, des.FromDuration(iv.At))
		}
	}
	for i := range s.comps {
		if cl := s.comps[i].client; cl != nil {
			s.startClient(int32(i), cl)
		}
	}
	return s
}

func (s *Sim) now() des.Time { return s.sched.Now() }
