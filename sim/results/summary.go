package results

import "math"

// Summary is summary.json: one run's totals, amplification and recovery.
// Every number comes from the simulation; none is wall-clock, so the same
// scenario, variant and seed always give the same bytes.
type Summary struct {
	Scenario      string               `json:"scenario"`
	Variant       string               `json:"variant"`
	Seed          uint64               `json:"seed"`
	SimSeconds    float64              `json:"sim_seconds"`
	BucketSeconds float64              `json:"bucket_s"`
	WarmupS       float64              `json:"warmup_s,omitempty"` // the start of the run that every statistic leaves out
	Events        uint64               `json:"events"`
	Incomplete    bool                 `json:"incomplete"`            // the run stopped before its end; sim_seconds says where
	StopReason    string               `json:"stop_reason,omitempty"` // why an incomplete run stopped
	Clients       Clients              `json:"clients"`
	Components    map[string]Component `json:"components"`
	Order         []string             `json:"order"` // component names in topology order
	Faults        []Fault              `json:"faults"`
	Recovery      Recovery             `json:"recovery"`
	Interventions []Intervention       `json:"interventions,omitempty"` // in the order they were applied
	Autoscaling   []Autoscaler         `json:"autoscaling,omitempty"`
	SLOs          []SLO                `json:"slos,omitzero"`      // only when the scenario has [[slo]]
	Alerts        []Alert              `json:"alerts,omitzero"`    // only when it has [[alert]]: [] if none fired
	Detection     *Detection           `json:"detection,omitzero"` // only when it has [[alert]]
	State         *State               `json:"state,omitempty"`    // when the scenario marks writes
	Links         []Link               `json:"links,omitempty"`    // edges with a delay, a loss or a fault on their link, in topology order
}

// State totals what happened to state over all components: writes that
// took effect more than once, and outcomes left inconsistent by partial
// failures.
type State struct {
	Writes           int64   `json:"writes"`              // writes that took effect
	DuplicateWrites  int64   `json:"duplicate_writes"`    // non-idempotent writes that took effect again for the same logical request
	Deduplicated     int64   `json:"deduplicated"`        // executions answered from an idempotency key, without effect
	KeysLost         int64   `json:"keys_lost"`           // idempotency keys lost in crashes
	Inconsistent     int64   `json:"inconsistent"`        // partial failures: a step failed after a write step succeeded
	Repaired         int64   `json:"repaired"`            // inconsistent outcomes closed by a rollback or a repair
	InconsistentOpen int64   `json:"inconsistent_open"`   // still open when the run ended
	OldestOpenAgeS   float64 `json:"oldest_open_age_s"`   // the age of the oldest of them, seconds
	Conflicts        int64   `json:"conflicts,omitempty"` // conditional writes that lost their race, at every keyed database
}

// Clients totals what all clients saw of their logical requests.
type Clients struct {
	LogicalRequests int64    `json:"logical_requests"`
	Attempts        int64    `json:"attempts"`
	Succeeded       int64    `json:"succeeded"`
	Failed          int64    `json:"failed"`
	InFlight        int64    `json:"in_flight"` // neither succeeded nor failed when the run ended
	SuccessRate     float64  `json:"success_rate"`
	GoodputRPS      float64  `json:"goodput_rps"`
	Failures        Failures `json:"failures"`
	Latency         Latency  `json:"latency_s"`
	Degraded        int64    `json:"degraded,omitempty"` // answered from a fallback: neither succeeded nor failed
	Hedges          int64    `json:"hedges,omitempty"`   // hedged attempts after the first, included in attempts

	// FinishedS is when the last closed-loop user with a request limit
	// finished its last request; absent when no client has a limit or a
	// user had not finished when the run ended.
	FinishedS *float64 `json:"finished_s,omitempty"`

	// Criticality is a request class's criticality; absent for all
	// clients together.
	Criticality string `json:"criticality,omitempty"`

	// Classes are the same statistics for each request class, by name
	// (clients that name a class alike add up); absent without classes.
	Classes map[string]Clients `json:"classes,omitempty"`
}

// Failures splits failed logical requests by the outcome of their last attempt.
type Failures struct {
	Timeout  int64 `json:"timeout"`
	Error    int64 `json:"error"`
	Rejected int64 `json:"rejected"`
}

// Latency summarises a latency distribution in seconds.
type Latency struct {
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p999"`
	Max  float64 `json:"max"`
}

