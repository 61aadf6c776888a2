package playground

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/failsim/failsim/plots/live"
	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
)

// ChartMeta is a chart without its values, sent once when a run starts.
type ChartMeta struct {
	live.Chart
	Lines []LineMeta `json:"lines"`
}

// LineMeta is a line without its values.
type LineMeta struct {
	Label string  `json:"label"`
	Color string  `json:"color"`
	Width float64 `json:"width"`
	Dash  bool    `json:"dash"`
}

type startMsg struct {
	Type          string          `json:"type"` // "start"
	ID            string          `json:"id"`   // for stop
	Title         string          `json:"title"`
	Scenario      string          `json:"scenario"`
	Variant       string          `json:"variant"`
	Seed          uint64          `json:"seed"`
	SimSeconds    float64         `json:"sim_seconds"`
	BucketSeconds float64         `json:"bucket_seconds"`
	Faults        []results.Fault `json:"faults"`
	Command       string          `json:"command"`
	Charts        []ChartMeta     `json:"charts"`
}

// pointsMsg carries buckets [From, From+len(X)): Y[c][l] is line l of
// chart c.
type pointsMsg struct {
	Type string   `json:"type"` // "points"
	From int      `json:"from"`
	X    nums     `json:"x"`
	Y    [][]nums `json:"y"`
}

type doneMsg struct {
	Type    string          `json:"type"` // "done"
	Summary json.RawMessage `json:"summary"`
	SHA256  string          `json:"sha256"` // of summary.json's bytes
	Stopped string          `json:"stopped,omitempty"`
	Charts  []ChartMeta     `json:"charts"` // the final labels (a tier's instances over the whole run)
}

// Stream runs spec and sends it as it goes: "start" (the charts' lines,
// the faults, the run's id), "points" with the buckets closed since the
// last (at most every Interval, the first at once), and "done" with
// summary.json, byte for byte what `simulate run` writes for the same
// scenario, settings and seed.
func (c *Config) Stream(ctx context.Context, spec Spec, emit Emit) error {
	sc, src, err := c.load(spec)
	if err != nil {
		return err
	}
	seed := seedOf(spec, sc)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	id := c.register(cancel)
	defer c.unregister(id)

	skel := skeleton(sc, seed)
	var sent int
	var last time.Time
	var lastYield = time.Now()
	var sendErr error
	flush := func(ser *results.Series, sum *results.Summary) {
		if sendErr != nil || len(ser.Times) <= sent {
			return
		}
		window := results.NewSeries(ser.BucketS, ser.Keys)
		window.EndS, window.Times = ser.EndS, ser.Times[sent:]
		for k := range ser.Values {
			window.Values[k] = ser.Values[k][sent:]
		}
		charts := live.Charts(&results.Run{Summary: *sum, Series: window})
		msg := pointsMsg{Type: "points", From: sent, X: live.Middles(window)}
		for _, ch := range charts {
			ys := make([]nums, len(ch.Lines))
			for i, l := range ch.Lines {
				ys[i] = l.Y
			}
			msg.Y = append(msg.Y, ys)
		}
		sent = len(ser.Times)
		if sendErr = send(emit, msg); sendErr != nil {
			cancel()
		}
	}
	started := false
	opts := sim.Options{Seed: seed, MaxInFlight: c.maxInFlight(), OnBucket: func(ser *results.Series) {
		if !started {
			started = true
			first := &results.Run{Summary: skel, Series: ser}
			sendErr = send(emit, startMsg{Type: "start", ID: id, Title: title(sc), Scenario: sc.Name, Variant: sc.Variant,
				Seed: seed, SimSeconds: sc.Duration.Seconds(), BucketSeconds: sc.Metrics.Bucket.Seconds(),
				Faults: skel.Faults, Command: Command(spec, src, seed), Charts: metas(live.Charts(first))})
		}
		if now := time.Now(); sent == 0 || now.Sub(last) >= Interval {
			flush(ser, &skel)
			last = now
		}
		if c.Yield != nil && time.Since(lastYield) >= Interval {
			c.Yield()
			lastYield = time.Now()
		}
	}}
	res, err := sim.Run(ctx, sc, opts)
	if err != nil {
		return err
	}
	if sendErr != nil {
		return sendErr
	}
	if !started { // a run too short to close a bucket
		return inputErrorf("the run closed no bucket: is its duration zero?")
	}
	flush(res.Series, &skel)
	sum, _, err := res.Encode()
	if err != nil {
		return err
	}
	h := sha256.Sum256(sum)
	done := doneMsg{Type: "done", Summary: sum, SHA256: hex.EncodeToString(h[:]), Charts: metas(live.Charts(res))}
	if res.Summary.Incomplete {
		done.Stopped = res.Summary.StopReason
	}
	if err := send(emit, done); err != nil {
		return err
	}
	return sendErr
}

// Files runs spec again (a run is a pure function of the scenario and the
// seed: the same bytes) and returns summary.json, timeseries.csv and the
// scenario's text.
func (c *Config) Files(ctx context.Context, spec Spec) (map[string]string, error) {
	_, src, sum, csv, err := c.files(ctx, spec)
	if err != nil {
		return nil, err
	}
	return map[string]string{results.SummaryFile: string(sum), results.TimeseriesFile: string(csv), "scenario.toml": string(src.text)}, nil
}

// files runs spec and encodes its results.
func (c *Config) files(ctx context.Context, spec Spec) (sc *topology.Scenario, src source, summary, timeseries []byte, err error) {
	sc, src, err = c.load(spec)
	if err != nil {
		return nil, src, nil, nil, err
	}
	res, err := sim.Run(ctx, sc, sim.Options{Seed: seedOf(spec, sc), MaxInFlight: c.maxInFlight()})
	if err != nil {
		return nil, src, nil, nil, err
	}
	summary, timeseries, err = res.Encode()
	return sc, src, summary, timeseries, err
}

// skeleton is the part of a run's summary the charts need before the run
// ends: the components in order with their kind and group, the faults.
func skeleton(sc *topology.Scenario, seed uint64) results.Summary {
	s := results.Summary{Scenario: sc.Name, Variant: sc.Variant, Seed: seed, SimSeconds: sc.Duration.Seconds(),
		BucketSeconds: sc.Metrics.Bucket.Seconds(), Components: map[string]results.Component{}, Faults: []results.Fault{}}
	for _, k := range sc.Components {
		s.Order = append(s.Order, k.Name)
		s.Components[k.Name] = results.Component{Kind: k.Kind.String(), Group: k.Group}
	}
	for _, f := range sc.Faults {
		if f.At >= sc.Duration {
			continue
		}
		rf := results.Fault{Name: f.Name, Kind: f.Kind.String(), AtS: f.At.Seconds(), EndS: min(f.End(), sc.Duration).Seconds()}
		for _, t := range f.Targets {
			rf.Targets = append(rf.Targets, sc.Components[t].Name)
		}
		s.Faults = append(s.Faults, rf)
	}
	return s
}

func metas(charts []live.Chart) []ChartMeta {
	out := make([]ChartMeta, len(charts))
	for i, ch := range charts {
		out[i].Chart = ch
		out[i].Lines = make([]LineMeta, len(ch.Lines))
		for j, l := range ch.Lines {
			out[i].Lines[j] = LineMeta{Label: l.Label, Color: l.Color, Width: l.Width, Dash: l.Dash}
		}
		out[i].Chart.Lines = nil
	}
	return out
}

func title(sc *topology.Scenario) string {
	if sc.Variant == "" {
		return sc.Name
	}
	return sc.Name + " (variant " + sc.Variant + ")"
}
