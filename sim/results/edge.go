package results

import (
	"encoding/json"
	"slices"
)

// Edge is the result of FindEdge, and edge.json: where, along one setting,
// the system stops recovering from its faults (a metastable boundary), with
// every value probed and which seeds recovered there.
type Edge struct {
	Format   int      `json:"failsim_edge"`
	Scenario string   `json:"scenario"`
	SHA256   string   `json:"scenario_sha256"`
	Variant  string   `json:"variant"`
	Key      string   `json:"key"`
	Settings []string `json:"settings"` // the other --set, fixed
	Seeds    []uint64 `json:"seeds"`
	Probes   []Probe  `json:"probes"` // by value
	// Recovers and Fails are the probes on either side of the edge: the
	// nearest values at which most seeds did and did not recover. Both are
	// -1 when the bounds do not straddle an edge.
	Recovers int    `json:"recovers"`
	Fails    int    `json:"fails"`
	Verdict  string `json:"verdict"`
}

// Probe is one value tried: how many seeds recovered there, which, and the
// goodput they had.
type Probe struct {
	Value          string   `json:"value"`
	X              float64  `json:"x"` // the value as a number; durations in seconds
	Step           int      `json:"step"`
	Recovered      Estimate `json:"recovered"` // share of seeds, Wilson interval
	RecoveredSeeds []uint64 `json:"recovered_seeds"`
	SuccessRate    Estimate `json:"success_rate"`
	Goodput        Estimate `json:"goodput"`
}

// Recovers is the rule of an edge search: a value recovers when at least half
// the seeds do.
func (p Probe) Recovers() bool { return p.Recovered.Mean >= 0.5 }

// Sort orders the probes by value.
func (e *Edge) Sort() {
	slices.SortStableFunc(e.Probes, func(a, b Probe) int {
		switch {
		case a.X < b.X:
			return -1
		case a.X > b.X:
			return 1
		}
		return 0
	})
}

// JSON is edge.json.
func (e *Edge) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(e, "", "  ")
	return append(b, '\n'), err
}
