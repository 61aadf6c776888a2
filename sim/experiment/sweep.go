package experiment

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
)

// Sweep is a grid of settings times seeds: a fixed, ordered run list. Run i
// is grid point i / seeds with seed first + i % seeds, so every point sees
// the same seeds (common random numbers: points differ by their settings,
// not by luck), and no run's seed depends on how the list is sharded. The
// grid is never held whole: a point's values are computed from its index.
type Sweep struct {
	config  Config // the file and variant; each point adds its settings
	axes    []results.Axis
	npoints int
	first   uint64
	seeds   int
	name    string // the scenario's name
	metrics []results.Metric
}

// DefaultMaxRuns bounds the runs of a sweep or a comparison unless the
// caller raises it (--max-runs): each run's outcome is kept until the end,
// and a grid of a thousand values on each of two keys is a million points,
// each checked before anything runs.
const DefaultMaxRuns = 100_000

// NewSweep is NewSweepLimited with DefaultMaxRuns.
func NewSweep(c Config, axes []results.Axis, seeds int, first uint64) (*Sweep, error) {
	return NewSweepLimited(c, axes, seeds, first, DefaultMaxRuns)
}

// NewSweepLimited sweeps the file and variant of c over the grid of axes
// (c's own settings are not used: every setting of a sweep is an axis),
// with at most maxRuns runs. It validates every grid point, one at a time,
// before anything runs; a mistake in any (as scenariofile.Errors) means
// nothing runs and nothing is written.
func NewSweepLimited(c Config, axes []results.Axis, seeds int, first uint64, maxRuns int) (*Sweep, error) {
	if seeds < 1 {
		return nil, results.InputError(fmt.Sprintf("a sweep needs at least one seed, got %d", seeds))
	}
	for i, a := range axes {
		for _, b := range axes[:i] {
			if a.Key == b.Key {
				return nil, results.InputError(fmt.Sprintf("%s is given twice: give each key once, with all its values separated by commas", a.Key))
			}
		}
	}
	if err := seedsFit(first, seeds); err != nil {
		return nil, err
	}
	points, ok := results.GridSize(axes)
	if !ok || points > maxRuns/seeds {
		return nil, results.InputError(fmt.Sprintf("the grid has %s points, times %d seeds: more than the limit of %d runs (raise it with --max-runs)",
			gridSize(axes), seeds, maxRuns))
	}
	c.Settings = nil
	s := &Sweep{config: c, axes: axes, npoints: points, first: first, seeds: seeds}
	var all metricSet
	err := validate(points, s.pointConfig, func(sc *topology.Scenario) {
		if s.name == "" {
			s.name = sc.Name
		}
		all.add(sc)
	})
	if err != nil {
		return nil, err
	}
	s.metrics = all.metrics()
	return s, nil
}

// point returns the values of grid point p, in the order of
// results.Points: the last axis varies fastest.
func (s *Sweep) point(p int) []string {
	vals := make([]string, len(s.axes))
	for k := len(s.axes) - 1; k >= 0; k-- {
		n := len(s.axes[k].Values)
		vals[k] = s.axes[k].Values[p%n]
		p /= n
	}
	return vals
}

// pointConfig is the configuration of grid point p.
func (s *Sweep) pointConfig(p int) Config {
	pc := s.config
	pc.Settings = settings(s.axes, s.point(p))
	return pc
}

// gridSize writes the product of the axes' lengths, which may not fit an int.
func gridSize(axes []results.Axis) string {
	var parts []string
	for _, a := range axes {
		parts = append(parts, fmt.Sprint(len(a.Values)))
	}
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts, " × ")
}

// seedsFit refuses seeds that would wrap around: first+seeds-1 must be a
// seed.
func seedsFit(first uint64, seeds int) error {
	if uint64(seeds-1) > math.MaxUint64-first {
		return results.InputError(fmt.Sprintf("seeds %d to %d+%d-1 go past the last seed, %d: start lower", first, first, seeds, uint64(math.MaxUint64)))
	}
	return nil
}

