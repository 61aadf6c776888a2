package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"slices"
	"strings"
)

// Axis is one --set of a sweep: a key and the values it takes.
type Axis struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

// Keep is the value that leaves a key as the file (or variant) has it:
// "with or without a retry budget" is budget=-,{kind="grpc"}.
const Keep = "-"

// Points returns the grid: every combination of the axes' values, the
// first axis varying slowest.
func Points(axes []Axis) [][]string {
	ps := [][]string{{}}
	for _, a := range axes {
		var next [][]string
		for _, p := range ps {
			for _, v := range a.Values {
				next = append(next, append(append([]string(nil), p...), v))
			}
		}
		ps = next
	}
	return ps
}

// GridSize is the number of points of the grid of axes: the product of
// their lengths. ok is false when it does not fit an int.
func GridSize(axes []Axis) (n int, ok bool) {
	n = 1
	for _, a := range axes {
		if len(a.Values) == 0 {
			return 0, true
		}
		if n > math.MaxInt/len(a.Values) {
			return 0, false
		}
		n *= len(a.Values)
	}
	return n, true
}

// Dimensions returns the indices of the axes with more than one value: the
// dimensions of the grid. The others are fixed settings.
func Dimensions(axes []Axis) []int {
	var dims []int
	for i, a := range axes {
		if len(a.Values) > 1 {
			dims = append(dims, i)
		}
	}
	return dims
}

// SweepResult is the result of a whole sweep, and sweep.json. It is computed from
// the runs sorted by index, so it is the same whether they came from one
// machine or from shards, in one go or resumed.
type SweepResult struct {
	Format   int            `json:"failsim_sweep"`
	Scenario string         `json:"scenario"`
	SHA256   string         `json:"scenario_sha256"`
	Variant  string         `json:"variant"`
	Axes     []Axis         `json:"axes"` // every --set; those with one value are fixed settings
	Seeds    []uint64       `json:"seeds"`
	Points   []Point        `json:"points"`
	Metrics  []MetricResult `json:"metrics"`  // estimates per point; differences from the first point
	Verdicts []Verdict      `json:"verdicts"` // every point against the first
	Best     Best           `json:"best"`
	// Precision is how a stopping rule on precision ended, when one was
	// given (sweep --precision); nil otherwise. Side names the point.
	Precision *Precision `json:"precision,omitempty"`

	header  Header
	records []Record // sorted by run
}

// Point is one grid point: its value of every axis, and what all its
// seeds' requests saw together.
type Point struct {
	Values        []string `json:"values"`
	Label         string   `json:"label"` // the swept axes' values: "timeout=4s attempts=3"
	PooledLatency Latency  `json:"pooled_latency_s"`
}

// Best is the point with the best mean of one metric, and the points whose
// paired difference from it is not significant: as good, as far as these
// seeds can tell.
type Best struct {
	Metric string `json:"metric"`
	Point  int    `json:"point"`
	Tied   []int  `json:"tied"`
}

// Merge reads the runs files of one sweep (its shards, or the single file
// of an unsharded sweep), checks that they are of the same sweep and hold
// every run exactly once, and summarises them; bestBy is the metric that
// picks the best point. A sweep's final results are this merge of its own
// file, so shards merged give exactly what one machine gives.
func Merge(paths []string, bestBy string) (*SweepResult, error) {
	var head *Header
	var first string
	var recs []Record
	from := map[int]string{}
	for _, path := range paths {
		rf, err := ReadRuns(path)
		var pe *fs.PathError
		switch {
		case errors.As(err, &pe):
			return nil, InputError(fmt.Sprintf("%s: cannot read it: %v", path, pe.Err))
		case err != nil:
			return nil, err
		case rf.Header == nil:
			return nil, InputError(fmt.Sprintf("%s: empty: no header line", path))
		case rf.Partial:
			return nil, InputError(fmt.Sprintf("%s: the last line is cut off (an interrupted shard?): resume that shard first", path))
		case head == nil:
			head, first = rf.Header, path
		default:
			if why := head.Mismatch(*rf.Header); why != "" {
				return nil, InputError(fmt.Sprintf("%s holds runs %s as in %s", path, why, first))
			}
		}
		for _, r := range rf.Records {
			if r.Run < 0 || r.Run >= head.Runs {
				return nil, InputError(fmt.Sprintf("%s:%d: run %d is not in this sweep of %d runs", path, r.Line, r.Run, head.Runs))
			}
			if prev, dup := from[r.Run]; dup {
				return nil, InputError(fmt.Sprintf("run %d is in %s and in %s (line %d): each run must be merged once", r.Run, prev, path, r.Line))
			}
			from[r.Run] = fmt.Sprintf("%s:%d", path, r.Line)
			recs = append(recs, r.Record)
		}
	}
	if missing := missingRuns(from, head.Runs); missing != "" {
		return nil, InputError(fmt.Sprintf("runs %s of %d are missing: merge every shard's file, and resume the shards that were interrupted", missing, head.Runs))
	}
	slices.SortFunc(recs, func(a, b Record) int { return a.Run - b.Run })
	h := *head
	h.Shard = ""
	return summariseSweep(h, recs, bestBy)
}