// Component totals one component over the run. For a client, arrivals counts
// the attempts it sent and the outcome counts are those attempts' outcomes.
type Component struct {
	Kind               string  `json:"kind"`
	Group              string  `json:"group"`               // the service a replica belongs to ("api" for "api-2"); its own name otherwise
	Instances          int     `json:"instances,omitempty"` // a fleet's: its instances, reported together under the service's name
	Arrivals           int64   `json:"arrivals"`
	Completed          int64   `json:"completed"`
	Errors             int64   `json:"errors"`
	Rejected           int64   `json:"rejected"`
	TimedOut           int64   `json:"timed_out"`
	Retries            int64   `json:"retries"`
	InFlight           int64   `json:"in_flight"` // still in the component when the run ended
	Cancelled          int64   `json:"cancelled"`
	DeadlineExceeded   int64   `json:"deadline_exceeded"`
	Shed               int64   `json:"shed"`
	RetriesDenied      int64   `json:"retries_denied"`
	Throttled          int64   `json:"throttled"`
	BreakerRejected    int64   `json:"breaker_rejected"`
	BreakerOpened      int64   `json:"breaker_opened"`
	Ejections          int64   `json:"ejections"`
	Amplification      float64 `json:"amplification"`
	PeakAmplification  float64 `json:"peak_amplification"`
	FaultAmplification float64 `json:"fault_amplification"`
	WastedWorkS        float64 `json:"wasted_work_s"`
	BusyS              float64 `json:"busy_s"`
	Utilization        float64 `json:"utilization"`
	MaxQueue           int64   `json:"max_queue"`
	MeanQueue          float64 `json:"mean_queue"`
	MaxInSystem        int64   `json:"max_in_system"`
	MeanInSystem       float64 `json:"mean_in_system"`
	MeanResponseS      float64 `json:"mean_response_s"`
	Latency            Latency `json:"latency_s"`

	Writes           int64  `json:"writes,omitempty"`
	DuplicateWrites  int64  `json:"duplicate_writes,omitempty"`
	Deduplicated     int64  `json:"deduplicated,omitempty"`
	KeysLost         int64  `json:"keys_lost,omitempty"`
	Inconsistent     int64  `json:"inconsistent,omitempty"`
	Repaired         int64  `json:"repaired,omitempty"`
	InconsistentOpen int64  `json:"inconsistent_open,omitempty"`
	RepairAttempts   int64  `json:"repair_attempts,omitempty"`
	Fallbacks        int64  `json:"fallbacks,omitempty"`
	Degraded         int64  `json:"degraded,omitempty"`
	Hedges           int64  `json:"hedges,omitempty"`
	HedgeWins        int64  `json:"hedge_wins,omitempty"`
	Cache            *Cache `json:"cache,omitempty"`             // services with a cache
	Queue            *Queue `json:"queue,omitempty"`             // durable queues
	BulkheadRejected int64  `json:"bulkhead_rejected,omitempty"` // calls failed at once by a full bulkhead

	Groups map[string]Join `json:"groups,omitempty"` // services with groups of calls made at once: how each group's runs ended

	// Keyed databases: conditional writes that lost their race, the work
	// they did for nothing, and the records with the most conflicts.
	Conflicts     int64      `json:"conflicts,omitempty"`
	ConflictWorkS float64    `json:"conflict_work_s,omitempty"`
	HotKeys       []KeyCount `json:"hot_keys,omitempty"`
}

// Join totals how the runs of one group of calls made at once ended, and
// what became of the calls still running when they did.
type Join struct {
	Joined    int64  `json:"joined"`           // the join was met: every call, the first, or the quorum succeeded
	Degraded  int64  `json:"degraded"`         // met, without optional calls that failed or were late
	Stale     int64  `json:"stale,omitempty"`  // a quorum missed, answered by fewer replicas (accept_stale)
	Failed    int64  `json:"failed"`           // failed: a required call failed, the quorum or every call failed, or the join timed out
	Left      int64  `json:"left"`             // calls still running when the join was decided, left to go on (their work wasted)
	Cancelled int64  `json:"cancelled"`        // calls still running when the join was decided, cancelled
	Calls     int64  `json:"calls_per_run"`    // calls one run makes
	Join      string `json:"join"`             // "all", "any" or "quorum"
	Quorum    int64  `json:"quorum,omitempty"` // join = quorum: successes needed
}

// Cache totals a service's cache lookups.
type Cache struct {
	Hits      int64   `json:"hits"`
	Misses    int64   `json:"misses"`
	Coalesced int64   `json:"coalesced"` // misses that waited for another call's fetch of their key
	Fetches   int64   `json:"fetches"`   // misses that made the calls to the backing store
	HitRatio  float64 `json:"hit_ratio"`
	Keys      int64   `json:"keys"` // held when the run ended
}

