package topology

import "time"

// Scenario is a validated model, ready to simulate. Component references are
// indices into Components; every index is valid and the call graph has no
// cycle.
type Scenario struct {
	Name        string
	Description string
	File        string // path it was loaded from, for messages
	Source      []byte // the scenario text, for reports

	Variant            string   // the selected variant, "" for the base
	VariantDescription string   // what the selected variant changes
	Variants           []string // every variant the file defines, sorted

	Duration time.Duration
	Seed     uint64
	Metrics  Metrics

	Components []Component // clients first, then in the order the file defines them
	Faults     []Fault     // sorted by start time
	SLOs       []SLO       // in file order
	Alerts     []Alert     // in file order

	Interventions []Intervention // sorted by time

	Network Network // the links between components: none (the zero Network) unless the file has [network] or [[link]]
}

// Metrics configures how results are bucketed and how recovery is judged.
type Metrics struct {
	Bucket            time.Duration // width of one time bucket
	Warmup            time.Duration // the start of the run left out of every statistic; a whole number of buckets
	RecoveryWindow    time.Duration // goodput is averaged over this window when judging recovery
	RecoveryTolerance float64       // recovered means within this fraction of the pre-fault goodput
	PerInstanceUpTo   int           // a service with more instances is reported as one component, its instances together
}

// DefaultPerInstanceUpTo is how many instances a service may have and still
// be reported instance by instance.
const DefaultPerInstanceUpTo = 64

// Kind is what a component is.
type Kind uint8

// The component kinds.
const (
	KindClient Kind = iota
	KindLoadBalancer
	KindService
	KindDatabase
	KindQueue
)

// KindNames are the names scenario files give component kinds, indexed by value.
var KindNames = [...]string{"client", "load_balancer", "service", "database", "queue"}

// String returns the policy's name in scenario files.
func (p Policy) String() string { return PolicyNames[p] }

func (k Kind) String() string { return KindNames[k] }

// Component is one node of the topology. Exactly one of Client, Balancer,
// Server and Durable is set, according to Kind (Server for services and
// databases, Durable for queues).
type Component struct {
	Name  string
	Kind  Kind
	Group string // the service a replica belongs to ("api" for "api-2"); Name otherwise
	Pos   Pos    // where the file defines it

	Standby bool // a replica beyond the service's instances, up to max_instances: it serves once scaled up

	Client   *Client
	Balancer *Balancer
	Server   *Server
	Durable  *DurableQueue
}

// Client issues logical requests, open loop (Rate) or closed loop (Users).
type Client struct {
	Target int
	Rate   []RatePoint // open loop; nil for closed loop
	Users  int         // closed loop; 0 for open loop
	Think  Dist        // closed loop: pause between a user's requests
	Call   CallPolicy

	Requests int // closed loop: how many requests each user makes, then stops; 0 for no limit

	Classes []Class // request classes (operations) it mixes, by weight; nil when every request is the same
}

// RatePoint is a corner of a piecewise-linear arrival rate: the rate is RPS at
// At and changes linearly to the next point. Two points at the same time make
// a step. The rate before the first point and after the last is constant.
type RatePoint struct {
	At  time.Duration
	RPS float64
}

// CallPolicy is how a caller makes one call to the next tier: how long it
// waits for each attempt, for all of them, when it tries again, and what it
// tells the callee.
type CallPolicy struct {
	Timeout  time.Duration // per attempt; 0 waits forever
	Deadline time.Duration // over all attempts and backoff; 0 for none
	Retry    Retry

	Cancel            bool      // tell the callee when giving up on a call
	PropagateDeadline bool      // send the time left with each call
	Breaker           *Breaker  // a circuit breaker on this edge, or nil
	Throttle          *Throttle // client-side adaptive throttling, or nil
	Hedge             *Hedge    // gRPC hedging instead of retries, or nil
	Write             Write     // what the call does to the callee's state
	Fallback          *Fallback // what the caller answers with when the call fails, or nil

	// Where the file says so, for findings about this edge: the client,
	// balancer or [[call]] entry, its timeout key (a balancer's
	// per_try_timeout), its deadline key (a balancer's route timeout) and
	// its write key. A key that is not written, or was set by a Setting,
	// has the zero Pos.
	Pos, TimeoutPos, DeadlinePos, WritePos Pos
}

