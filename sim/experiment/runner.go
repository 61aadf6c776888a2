package experiment

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/scenariofile"
)

// Config is one scenario to run: a file's text, a variant and settings.
type Config struct {
	File     string // the path, for messages
	Source   []byte // the text every run parses, read once
	Dir      fs.FS  // where the files it imports are read from
	Variant  string
	Settings []scenariofile.Setting
}

// ReadConfig reads a scenario file from disk, the files it imports from its
// folder.
func ReadConfig(path, variant string, sets ...scenariofile.Setting) (Config, error) {
	src, err := scenariofile.ReadScenario(path)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return Config{File: path, Source: src, Dir: scenariofile.DirFS(filepath.Dir(path)), Variant: variant, Settings: sets}, nil
}

// load parses the configuration. Each run parses its own copy (a
// millisecond against a run's tenths of seconds) so that runs share nothing.
func (c Config) load() (*topology.Scenario, error) {
	return scenariofile.ParseFS(c.Dir, c.File, c.Source, c.Variant, c.Settings...)
}

// loadAll validates configurations before anything runs, and returns every
// problem at once: a mistake repeated by several grid points is reported
// once.
func loadAll(cs []Config) ([]*topology.Scenario, error) {
	scs := make([]*topology.Scenario, len(cs))
	i := 0
	err := validate(len(cs), func(j int) Config { return cs[j] }, func(sc *topology.Scenario) {
		scs[i] = sc
		i++
	})
	if err != nil {
		return nil, err
	}
	return scs, nil
}

// maxErrors bounds the distinct problems validate collects.
const maxErrors = 100

// validate loads configurations 0 to n-1, one at a time, holding none of
// them: each that loads goes to ok, in order. It returns every distinct
// problem (up to maxErrors) at once, a mistake repeated by several grid
// points once; nothing is kept of a configuration but what ok keeps.
func validate(n int, config func(int) Config, ok func(*topology.Scenario)) error {
	var errs scenariofile.Errors
	seen := map[string]bool{}
	// The size of a run's series is checked once per shape (buckets and
	// components) rather than per point: it takes building the run, five
	// times the cost of loading. A point that differs otherwise (more
	// columns from a mechanism a --set adds) is still refused by sim.Run.
	type shape struct{ buckets, components int64 }
	sized := map[shape]bool{}
	for i := range n {
		c := config(i)
		sc, err := c.load()
		var te scenariofile.Errors
		switch {
		case errors.As(err, &te):
			for _, e := range te {
				if !seen[e.Error()] && len(errs) < maxErrors {
					seen[e.Error()] = true
					errs = append(errs, e)
				}
			}
			continue
		case err != nil:
			return err
		}
		if sh := (shape{sc.Buckets(), int64(len(sc.Components))}); !sized[sh] {
			if err := sim.CheckSize(sc); err != nil {
				return results.InputError(fmt.Sprintf("%s: %v", c.File, err))
			}
			sized[sh] = true
		}
		if len(errs) == 0 {
			ok(sc)
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// job is one run of an experiment's fixed run list.
type job struct {
	index  int // position in the run list
	config int
	seed   uint64
}

// finished is a job's result.
type finished struct {
	job
	outcome results.Outcome
	run     *results.Run // only when the caller keeps whole runs
	err     error
}

// execute runs jobs, as many at once as par makes calls at once, one
// sim.Run each, and hands each finished run to done, one at a time, in the
// order they finish. Callers sort by index: nothing they write may depend on
// that order. When ctx is cancelled or done fails no further run starts,
// those running stop within milliseconds and are dropped, and execute
// returns the error.
func execute(ctx context.Context, configs func(int) Config, jobs []job, par Parallel, keepRuns bool, done func(finished) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex // done is called by one run at a time
	var err error
	par(len(jobs), func(i int) {
		if ctx.Err() != nil {
			return
		}
		f := runJob(ctx, configs(jobs[i].config), jobs[i], keepRuns)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			return // the runs stopped by the first error add nothing
		}
		err = f.err
		if err == nil {
			err = done(f)
		}
		if err != nil {
			cancel()
		}
	})
	if err != nil {
		return err
	}
	return context.Cause(ctx)
}

// runJob runs one job. A run stopped part-way is no sample: an
// interrupted one ends the experiment with ctx's error, a diverging one
// with an error that names it.
func runJob(ctx context.Context, c Config, j job, keep bool) finished {
	f := finished{job: j}
	sc, err := c.load()
	if err != nil { // validated before any run: only a bug gets here
		f.err = fmt.Errorf("run %d: %w", j.index, err)
		return f
	}
	r, err := sim.Run(ctx, sc, sim.Options{Seed: j.seed})
	switch {
	case err != nil:
		f.err = fmt.Errorf("run %d: %w", j.index, err)
		return f
	case r.Summary.Incomplete && ctx.Err() != nil:
		f.err = context.Cause(ctx)
		return f
	case r.Summary.Incomplete:
		f.err = fmt.Errorf("run %d (seed %d) %s", j.index, j.seed, r.Summary.StopReason)
		return f
	}
	f.outcome, f.err = results.Measure(r)
	if keep {
		f.run = r
	}
	return f
}
