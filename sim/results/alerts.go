package results

// SLO is how one service level objective fared over the run.
type SLO struct {
	Name          string   `json:"name"`
	Targets       []string `json:"targets"`
	Objective     float64  `json:"objective"`
	LatencyS      *float64 `json:"latency_s"`       // null: availability only
	PeriodS       float64  `json:"period_s"`        // the SLO period as written
	TimeScale     float64  `json:"time_scale"`      // seconds of the period per simulated second
	ScaledPeriodS float64  `json:"scaled_period_s"` // period_s / time_scale: the period on the run's clock
	Good          int64    `json:"good"`            // requests that succeeded (in time)
	Total         int64    `json:"total"`           // requests answered
	ErrorRatio    float64  `json:"error_ratio"`     // 1 - good/total
	BurnRate      float64  `json:"burn_rate"`       // error_ratio / (1 - objective) over the run
	BudgetSpent   float64  `json:"budget_spent"`    // burn_rate × run / scaled period: the share of the period's budget the run spent
	Met           bool     `json:"objective_met"`   // good/total >= objective over the run
}

// Alert is one time an alert fired, in the order they fired.
type Alert struct {
	Name          string   `json:"name"`
	Kind          string   `json:"kind"` // threshold or burn_rate
	FiredAtS      float64  `json:"fired_at_s"`
	ResolvedAtS   *float64 `json:"resolved_at_s"`    // null: still firing when the run ended
	TimeToDetectS *float64 `json:"time_to_detect_s"` // after the start of the first fault; null if it fired before it
}

// Detection says whether the alerts caught the faults, and how fast.
type Detection struct {
	FirstFaultAtS    *float64 `json:"first_fault_at_s"` // null: no fault in the run
	FirstAlert       string   `json:"first_alert"`      // the first alert to fire at or after it; "" for none
	TimeToDetectS    *float64 `json:"time_to_detect_s"` // from the first fault's start to that alert; null for none
	UndetectedFaults []string `json:"undetected_faults"`
}
