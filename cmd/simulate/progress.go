package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/failsim/failsim/scenarios"
	"github.com/failsim/failsim/sim/experiment"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
	"github.com/failsim/failsim/topology/scenariofile"
)

// experimentFlags are the flags compare and sweep share.
type experimentFlags struct {
	seeds    int
	seed     uint64
	jobs     int
	progress bool
	maxRuns  int
}

// seedList is the seeds every side or grid point runs: seed, seed+1, ...
func (f *experimentFlags) seedList() []uint64 {
	out := make([]uint64, f.seeds)
	for i := range out {
		out[i] = f.seed + uint64(i)
	}
	return out
}

func (f *experimentFlags) check() error {
	if f.seeds < 1 {
		return usagef("--seeds must be at least 1, got %d", f.seeds)
	}
	if f.jobs < 1 {
		return usagef("--jobs must be at least 1, got %d", f.jobs)
	}
	if f.maxRuns < 1 {
		return usagef("--max-runs must be at least 1, got %d", f.maxRuns)
	}
	if f.seeds > f.maxRuns {
		return usagef("--seeds %d is more than the limit of %d runs (raise it with --max-runs)", f.seeds, f.maxRuns)
	}
	if uint64(f.seeds-1) > math.MaxUint64-f.seed {
		return usagef("--seed %d --seeds %d: the seeds would go past the last one, %d; start lower", f.seed, f.seeds, uint64(math.MaxUint64))
	}
	return nil
}

// inputError turns the experiment package's complaints about what was asked
// into usage errors (exit status 2).
func inputError(err error) error {
	var in results.InputError
	if errors.As(err, &in) {
		return usageError{in.Error()}
	}
	return err
}

func parseSettings(specs []string) ([]scenariofile.Setting, error) {
	var sets []scenariofile.Setting
	for _, s := range specs {
		set, err := scenariofile.ParseSetting(s)
		if err != nil {
			return nil, usagef("--set %v", err)
		}
		sets = append(sets, set)
	}
	return sets, nil
}

// readConfig reads the scenario a command names (a file, or a shipped
// scenario by name) for an experiment, with its variant and settings.
func readConfig(name, variant string, sets []scenariofile.Setting) (experiment.Config, error) {
	file, src, dir, err := scenarios.Read(name)
	if err != nil {
		return experiment.Config{}, err
	}
	return experiment.Config{File: file, Source: src, Dir: dir, Variant: variant, Settings: sets}, nil
}

// loadScenario reads the scenario a command names (a file, or a shipped
// scenario by name) with its variant and --set settings.
func loadScenario(name, variant string, specs []string) (*topology.Scenario, error) {
	sets, err := parseSettings(specs)
	if err != nil {
		return nil, err
	}
	file, src, fsys, err := scenarios.Read(name)
	if err != nil {
		return nil, err
	}
	return scenariofile.ParseFS(fsys, file, src, variant, sets...)
}

// interrupted is what a command returns when Ctrl-C stopped it, saying
// what was kept: the exit status is 130, as a shell gives a process ended
// by SIGINT.
func interrupted(format string, args ...any) error {
	return interruptedError(fmt.Sprintf(format, args...))
}

type interruptedError string

func (e interruptedError) Error() string { return string(e) }
func (e interruptedError) Unwrap() error { return context.Canceled }

// progressBar shows runs done, the rate and the time left on one line of
// stderr, redrawn in place; off unless stderr is a terminal or --progress
// asks for it.
type progressBar struct {
	w       io.Writer
	start   time.Time
	base    int // runs done when it started (kept from an interrupted sweep)
	started bool
	drawn   time.Time
}

func newProgress(w io.Writer, asked bool) func(done, total int) {
	if !asked && !isTerminal(w) {
		return nil
	}
	p := &progressBar{w: w}
	return p.update
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (p *progressBar) update(done, total int) {
	now := time.Now()
	if !p.started {
		p.started, p.start, p.base = true, now, done
	}
	if done < total && now.Sub(p.drawn) < 100*time.Millisecond {
		return
	}
	p.drawn = now
	const width = 24
	filled := 0
	if total > 0 {
		filled = width * done / total
	}
	line := fmt.Sprintf("\r%d/%d runs [%s%s]", done, total, strings.Repeat("#", filled), strings.Repeat("-", width-filled))
	if ran, took := done-p.base, now.Sub(p.start).Seconds(); ran > 0 && took > 0 {
		rate := float64(ran) / took
		left := time.Duration(float64(total-done) / rate * float64(time.Second)).Round(time.Second)
		line += fmt.Sprintf(" %.1f runs/s, %s left  ", rate, left)
	}
	fmt.Fprint(p.w, line)
	if done == total {
		fmt.Fprintln(p.w)
	}
}

// runProgress shows how far one run has come on one line of stderr,
// redrawn in place: the simulated time reached against the run's, the
// events per second and the time left; off unless stderr is a terminal or
// --progress asks for it.
type runProgress struct {
	w             io.Writer
	total         time.Duration
	start, drawn  time.Time
	events, prevN uint64
}

// newRunProgress returns the function sim.Options.Progress calls, and one
// to call when the run is over, which ends the line; both nil when off.
func newRunProgress(w io.Writer, asked bool, total time.Duration) (func(time.Duration, uint64), func()) {
	if !asked && !isTerminal(w) {
		return nil, func() {}
	}
	p := &runProgress{w: w, total: total, start: time.Now()}
	return p.update, p.end
}

func (p *runProgress) update(reached time.Duration, n uint64) {
	if n < p.prevN { // a second run (trace runs twice): its events add on
		p.prevN = 0
	}
	p.events += n - p.prevN
	p.prevN = n
	now := time.Now()
	if now.Sub(p.drawn) < 200*time.Millisecond {
		return
	}
	p.drawn = now
	took := now.Sub(p.start).Seconds()
	line := fmt.Sprintf("\rsimulated %s of %s (%.0f%%)", human.Duration(reached.Truncate(time.Second)), human.Duration(p.total), 100*reached.Seconds()/p.total.Seconds())
	if took > 0 && reached > 0 {
		left := time.Duration(float64(p.total-reached) / float64(reached) * took * float64(time.Second)).Round(time.Second)
		line += fmt.Sprintf(", %s events/s, %s left  ", human.Count(float64(p.events)/took), left)
	}
	fmt.Fprint(p.w, line)
}

func (p *runProgress) end() {
	if !p.drawn.IsZero() {
		fmt.Fprintln(p.w)
	}
}
