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
}

// Metrics configures how results are bucketed and how recovery is judged.
type Metrics struct {
	Bucket            time.Duration // width of one time bucket
	RecoveryWindow    time.Duration // goodput is averaged over this window when judging recovery
	RecoveryTolerance float64       // recovered means within this fraction of the pre-fault goodput
}

// Kind is what a component is.
type Kind uint8

// The component kinds.
const (
	KindClient Kind = iota
	KindLoadBalancer
	KindService
	KindDatabase
)

var kindNames = [...]string{"client", "load_balancer", "service", "database"}

func (k Kind) String() string { return kindNames[k] }

// Component is one node of the topology. Exactly one of Client, Balancer and
// Server is set, according to Kind (Server for services and databases).
type Component struct {
	Name  string
	Kind  Kind
	Group string // the service a replica belongs to ("api" for "api-2"); Name otherwise
	Pos   Pos    // where the file defines it

	Client   *Client
	Balancer *Balancer
	Server   *Server
}

// Client issues logical requests, open loop (Rate) or closed loop (Users).
type Client struct {
	Target int
	Rate   []RatePoint // open loop; nil for closed loop
	Users  int         // closed loop; 0 for open loop
	Think  Dist        // closed loop: pause between a user's requests
	Call   CallPolicy
}

// RatePoint is a corner of a piecewise-linear arrival rate: the rate is RPS at
// At and changes linearly to the next point. Two points at the same time make
// a step. The rate before the first point and after the last is constant.
type RatePoint struct {
	At  time.Duration
	RPS float64
}

// CallPolicy is how a caller makes one call to the next tier: how long it
// waits for each attempt, for all of them, and when it tries again.
type CallPolicy struct {
	Timeout  time.Duration // per attempt; 0 waits forever
	Deadline time.Duration // over all attempts and backoff; 0 for none
	Retry    Retry
}

// Retry says which failures are tried again and how.
type Retry struct {
	MaxAttempts int // counting the first; 1 means no retries
	On          Outcomes
	Backoff     Backoff
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
	backoffNames = []string{"none", "constant", "exponential"} // Envoy's is set by retry_back_off
	jitterNames  = []string{"none", "full", "equal", "decorrelated"}
	policyNames  = []string{"round_robin", "random", "least_request", "power_of_two"}
)

// Balancer spreads calls over targets and may retry on another target.
type Balancer struct {
	Targets []int
	Policy  Policy
	Call    CallPolicy // Deadline is the route timeout, Timeout the per-try timeout
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
}

// Queue is where calls wait for a worker.
type Queue struct {
	Capacity int // -1 for unbounded; 0 rejects whenever all workers are busy
	LIFO     bool
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

// Call is one downstream step of a server's handler.
type Call struct {
	To int
	CallPolicy
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
// targets (several for a replicated service).
type Fault struct {
	Name      string // "slowdown db" unless named
	Kind      FaultKind
	Targets   []int
	At, For   time.Duration
	Factor    float64       // slowdown, load-spike
	Latency   time.Duration // latency
	ErrorRate float64       // errors
	Workers   int           // capacity
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
)

var faultNames = [...]string{"slowdown", "latency", "errors", "capacity", "crash", "load-spike"}

func (k FaultKind) String() string { return faultNames[k] }

// Pos is a place in a scenario file.
type Pos struct {
	File      string
	Line, Col int
}
