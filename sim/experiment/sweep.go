package experiment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/failsim/failsim/sim"
)

// Sweep is a grid of settings times seeds: a fixed, ordered run list. Run i
// is grid point i / seeds with seed first + i % seeds, so every point sees
// the same seeds (common random numbers: points differ by their settings,
// not by luck), and no run's seed depends on how the list is sharded.
type Sweep struct {
	config  Config // the file and variant; each point adds its settings
	axes    []Axis
	points  [][]string // each point's value of every axis
	configs []Config   // per point
	first   uint64
	seeds   int
	name    string // the scenario's name
	metrics []Metric
}

// NewSweep validates every grid point before anything runs; a mistake in
// any (as scenariofile.Errors) means nothing runs and nothing is written.
func NewSweep(path, variant string, axes []Axis, seeds int, first uint64) (*Sweep, error) {
	if seeds < 1 {
		return nil, InputError(fmt.Sprintf("--seeds must be at least 1, got %d", seeds))
	}
	for i, a := range axes {
		for _, b := range axes[:i] {
			if a.Key == b.Key {
				return nil, InputError(fmt.Sprintf("--set %s is given twice; list its values in one --set, separated by commas", a.Key))
			}
		}
	}
	c, err := readConfig(path, variant, nil)
	if err != nil {
		return nil, err
	}
	s := &Sweep{config: c, axes: axes, points: points(axes), first: first, seeds: seeds}
	for _, p := range s.points {
		pc := c
		pc.Settings = settings(axes, p)
		s.configs = append(s.configs, pc)
	}
	scs, err := loadAll(s.configs)
	if err != nil {
		return nil, err
	}
	s.name, s.metrics = scs[0].Name, metricsOfScenarios(scs)
	return s, nil
}

// Name is the scenario's name.
func (s *Sweep) Name() string { return s.name }

// Runs is the length of the run list: points × seeds.
func (s *Sweep) Runs() int { return len(s.points) * s.seeds }

// Metrics lists the metrics the runs will have.
func (s *Sweep) Metrics() []Metric { return s.metrics }

// seed is the seed of run i.
func (s *Sweep) seed(i int) uint64 { return s.first + uint64(i%s.seeds) }

// Header is the first line of a runs file: what the runs are of, so that
// resuming or merging files of another sweep, scenario text or build is
// refused.
type Header struct {
	Format   int    `json:"failsim_runs"`
	Engine   string `json:"engine"` // the build of simulate that ran them
	Scenario string `json:"scenario"`
	SHA256   string `json:"scenario_sha256"` // of the file's text
	Variant  string `json:"variant"`
	Axes     []Axis `json:"axes"`
	Seed     uint64 `json:"seed"` // the first seed
	Seeds    int    `json:"seeds"`
	Runs     int    `json:"runs"`
	Shard    string `json:"shard,omitempty"` // "i/n" for a shard's file
}

func (s *Sweep) header(shard Shard) Header {
	h := Header{Format: FormatVersion, Engine: engine(), Scenario: s.name, SHA256: hash(s.config.Source),
		Variant: s.config.Variant, Axes: s.axes, Seed: s.first, Seeds: s.seeds, Runs: s.Runs()}
	if shard.Count > 0 {
		h.Shard = shard.String()
	}
	return h
}

// engine identifies the engine whose results these are.
func engine() string { return "failsim " + sim.Version }

// mismatch says how header o differs from h, "" when they describe the
// same sweep (shards aside).
func (h Header) mismatch(o Header) string {
	a, b := h, o
	a.Shard, b.Shard = "", ""
	switch {
	case a.Format != b.Format:
		return fmt.Sprintf("format %d, not %d", b.Format, a.Format)
	case a.Engine != b.Engine:
		return fmt.Sprintf("made by another build of simulate (%s, not %s)", b.Engine, a.Engine)
	case a.SHA256 != b.SHA256:
		return fmt.Sprintf("of another scenario text (%s %.12s, not %s %.12s)", b.Scenario, b.SHA256, a.Scenario, a.SHA256)
	case a.Variant != b.Variant:
		return fmt.Sprintf("of variant %q, not %q", b.Variant, a.Variant)
	case a.Seed != b.Seed || a.Seeds != b.Seeds:
		return fmt.Sprintf("of %d seeds from %d, not %d from %d", b.Seeds, b.Seed, a.Seeds, a.Seed)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		return fmt.Sprintf("of other settings (%s, not %s)", axesString(b.Axes), axesString(a.Axes))
	}
	return ""
}

func axesString(axes []Axis) string {
	parts := make([]string, len(axes))
	for i, a := range axes {
		parts[i] = "--set " + a.Key + "=" + strings.Join(a.Values, ",")
	}
	return strings.Join(parts, " ")
}

// Record is one finished run, a line of a runs file.
type Record struct {
	Run   int    `json:"run"`   // index in the run list
	Point int    `json:"point"` // grid point
	Seed  uint64 `json:"seed"`
	ID    string `json:"id"` // hash of the format, scenario text, variant, point's settings and seed
	Outcome
}

// id names run i by what it ran, so that a resumed file's runs are known to
// be the ones this sweep would run.
func (s *Sweep) id(i int) string {
	c := s.configs[i/s.seeds]
	h := sha256.New()
	fmt.Fprintf(h, "failsim %d\n%s\nvariant %q\n", FormatVersion, hash(c.Source), c.Variant)
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
		return "", InputError(fmt.Sprintf("%s exists: add --resume to finish that sweep, or remove it to start again", path))
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
	err = execute(ctx, s.configs, jobs, par, false, func(fin finished) error {
		line, err := json.Marshal(Record{Run: fin.index, Point: fin.config, Seed: fin.seed, ID: s.id(fin.index), Outcome: fin.outcome})
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
func (s *Sweep) resume(path string, head Header) (map[int]bool, error) {
	rf, err := readRuns(path)
	if err != nil {
		return nil, err
	}
	if rf.header == nil { // not even the header was written
		return map[int]bool{}, createRuns(path, head)
	}
	if why := head.mismatch(*rf.header); why != "" {
		return nil, InputError(fmt.Sprintf("%s holds runs %s: resume the sweep that wrote it, or write to another --out", path, why))
	}
	if rf.header.Shard != head.Shard {
		return nil, InputError(fmt.Sprintf("%s holds shard %q, not %q", path, rf.header.Shard, head.Shard))
	}
	have := map[int]bool{}
	for _, r := range rf.records {
		switch {
		case r.Run < 0 || r.Run >= s.Runs():
			return nil, InputError(fmt.Sprintf("%s:%d: run %d is not in this sweep of %d runs", path, r.line, r.Run, s.Runs()))
		case have[r.Run]:
			return nil, InputError(fmt.Sprintf("%s:%d: run %d is in the file twice", path, r.line, r.Run))
		case r.ID != s.id(r.Run):
			return nil, InputError(fmt.Sprintf("%s:%d: run %d has id %s, not %s: it ran other settings or another seed", path, r.line, r.Run, r.ID, s.id(r.Run)))
		}
		have[r.Run] = true
	}
	if rf.partial {
		if err := os.Truncate(path, rf.size); err != nil {
			return nil, err
		}
	}
	return have, nil
}
