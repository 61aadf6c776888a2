package topology

import (
	"fmt"
	"time"
)

// Intervention is an operator's action on the timeline: it changes its
// targets at At, or ReactionDelay after each firing of the alert OnAlert,
// and, when For is set, undoes the change For later.
type Intervention struct {
	Name    string // "KIND TARGET" unless named
	Kind    InterventionKind
	Targets []int  // the components it changes (every instance of a replicated service)
	Service string // the replicated service whose instances a scale changes; "" otherwise
	At      time.Duration
	For     time.Duration // how long the change holds before it is undone; 0 for good

	OnAlert       string        // the [[alert]] whose firing triggers it; "" when it acts at At
	ReactionDelay time.Duration // from the alert firing to the action

	Workers   int           // scale: workers (connections) of each target; 0 when it scales instances
	Instances int           // scale: instances of Service that serve
	Downtime  time.Duration // restart: how long the target refuses calls before it is back
	Fraction  float64       // shed-load: the fraction of new requests refused
	Timeout   time.Duration // timeout: the new per-attempt timeout; 0 for none
	Pos       Pos
}

// InterventionKind is what an intervention does.
type InterventionKind uint8

// Intervention kinds.
const (
	Scale      InterventionKind = iota // set workers, or the instances that serve
	Restart                            // drop all work and state, refuse calls for Downtime, come back
	ShedLoad                           // refuse a fraction of new requests at a client or load balancer
	RetriesOff                         // a client's or load balancer's retries are switched off
	SetTimeout                         // a client's timeout or a load balancer's per-try timeout changes
)

// InterventionNames are the names scenario files give intervention kinds, indexed by value.
var InterventionNames = [...]string{"scale", "restart", "shed-load", "retries-off", "timeout"}

func (k InterventionKind) String() string { return InterventionNames[k] }

// Autoscale scales a service's instances, or each instance's workers, as
// the Kubernetes Horizontal Pod Autoscaler does: every Interval, desired =
// ceil(current × metric / Target), unchanged while the ratio metric/Target
// is within Tolerance of 1, clamped to [Min, Max], and no change within
// Cooldown of the last one. The metric is averaged over the last Window.
// Capacity requested arrives ProvisioningDelay later; a new instance then
// works WarmupFactor times slower for Warmup (a cold start).
type Autoscale struct {
	Workers           bool // scale each instance's workers, not the instances
	Metric            AutoscaleMetric
	Target            float64
	Tolerance         float64
	Min, Max          int
	Window, Interval  time.Duration
	ProvisioningDelay time.Duration
	Cooldown          time.Duration
	Warmup            time.Duration
	WarmupFactor      float64
	Pos               Pos
}

// AutoscaleMetric is what an autoscaler measures, per instance (or worker).
type AutoscaleMetric uint8

// Autoscaler metrics.
const (
	ScaleOnUtilization AutoscaleMetric = iota // busy workers over workers
	ScaleOnQueue                              // calls waiting in the queue
)

// AutoscaleMetricNames are the names scenario files give autoscaling metrics, indexed by value.
var AutoscaleMetricNames = []string{"utilization", "queue"}

func (m AutoscaleMetric) String() string { return AutoscaleMetricNames[m] }

// String is the intervention in words, e.g. "shed-load 50% at users at 90s for 30s".
func (iv Intervention) String() string {
	what := iv.Kind.String()
	switch iv.Kind {
	case Scale:
		if iv.Service != "" {
			what += fmt.Sprintf(" to %d instances", iv.Instances)
		} else {
			what += fmt.Sprintf(" to %d workers", iv.Workers)
		}
	case ShedLoad:
		what += fmt.Sprintf(" %g%%", 100*iv.Fraction)
	case SetTimeout:
		what += " to " + iv.Timeout.String()
	}
	s := fmt.Sprintf("%s at %s", what, iv.At)
	if iv.OnAlert != "" {
		s = fmt.Sprintf("%s %s after alert %s fires", what, iv.ReactionDelay, iv.OnAlert)
	}
	if iv.For > 0 {
		s += " for " + iv.For.String()
	}
	return s
}