// Retry says which failures are tried again and how.
type Retry struct {
	MaxAttempts int // counting the first; 1 means no retries; Unlimited for no limit but the deadline
	On          Outcomes
	Backoff     Backoff
	Budget      *Budget // limits retries over time, or nil
	Pos         Pos     // the retry key (a balancer's retry_policy); zero when not written
}

// Unlimited is MaxAttempts when only the call's deadline bounds its
// attempts.
const Unlimited = 1<<31 - 1

// Budget limits retries as the real systems it is named after do.
type Budget struct {
	Kind BudgetKind

	// gRPC retryThrottling: tokens start at MaxTokens; a failed attempt
	// takes 1, a success adds TokenRatio; retries only while tokens > MaxTokens/2.
	MaxTokens, TokenRatio float64

	// AWS SDK standard mode: a bucket of Capacity tokens; a retry costs
	// RetryCost (TimeoutRetryCost after a timeout), a first-try success adds
	// NoRetryIncrement, a successful retry refunds its cost.
	Capacity, RetryCost, TimeoutRetryCost, NoRetryIncrement float64

	// Envoy retry_budget: at most max(MinRetryConcurrency, BudgetPercent% of
	// active requests) retries outstanding at once.
	BudgetPercent       float64
	MinRetryConcurrency int

	// Finagle RetryBudget: retries may spend PercentCanRetry of the requests
	// of the last TTL, plus MinRetriesPerSec * TTL.
	TTL              time.Duration
	MinRetriesPerSec float64
	PercentCanRetry  float64

	// Token bucket (Brooker's, and the shape of several SDKs): a bucket of
	// Capacity tokens, full or (StartEmpty) empty at the start; every
	// request (or, with DepositOnSuccess, every success) adds Deposit, a
	// retry is sent only if it can take Cost.
	Deposit          float64
	DepositOnSuccess bool
	Cost             float64
	StartEmpty       bool

	// Retry breaker: retries stop while more than FailureRateThreshold
	// percent of the attempts that ended in the last Window (0: the whole
	// run so far) failed, once at least MinimumNumberOfCalls ended there.
	// First attempts always go.
	FailureRateThreshold float64
	Window               time.Duration
	MinimumNumberOfCalls int

	Pos Pos // the budget key (a balancer's retry_budget); zero when set by a Setting
}

// BudgetKind names a retry budget's shape.
type BudgetKind uint8

// Retry budget shapes.
const (
	BudgetGRPC BudgetKind = iota
	BudgetAWS
	BudgetEnvoy
	BudgetFinagle
	BudgetTokenBucket
	BudgetRetryBreaker
)

// BudgetNames are the names scenario files give retry budget shapes, indexed by value.
var BudgetNames = []string{"grpc", "aws", "envoy", "finagle", "token_bucket", "retry_breaker"}

func (k BudgetKind) String() string { return BudgetNames[k] }

// Hedge is gRPC's hedgingPolicy: up to MaxAttempts copies of a call, the
// next sent HedgingDelay after the previous one (at once when it fails with
// a non-fatal outcome), the first success wins and the others are
// cancelled. A fatal outcome (one not in NonFatal) ends the call.
type Hedge struct {
	MaxAttempts  int
	HedgingDelay time.Duration
	NonFatal     Outcomes
}

// Breaker is a circuit breaker with resilience4j's semantics and names.
type Breaker struct {
	TimeBased                bool // sliding window of SlidingWindowSize seconds, else of calls
	SlidingWindowSize        int
	MinimumNumberOfCalls     int
	FailureRateThreshold     float64 // percent
	SlowCallRateThreshold    float64 // percent
	SlowCallDuration         time.Duration
	WaitDurationInOpenState  time.Duration
	PermittedCallsInHalfOpen int

	Pos Pos // the breaker key; zero when set by a Setting
}

// Throttle is the SRE book's client-side adaptive throttling: reject locally
// with probability max(0, (requests - K*accepts) / (requests + 1)) over the
// last Window.
type Throttle struct {
	K      float64
	Window time.Duration
}

// Outcomes is a set of call outcomes a retry policy can react to.
type Outcomes uint8

// The failed outcomes of a call, as the caller sees them.
const (
	OnTimeout  Outcomes = 1 << iota // the caller's own timer fired
	OnError                         // the callee answered with an error
	OnRejected                      // the callee refused the call (full queue, down)
)