// missingRuns lists the runs not in have, as ranges: "3, 7-9".
func missingRuns(have map[int]string, n int) string {
	// From the runs present, not from 0 to n: n comes from the file's
	// header, and an edited one must not make this loop for ever.
	var parts []string
	gap := func(from, to int) { // runs from to to-1 are missing
		switch {
		case to-from == 1:
			parts = append(parts, fmt.Sprint(from))
		case to > from:
			parts = append(parts, fmt.Sprintf("%d-%d", from, to-1))
		}
	}
	next := 0
	for _, r := range slices.Sorted(maps.Keys(have)) {
		gap(next, r)
		next = r + 1
	}
	gap(next, n)
	return strings.Join(parts, ", ")
}

func summariseSweep(h Header, recs []Record, bestBy string) (*SweepResult, error) {
	sw := &SweepResult{Format: FormatVersion, Scenario: h.Scenario, SHA256: h.SHA256, Variant: h.Variant,
		Axes: h.Axes, header: h, records: recs}
	for r := range h.Seeds {
		sw.Seeds = append(sw.Seeds, h.Seed+uint64(r))
	}
	pts := Points(h.Axes)
	groups := make([][]*Outcome, len(pts))
	labels := make([]string, len(pts))
	for p, vals := range pts {
		for r := range h.Seeds {
			groups[p] = append(groups[p], &recs[p*h.Seeds+r].Outcome)
		}
		pooled, err := PooledLatency(groups[p])
		if err != nil {
			return nil, err
		}
		labels[p] = pointLabel(h.Axes, vals)
		sw.Points = append(sw.Points, Point{Values: vals, Label: labels[p], PooledLatency: pooled})
	}
	sw.Metrics = Summarise(groups, 0)
	sw.Verdicts = Verdicts(sw.Metrics, labels, 0)
	best, err := bestPoint(sw.Metrics, groups, bestBy)
	if err != nil {
		return nil, err
	}
	sw.Best = best
	return sw, nil
}

// pointLabel names a point by its values of the swept axes, each key by its
// last part unless two would share it: "timeout=4s max_attempts=5 budget=-".
func pointLabel(axes []Axis, vals []string) string {
	names := AxisNames(axes)
	var parts []string
	for _, d := range Dimensions(axes) {
		parts = append(parts, names[d]+"="+vals[d])
	}
	if len(parts) == 0 {
		return "as set"
	}
	return strings.Join(parts, " ")
}

// AxisNames names axes for labels by the last part of their keys (timeout
// for client.users.timeout; fault[0].for stays whole), or by their whole
// keys when two would share a name.
func AxisNames(axes []Axis) []string {
	names := make([]string, len(axes))
	for i, a := range axes {
		names[i] = a.Key
		if j := strings.LastIndexByte(a.Key, '.'); j >= 0 && !strings.HasSuffix(a.Key[:j], "]") {
			names[i] = a.Key[j+1:]
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(names)))) < len(names) {
		for i, a := range axes {
			names[i] = a.Key
		}
	}
	return names
}

// bestPoint picks the point with the best mean of the metric named bestBy,
// and the points not significantly different from it, seed by seed.
func bestPoint(ms []MetricResult, groups [][]*Outcome, bestBy string) (Best, error) {
	i := slices.IndexFunc(ms, func(m MetricResult) bool { return m.Name == bestBy })
	if i < 0 {
		catalogue := make([]Metric, len(ms))
		for j, m := range ms {
			catalogue[j] = m.Metric
		}
		return Best{}, InputError(fmt.Sprintf("the best point by %s: %v", bestBy, CheckMetric(catalogue, bestBy)))
	}
	m := ms[i]
	b := Best{Metric: bestBy, Point: -1, Tied: []int{}}
	for p, e := range m.Estimates {
		if e != nil && (b.Point < 0 || m.Improves(e.Center()-m.Estimates[b.Point].Center())) {
			b.Point = p
		}
	}
	if b.Point < 0 {
		return b, nil
	}
	ref := m.Collect(groups[b.Point])
	for p := range groups {
		if p != b.Point && m.Estimates[p] != nil && !m.difference(ref, m.Collect(groups[p])).Significant {
			b.Tied = append(b.Tied, p)
		}
	}
	return b, nil
}

// JSON is sweep.json.
func (sw *SweepResult) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(sw, "", "  ")
	return append(b, '\n'), err
}

// RunsJSONL is the whole sweep's runs file: its header, then every run in
// index order. An unsharded sweep rewrites its file so at the end, so that
// it is the same bytes as merged shards'.
func (sw *SweepResult) RunsJSONL() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	if err := enc.Encode(sw.header); err != nil {
		return nil, err
	}
	for _, r := range sw.records {
		if err := enc.Encode(r); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), nil
}
