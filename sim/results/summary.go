package results

// Summary is summary.json: one run's totals, amplification and recovery.
// Every number comes from the simulation; none is wall-clock, so the same
// scenario, variant and seed always give the same bytes.
type Summary struct {
	Scenario      string               `json:"scenario"`
	Variant       string               `json:"variant"`
	Seed          uint64               `json:"seed"`
	SimSeconds    float64              `json:"sim_seconds"`
	BucketSeconds float64              `json:"bucket_s"`
	Events        uint64               `json:"events"`
	Incomplete    bool                 `json:"incomplete"`            // the run stopped before its end; sim_seconds says where
	StopReason    string               `json:"stop_reason,omitempty"` // why an incomplete run stopped
	Clients       Clients              `json:"clients"`
	Components    map[string]Component `json:"components"`
	Order         []string             `json:"order"` // component names in topology order
	Faults        []Fault              `json:"faults"`
	Recovery      Recovery             `json:"recovery"`
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

	// FinishedS is when the last closed-loop user with a request limit
	// finished its last request; absent when no client has a limit or a
	// user had not finished when the run ended.
	FinishedS *float64 `json:"finished_s,omitempty"`
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
	Group              string  `json:"group"` // the service a replica belongs to ("api" for "api-2"); its own name otherwise
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
}

// Fault is one fault window as it ran.
type Fault struct {
	Name    string   `json:"name"`
	Kind    string   `json:"kind"`
	Targets []string `json:"targets"`
	AtS     float64  `json:"at_s"`
	EndS    float64  `json:"end_s"`
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
}