// Name is the scenario's name.
func (s *Sweep) Name() string { return s.name }

// Runs is the length of the run list: points × seeds.
func (s *Sweep) Runs() int { return s.npoints * s.seeds }

// Metrics lists the metrics the runs will have.
func (s *Sweep) Metrics() []results.Metric { return s.metrics }

// seed is the seed of run i.
func (s *Sweep) seed(i int) uint64 { return s.first + uint64(i%s.seeds) }

func (s *Sweep) header(shard Shard) results.Header {
	h := results.Header{Format: results.FormatVersion, Engine: engine(), Scenario: s.name, SHA256: hash(s.config.Source),
		Variant: s.config.Variant, Axes: s.axes, Seed: s.first, Seeds: s.seeds, Runs: s.Runs()}
	if shard.Count > 0 {
		h.Shard = shard.String()
	}
	return h
}

// engine identifies the engine whose results these are.
func engine() string { return "failsim " + sim.Version }

// id names run i by what it ran, so that a resumed file's runs are known to
// be the ones this sweep would run.
func (s *Sweep) id(i int) string {
	c := s.pointConfig(i / s.seeds)
	h := sha256.New()
	fmt.Fprintf(h, "failsim %d\n%s\nvariant %q\n", results.FormatVersion, hash(c.Source), c.Variant)
	for _, set := range c.Settings {
		fmt.Fprintf(h, "set %q %q\n", set.Key, set.Value)
	}
	fmt.Fprintf(h, "seed %d\n", s.seed(i))
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// RunOptions say where and how a sweep runs.
type RunOptions struct {
	Dir      string // the runs file goes into Dir
	Shard    Shard
	Resume   bool                  // keep the runs already in the file and run the rest
	Parallel Parallel              // how many runs go at once; Sequential when nil
	Progress func(done, total int) // after each run, counting runs already in a resumed file
}

// Execute runs the sweep's runs (the shard's, if sharded) into its runs
// file, appending one line per run as it finishes, so that an interruption
// keeps every finished run and never leaves half a line. It returns the
// file's path. Cancelling ctx stops it with ctx's error once the running
// runs are written.
func (s *Sweep) Execute(ctx context.Context, opts RunOptions) (string, error) {
	path := filepath.Join(opts.Dir, RunsFile(opts.Shard))
	head := s.header(opts.Shard)
	have := map[int]bool{}
	_, err := os.Stat(path)
	switch {
	case err == nil && !opts.Resume:
		return "", fmt.Errorf("%s: %w", path, fs.ErrExist)
	case err == nil:
		if have, err = s.resume(path, head); err != nil {
			return "", err
		}
	case errors.Is(err, fs.ErrNotExist):
		if err := createRuns(path, head); err != nil {
			return "", err
		}
	default:
		return "", err
	}

	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var jobs []job
	total := 0
	for i := range s.Runs() {
		if !opts.Shard.Has(i) {
			continue
		}
		total++
		if !have[i] {
			jobs = append(jobs, job{index: i, config: i / s.seeds, seed: s.seed(i)})
		}
	}
	done := total - len(jobs)
	if opts.Progress != nil {
		opts.Progress(done, total)
	}
	par := opts.Parallel
	if par == nil {
		par = Sequential
	}
	err = execute(ctx, s.pointConfig, jobs, par, false, func(fin finished) error {
		line, err := json.Marshal(results.Record{Run: fin.index, Point: fin.config, Seed: fin.seed, ID: s.id(fin.index), Outcome: fin.outcome})
		if err != nil {
			return err
		}
		// One write per line: a crash leaves whole lines and at most one
		// partial last line, which resuming cuts off.
		if _, err := f.Write(append(line, '\n')); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		done++
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
		return nil
	})
	if err != nil {
		return path, err
	}
	return path, f.Close()
}

// resume checks that the file at path holds runs of this sweep, cuts off a
// partial last line, and returns the runs it has.
func (s *Sweep) resume(path string, head results.Header) (map[int]bool, error) {
	rf, err := results.ReadRuns(path)
	if err != nil {
		return nil, err
	}
	if rf.Header == nil { // not even the header was written
		return map[int]bool{}, createRuns(path, head)
	}
	if why := head.Mismatch(*rf.Header); why != "" {
		return nil, results.InputError(fmt.Sprintf("%s holds runs %s: resume the sweep that wrote it, or write its runs elsewhere", path, why))
	}
	if rf.Header.Shard != head.Shard {
		return nil, results.InputError(fmt.Sprintf("%s holds shard %q, not %q", path, rf.Header.Shard, head.Shard))
	}
	have := map[int]bool{}
	for _, r := range rf.Records {
		switch {
		case r.Run < 0 || r.Run >= s.Runs():
			return nil, results.InputError(fmt.Sprintf("%s:%d: run %d is not in this sweep of %d runs", path, r.Line, r.Run, s.Runs()))
		case have[r.Run]:
			return nil, results.InputError(fmt.Sprintf("%s:%d: run %d is in the file twice", path, r.Line, r.Run))
		case r.ID != s.id(r.Run):
			return nil, results.InputError(fmt.Sprintf("%s:%d: run %d has id %s, not %s: it ran other settings or another seed", path, r.Line, r.Run, r.ID, s.id(r.Run)))
		}
		have[r.Run] = true
	}
	if rf.Partial {
		if err := os.Truncate(path, rf.Size); err != nil {
			return nil, err
		}
	}
	return have, nil
}

// ExecuteToPrecision runs the sweep into its runs file, then, while some
// point's interval of a precision outcome (success rate, goodput, p99,
// wasted work) is wider than p allows and fewer than p.MaxSeeds ran, again
// with more seeds (continuing the first), as Comparison.RunToPrecision
// does. A round keeps the runs of the rounds before it (a run is known by
// its id: its point's settings and its seed), so every run is run once,
// and the last round's file is the runs file of a sweep of its seeds, byte
// for byte. bestBy is the metric that picks the best point. It returns the
// file, the merged result and how the rule ended; with the zero Precision
// it is Execute and Merge. Rounds cannot be sharded or resumed.
func (s *Sweep) ExecuteToPrecision(ctx context.Context, opts RunOptions, p Precision, bestBy string) (string, *results.SweepResult, error) {
	cur := s
	for {
		path, err := cur.Execute(ctx, opts)
		if err != nil {
			return path, nil, err
		}
		sw, err := results.Merge([]string{path}, bestBy)
		if err != nil || p.RelativeHalfWidth <= 0 {
			return path, sw, err
		}
		labels := make([]string, len(sw.Points))
		for i, pt := range sw.Points {
			labels[i] = pt.Label
		}
		worst := imprecision(sw.Metrics, labels, p.RelativeHalfWidth)
		sw.Precision = &results.Precision{Target: p.RelativeHalfWidth, MaxSeeds: p.MaxSeeds, Reached: worst.Ratio <= 1, Worst: worst}
		if worst.Ratio <= 1 || cur.seeds >= p.MaxSeeds {
			return path, sw, nil
		}
		n := cur.seeds
		next := *cur
		next.seeds = min(p.MaxSeeds, max(n+1, min(4*n, int(math.Ceil(float64(n)*worst.Ratio*worst.Ratio)))))
		if err := next.carryOver(path); err != nil {
			return path, nil, err
		}
		cur, opts.Resume = &next, true
	}
}

// carryOver rewrites the runs file at path, written by a sweep of fewer
// seeds, as the start of this sweep's: its header, then the runs it
// already has, under this sweep's run numbers.
func (s *Sweep) carryOver(path string) error {
	rf, err := results.ReadRuns(path)
	if err != nil {
		return err
	}
	done := map[string]results.Record{}
	for _, r := range rf.Records {
		done[r.ID] = r.Record
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	if err := enc.Encode(s.header(Shard{})); err != nil {
		return err
	}
	for i := range s.Runs() {
		if r, ok := done[s.id(i)]; ok {
			r.Run, r.Point = i, i/s.seeds
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
	}
	return results.WriteFilesAtomic(map[string][]byte{path: b.Bytes()})
}
