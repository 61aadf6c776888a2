package scenariodoc

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/sim/experiment"
	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
)

// linksTable is, for a scenario whose links drop or delay messages, what
// crossed each link in each run, and the duplicate writes of the run; ""
// for a scenario without links.
func linksTable(runs []run) string {
	if len(runs[0].res.Summary.Links) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\nLinks: what crossed each link that delays or loses messages (an answer is lost after its callee did the work), and the writes that took effect twice in the run.\n\n")
	b.WriteString("| run | link | calls sent | calls lost | answers lost | mean one-way delay | duplicate writes |\n|---|---|---|---|---|---|---|\n")
	for _, r := range runs {
		s := &r.res.Summary
		dup := "-"
		if s.State != nil {
			dup = fmt.Sprint(s.State.DuplicateWrites)
		}
		for _, l := range s.Links {
			fmt.Fprintf(&b, "| %s | %s → %s | %d | %d | %d | %s | %s |\n", r.label(), l.From, l.To, l.Sent, l.LostRequests, l.LostResponses,
				human.SignificantSeconds(l.DelayMeanS), dup)
		}
	}
	return b.String()
}

// A race is a scenario where closed-loop writers, each with a limit of
// requests, make conditional writes to one record: the AWS Architecture
// Blog's thundering herd. Its page gets a table of the time until the last
// writer is through and the calls it took, for raceWriters writers, each
// the mean of raceSeeds seeds.
var (
	raceWriters = []int{25, 50, 100, 200}
	raceSeeds   = 20
)

// raceClient is the index of sc's racing writers, or -1 when sc is no race.
func raceClient(sc *topology.Scenario) int {
	for i, c := range sc.Components {
		cl := c.Client
		if cl == nil || cl.Users == 0 || cl.Requests == 0 || cl.Call.Write != topology.WriteConditional {
			continue
		}
		if r := sc.Components[cl.Target].Server; r != nil && r.Records != nil && r.Records.Keys == 1 {
			return i
		}
	}
	return -1
}

// raceCell is the mean over the seeds of one run and one number of writers.
type raceCell struct {
	done  time.Duration // until the last writer is through; -1 when one was not, in some seed
	calls float64       // calls the record saw
}

// raceTable runs every run of a race for each number of writers over the
// seeds and tabulates the means, with the rankings they give; "" when the
// scenario is no race. The runs are long enough for the slowest backoff to
// finish, with wide buckets: only the summary is read.
func raceTable(ctx context.Context, runs []run, par experiment.Parallel) (string, error) {
	ci := raceClient(runs[0].sc)
	if ci < 0 {
		return "", nil
	}
	record := runs[0].sc.Components[runs[0].sc.Components[ci].Client.Target].Name
	type job struct{ run, writers, seed int }
	var jobs []job
	for r := range runs {
		for w := range raceWriters {
			for seed := 1; seed <= raceSeeds; seed++ {
				jobs = append(jobs, job{r, w, seed})
			}
		}
	}
	done := make([]time.Duration, len(jobs))
	calls := make([]int64, len(jobs))
	errs := make([]error, len(jobs))
	par(len(jobs), func(i int) {
		j := jobs[i]
		sc := *runs[j.run].sc
		sc.Components = slices.Clone(sc.Components)
		cl := *sc.Components[ci].Client
		cl.Users = raceWriters[j.writers]
		sc.Components[ci].Client = &cl
		sc.Duration, sc.Metrics.Bucket = time.Hour, time.Minute
		res, err := sim.Run(ctx, &sc, sim.Options{Seed: uint64(j.seed)})
		if err != nil {
			errs[i] = err
			return
		}
		done[i] = -1
		if f := res.Summary.Clients.FinishedS; f != nil {
			done[i] = time.Duration(*f * float64(time.Second))
		}
		calls[i] = res.Summary.Components[record].Arrivals
	})
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	cells := make([][]raceCell, len(runs))
	for r := range cells {
		cells[r] = make([]raceCell, len(raceWriters))
	}
	for i, j := range jobs {
		c := &cells[j.run][j.writers]
		if done[i] < 0 || c.done < 0 {
			c.done = -1
		} else {
			c.done += done[i] / time.Duration(raceSeeds)
		}
		c.calls += float64(calls[i]) / float64(raceSeeds)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nThe race for %s writers: the time until the last writer is through, and the calls %s saw, each the mean of %d seeds.\n\n",
		and(raceWriters), record, raceSeeds)
	b.WriteString("| run |")
	for _, w := range raceWriters {
		fmt.Fprintf(&b, " %d writers: time | calls |", w)
	}
	b.WriteString("\n|---|" + strings.Repeat("---|---|", len(raceWriters)) + "\n")
	for r := range runs {
		fmt.Fprintf(&b, "| %s |", runs[r].label())
		for _, c := range cells[r] {
			t := "not all through"
			if c.done >= 0 {
				t = human.SignificantSeconds(c.done.Seconds())
			}
			fmt.Fprintf(&b, " %s | %.0f |", t, c.calls)
		}
		b.WriteString("\n")
	}
	rank := func(w int, key func(raceCell) float64) string {
		order := make([]int, len(runs))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(key(cells[a][w]), key(cells[b][w])) })
		var names []string
		for _, i := range order {
			names = append(names, runs[i].label())
		}
		return strings.Join(names, " < ")
	}
	b.WriteString("\nThe rankings these means give:\n\n| writers | by calls, fewest first | by time, soonest first |\n|---|---|---|\n")
	for w, n := range raceWriters {
		fmt.Fprintf(&b, "| %d | %s | %s |\n", n,
			rank(w, func(c raceCell) float64 { return c.calls }),
			rank(w, func(c raceCell) float64 {
				if c.done < 0 {
					return float64(time.Hour)
				}
				return float64(c.done)
			}))
	}
	return b.String(), nil
}

// and lists numbers as words do: "25, 50, 100 and 200".
func and(ns []int) string {
	var s []string
	for _, n := range ns {
		s = append(s, fmt.Sprint(n))
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}