// Queue totals a durable queue's messages. Every stored message was acked,
// expired, or is still held (waiting or out for delivery).
type Queue struct {
	Stored      int64   `json:"stored"`
	Rejected    int64   `json:"rejected"` // refused because the queue was full
	Acked       int64   `json:"acked"`
	Expired     int64   `json:"expired"`     // dropped after the retention
	Redelivered int64   `json:"redelivered"` // deliveries that failed or timed out, so the message went back
	Held        int64   `json:"held"`        // when the run ended
	MaxBacklog  int64   `json:"max_backlog"`
	MaxAgeS     float64 `json:"max_age_s"` // the oldest a message waited before it was acked or expired
}

// Fault is one fault window as it ran. A fault on links names its edges,
// "caller -> callee", as its targets, and says which way it hits.
type Fault struct {
	Name      string   `json:"name"`
	Kind      string   `json:"kind"`
	Targets   []string `json:"targets"`
	Direction string   `json:"direction,omitempty"` // a fault on links: "both", "requests" or "responses"
	AtS       float64  `json:"at_s"`
	EndS      float64  `json:"end_s"`
}

// Recovery is the verdict on whether clients' goodput came back after the
// faults. Pointers are null when there is nothing to judge (no fault).
type Recovery struct {
	LastFaultEndS      *float64 `json:"last_fault_end_s"`
	BaselineGoodputRPS float64  `json:"baseline_goodput_rps"`
	Recovered          *bool    `json:"recovered"`
	RecoveredAtS       *float64 `json:"recovered_at_s"`
	Tolerance          float64  `json:"tolerance"`
	WindowS            float64  `json:"window_s"`
	Verdict            string   `json:"verdict"`
	RestoredBy         string   `json:"restored_by,omitempty"` // the last intervention before goodput came back for good
}

// Intervention is one operator action as it was applied.
type Intervention struct {
	Name            string   `json:"name"`
	Kind            string   `json:"kind"`
	Targets         []string `json:"targets"`
	AtS             float64  `json:"at_s"`
	EndS            *float64 `json:"end_s"`  // when it was undone; null when it held to the end
	Effect          string   `json:"effect"` // what changed, in words
	RestoredGoodput bool     `json:"restored_goodput"`
	Trigger         string   `json:"trigger,omitempty"` // the alert firing it reacted to; absent for a fixed time
}

// Autoscaler is what one service's autoscaler did.
type Autoscaler struct {
	Service   string            `json:"service"`
	Scale     string            `json:"scale"`  // "instances" or "workers"
	Metric    string            `json:"metric"` // "utilization" or "queue"
	Target    float64           `json:"target"`
	Min       int               `json:"min"`
	Max       int               `json:"max"`
	Initial   int               `json:"initial"`
	Peak      int               `json:"peak"`  // the most ever requested
	Final     int               `json:"final"` // requested at the end
	Decisions []ScalingDecision `json:"decisions"`
	Omitted   int               `json:"decisions_omitted"` // changes beyond the first 1000, not listed
}

// ScalingDecision is one change of what an autoscaler requested.
type ScalingDecision struct {
	AtS    float64 `json:"at_s"`
	Metric float64 `json:"metric"` // the metric per instance (or worker) over the window
	From   int     `json:"from"`
	To     int     `json:"to"`
}

// Collapse is when the run's clients first failed in earnest after the
// first fault began: the start of the first bucket in which more than the
// recovery tolerance (10% by default) of the logical requests that ended
// failed. False when no bucket did, or the run judged no recovery. It is
// read from the results, so any results folder says it.
func (r *Run) Collapse() (at float64, ok bool) {
	s := &r.Summary
	first := math.Inf(1)
	for _, f := range s.Faults {
		first = min(first, f.AtS)
	}
	if r.Series == nil || math.IsInf(first, 1) {
		return 0, false
	}
	var succeeded, failed []float64
	for _, name := range s.Order {
		if s.Components[name].Kind == "client" {
			succeeded = add(succeeded, r.Series.Get(name, "succeeded"))
			failed = add(failed, r.Series.Get(name, "failed"))
		}
	}
	for b, t := range r.Series.Times {
		if t+r.Series.Width(b) <= first || b >= len(failed) || b >= len(succeeded) {
			continue
		}
		if n := succeeded[b] + failed[b]; n > 0 && failed[b] > s.Recovery.Tolerance*n {
			return t, true
		}
	}
	return 0, false
}

// add sums two series bucket by bucket, a missing value counting as 0.
func add(sum, v []float64) []float64 {
	for len(sum) < len(v) {
		sum = append(sum, 0)
	}
	for b, x := range v {
		if !math.IsNaN(x) {
			sum[b] += x
		}
	}
	return sum
}
