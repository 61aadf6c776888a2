package results

import (
	"fmt"
	"math"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Outcome is what an experiment keeps of one run: the clients' totals, each
// tier's amplification and wasted work, the recovery verdict, and every
// logical request's latency as an encoded HDR histogram, so that runs merge
// exactly. It is a line of runs.jsonl, and all an experiment's numbers come
// from it.
type Outcome struct {
	SuccessRate     float64  `json:"success_rate"`
	GoodputRPS      float64  `json:"goodput_rps"`
	Latency         Latency  `json:"latency_s"`
	Recovered       *bool    `json:"recovered"`         // null when not judged (no fault)
	RecoveredAfterS *float64 `json:"recovered_after_s"` // from the end of the last fault; null unless recovered
	WastedWorkS     float64  `json:"wasted_work_s"`     // all tiers
	Tiers           []Tier   `json:"tiers"`
	LatencyHDR      string   `json:"latency_hdr"` // base64 HDR histogram (V2, compressed), microseconds

	State     *State     `json:"state,omitempty"`     // when the scenario marks writes
	Detection *Detection `json:"detection,omitempty"` // when the scenario has alerts
}

// Tier is a summary group: the replicas of one service, or one component.
type Tier struct {
	Name              string  `json:"name"`
	Kind              string  `json:"kind"`
	Members           int     `json:"members"`
	Amplification     float64 `json:"amplification"`      // arrivals per logical request over the run, summed over members
	PeakAmplification float64 `json:"peak_amplification"` // the largest of any bucket, members summed per bucket
	WastedWorkS       float64 `json:"wasted_work_s"`
}

// works reports whether the tier does work that can be wasted.
func (t Tier) works() bool { return t.Kind == "service" || t.Kind == "database" }

// Measure extracts the outcome of a run.
func Measure(r *Run) (Outcome, error) {
	s := &r.Summary
	o := Outcome{
		SuccessRate: s.Clients.SuccessRate,
		GoodputRPS:  s.Clients.GoodputRPS,
		Latency:     s.Clients.Latency,
		Recovered:   s.Recovery.Recovered,
		State:       s.State,
		Detection:   s.Detection,
	}
	if rec := s.Recovery; rec.RecoveredAtS != nil && rec.LastFaultEndS != nil {
		o.RecoveredAfterS = ptr(*rec.RecoveredAtS - *rec.LastFaultEndS)
	}
	logical := make([]float64, len(r.Series.Times))
	for _, name := range s.Order {
		if s.Components[name].Kind == "client" {
			addTo(logical, r.Series.Get(name, "logical_requests"))
		}
	}
	at := map[string]int{}
	var arrivals [][]float64
	for _, name := range s.Order {
		c := s.Components[name]
		g := c.Group
		if g == "" {
			g = name
		}
		i, ok := at[g]
		if !ok {
			i = len(o.Tiers)
			at[g] = i
			o.Tiers = append(o.Tiers, Tier{Name: g, Kind: c.Kind})
			arrivals = append(arrivals, make([]float64, len(r.Series.Times)))
		}
		t := &o.Tiers[i]
		t.Members += max(1, c.Instances) // a fleet counts for its instances
		t.Amplification += c.Amplification
		t.WastedWorkS += c.WastedWorkS
		o.WastedWorkS += c.WastedWorkS
		addTo(arrivals[i], r.Series.Get(name, "arrivals"))
	}
	for i := range o.Tiers {
		for b, n := range logical {
			if n > 0 {
				o.Tiers[i].PeakAmplification = max(o.Tiers[i].PeakAmplification, arrivals[i][b]/n)
			}
		}
	}
	if r.ClientLatency != nil {
		enc, err := hdrhistogram.Import(r.ClientLatency).Encode(hdrhistogram.V2CompressedEncodingCookieBase)
		if err != nil {
			return o, fmt.Errorf("encoding the latency histogram: %w", err)
		}
		o.LatencyHDR = string(enc)
	}
	return o, nil
}

// addTo adds v to sum bucket by bucket; missing values count as 0.
func addTo(sum, v []float64) {
	for b, x := range v {
		if !math.IsNaN(x) {
			sum[b] += x
		}
	}
}

// PooledLatency merges the runs' latency histograms, exactly, and returns the
// quantiles of all their logical requests together; the mean is the runs'
// exact means weighted by their counts.
func PooledLatency(os []*Outcome) (Latency, error) {
	var all *hdrhistogram.Histogram
	var sum float64
	for _, o := range os {
		if o.LatencyHDR == "" {
			continue
		}
		h, err := hdrhistogram.Decode([]byte(o.LatencyHDR))
		if err != nil {
			return Latency{}, fmt.Errorf("latency histogram: %w", err)
		}
		sum += o.Latency.Mean * float64(h.TotalCount())
		if all == nil {
			all = h
		} else if dropped := all.Merge(h); dropped > 0 {
			return Latency{}, fmt.Errorf("latency histograms of different ranges: %d values dropped", dropped)
		}
	}
	if all == nil || all.TotalCount() == 0 {
		return Latency{}, nil
	}
	q := func(p float64) float64 { return float64(all.ValueAtPercentile(p)) / 1e6 }
	return Latency{
		Mean: sum / float64(all.TotalCount()),
		P50:  q(50), P90: q(90), P99: q(99), P999: q(99.9),
		Max: float64(all.Max()) / 1e6,
	}, nil
}