// Backoff is the wait before retry n (n = 1 for the first retry).
type Backoff struct {
	Kind       BackoffKind
	Jitter     Jitter
	Base       time.Duration
	Cap        time.Duration
	Multiplier float64
}

// BackoffKind is the shape of the wait before a retry.
type BackoffKind uint8

// Backoff shapes. Envoy is Envoy's own: U[0, (2^n - 1) * base), then capped.
const (
	BackoffNone BackoffKind = iota
	BackoffConstant
	BackoffExponential
	BackoffEnvoy
)

// Jitter randomises an exponential backoff.
type Jitter uint8

// Jitter kinds, as in the AWS architecture blog's comparison.
const (
	JitterNone Jitter = iota
	JitterFull
	JitterEqual
	JitterDecorrelated
)

// The names scenario files use, indexed by value.
var (
	DisciplineNames = []string{"fifo", "lifo", "adaptive_lifo"}
	BackoffNames    = []string{"none", "constant", "exponential"} // Envoy's is set by retry_back_off
	JitterNames     = []string{"none", "full", "equal", "decorrelated"}
	PolicyNames     = []string{"round_robin", "random", "least_request", "power_of_two"}
)

// Balancer spreads calls over targets and may retry on another target.
type Balancer struct {
	Targets          []int
	Policy           Policy
	Call             CallPolicy    // Deadline is the route timeout, Timeout the per-try timeout
	DeadlineOverhead time.Duration // kept back from a propagated deadline
	Thresholds       *Thresholds   // Envoy circuit_breakers, or nil
	Outlier          *Outlier      // Envoy outlier_detection, or nil
}

// Thresholds are Envoy's cluster circuit breaker thresholds: at most
// MaxRequests calls outstanding to the targets, MaxPendingRequests more
// waiting for one of them, and MaxRetries retries outstanding (unless the
// retry policy has a budget).
type Thresholds struct {
	MaxRequests, MaxPendingRequests, MaxRetries int
}

// Outlier is Envoy's outlier detection by consecutive 5xx.
type Outlier struct {
	Consecutive5xx     int
	Interval           time.Duration
	BaseEjectionTime   time.Duration
	MaxEjectionTime    time.Duration
	MaxEjectionPercent float64
}

// Policy is how a load balancer picks a target.
type Policy uint8

// Load-balancing policies.
const (
	RoundRobin Policy = iota
	Random
	LeastRequest
	PowerOfTwo
)

// Server is a service or a database: workers (connections) that take calls
// from a queue, hold a worker while they compute and while they make their
// downstream calls, and answer.
type Server struct {
	Workers   int
	Queue     Queue
	Work      Dist          // service (query) time
	ErrorRate float64       // probability that a call ends in an error
	Timeout   time.Duration // a database's limit on a query's time inside it, waiting included; 0 for none
	Slowdown  Slowdown
	Calls     []Call // made in order after the work, each must succeed

	AbortOnCancel    bool          // a cancelled call's work stops at once, freeing its worker
	DeadlineOverhead time.Duration // kept back from a propagated deadline
	Limit            *Limit        // a concurrency limit in front of the queue, or nil
	Cache            *Cache        // a cache-aside lookup before the calls, or nil

	IdempotencyKeys  *KeyStore      // deduplicates writes by their idempotency key, or nil
	Records          *Records       // databases: keyed, versioned records that writes change, or nil
	OnPartialFailure PartialFailure // what a handler does when a step fails after a write step succeeded
	Repair           Backoff        // retry-step: the wait before each repair attempt
	PartialPos       Pos            // the on_partial_failure key; zero when not written
	Autoscale        *Autoscale     // scales the service's instances or workers, or nil

	WorkersPos Pos // the workers (connections) key; zero when not written

	// ClassBulkheads bound, by request class name, how many calls of the
	// class may be inside at once (queued and in service); beyond, a call
	// of the class is refused (shed). Nil for none.
	ClassBulkheads map[string]int
}

// Queue is where calls wait for a worker.
type Queue struct {
	Capacity   int // -1 for unbounded; 0 rejects whenever all workers are busy
	Discipline Discipline
	LIFOAbove  int           // adaptive LIFO: serve newest first while more than this many wait
	Timeout    time.Duration // a call that waited this long is dropped (rejected); 0 for none
	Pos        Pos           // the queue key; zero when not written

	// ByCriticality serves waiting calls highest criticality first and,
	// when the queue is full or the concurrency limit reached, drops the
	// oldest waiting call of a lower criticality to make room (classes.go).
	ByCriticality bool
}

// Discipline is the order in which queued calls are served.
type Discipline uint8

// Queue disciplines.
const (
	FIFO Discipline = iota
	LIFO
	AdaptiveLIFO
)

// Limit is a concurrency limit: calls beyond it are rejected at once. Static
// keeps Initial; AIMD adapts it as Netflix's concurrency-limits AIMDLimit
// does: on each answered call, if it took longer than Timeout or failed, the
// limit is multiplied by BackoffRatio, else if at least half the limit was in
// use it grows by one; always within [Min, Max].
type Limit struct {
	AIMD         bool
	Initial      int
	Min, Max     int
	BackoffRatio float64
	Timeout      time.Duration
}

// Slowdown makes work slower as more of it runs at once. With n calls in
// service (this one included), the work drawn from the distribution is
// multiplied by 1 + Sigma*(n-1) + Kappa*n*(n-1) (the Universal Scalability
// Law) and then PerCall*n is added (linear contention).
type Slowdown struct {
	PerCall time.Duration
	Sigma   float64
	Kappa   float64
}

// Call is one downstream step of a server's handler, or one member of a
// step that makes several calls at once (Group, fanout.go).
type Call struct {
	To int
	CallPolicy
	Fraction float64 // of the handler's runs that make this step (1: all)
	Bulkhead int     // most of the server's jobs in this step at once; 0 for no limit

	Step     string // the step's name, which request classes refer to: its name key, else its callee's name
	Group    *Group // the group of calls made at once this call belongs to, or nil for a step of its own
	Optional bool   // a group member whose failure or lateness the step tolerates (the answer is degraded)
	Targets  []int  // scatter: the instances of a replicated service it calls, one call each; nil otherwise
	Pick     int    // scatter: how many of Targets each run calls, drawn at random; len(Targets) for every one
}

// Dist is a distribution of durations.
type Dist struct {
	Kind   DistKind
	Value  time.Duration // constant
	Mean   time.Duration // exponential
	Min    time.Duration // uniform
	Max    time.Duration // uniform
	Median time.Duration // lognormal
	P99    time.Duration // lognormal
	Points []Quantile    // empirical, ascending in P and Value, from P = 0 to P = 1
}

// DistKind names a distribution family.
type DistKind uint8

// Distribution families.
const (
	DistConstant DistKind = iota
	DistExponential
	DistUniform
	DistLognormal
	DistEmpirical
)

// Quantile is one point of an empirical distribution: a fraction P of values
// are at most Value.
type Quantile struct {
	P     float64
	Value time.Duration
}

// Fault is a window [At, At+For) during which something is wrong with its
// targets (several for a replicated service), or with links between
// components (Link set, Targets empty).
type Fault struct {
	Name      string // "slowdown db" unless named
	Kind      FaultKind
	Targets   []int
	Link      *LinkTarget // a link fault: the edges it hits and which way; nil for a component fault
	At, For   time.Duration
	Factor    float64       // slowdown, load-spike
	Latency   time.Duration // latency on a component
	Delay     Dist          // latency on links: added to each message's one-way delay
	ErrorRate float64       // errors
	Loss      float64       // loss: probability that a message is lost
	Workers   int           // capacity
	Drift     Drift         // drift
	Pos       Pos
}

// End is when the fault is over.
func (f Fault) End() time.Duration { return f.At + f.For }

// FaultKind is what a fault does.
type FaultKind uint8

// Fault kinds.
const (
	FaultSlowdown  FaultKind = iota // work takes Factor times longer
	FaultLatency                    // work takes Latency longer
	FaultErrors                     // calls fail with probability ErrorRate
	FaultCapacity                   // only Workers workers (connections) remain
	FaultCrash                      // the component drops all its work and refuses calls
	FaultLoadSpike                  // an open-loop client's rate is multiplied by Factor
	FaultDrift                      // a parameter moves linearly from Drift.From to Drift.To
	FaultPartition                  // links: nothing passes
	FaultLoss                       // links: messages are lost with probability Loss
)

// FaultNames are the names scenario files give fault kinds, indexed by value.
var FaultNames = [...]string{"slowdown", "latency", "errors", "capacity", "crash", "load-spike", "drift", "partition", "loss"}

func (k FaultKind) String() string { return FaultNames[k] }

// Pos is a place in a scenario file.
type Pos struct {
	File      string
	Line, Col int
}
