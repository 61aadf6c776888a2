package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
)

// printSummary writes the human-readable summary of a run.
func printSummary(w io.Writer, sc *topology.Scenario, r *results.Run, wall time.Duration) {
	s := &r.Summary
	fmt.Fprintf(w, "%s: seed %d, %gs simulated in %gs buckets\n", title(sc), s.Seed, s.SimSeconds, s.BucketSeconds)
	if s.Incomplete {
		fmt.Fprintf(w, "  INCOMPLETE: %s\n", s.StopReason)
	}
	if sc.Description != "" {
		fmt.Fprintf(w, "  %s\n", sc.Description)
	}
	if sc.VariantDescription != "" {
		fmt.Fprintf(w, "  variant: %s\n", sc.VariantDescription)
	}

	if len(sc.Faults) > 0 {
		fmt.Fprintln(w, "\nFaults")
		for _, f := range s.Faults {
			ways := map[string]string{"requests": " (calls only)", "responses": " (answers only)"}[f.Direction]
			fmt.Fprintf(w, "  %-28s %s on %s%s, t=%gs to %gs\n", f.Name, f.Kind, human.Names(f.Targets), ways, f.AtS, f.EndS)
		}
	}
	printInterventions(w, s)

	c := &s.Clients
	fmt.Fprintln(w, "\nClients")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "logical\tsucceeded\tfailed\tsuccess\tgoodput\tattempts\tp50\tp99\tp99.9\tmax\t")
	fmt.Fprintf(tw, "%d\t%d\t%d\t%s\t%.1f/s\t%d\t%s\t%s\t%s\t%s\t\n",
		c.LogicalRequests, c.Succeeded, c.Failed, human.Percent(c.SuccessRate), c.GoodputRPS, c.Attempts,
		human.Seconds(c.Latency.P50), human.Seconds(c.Latency.P99), human.Seconds(c.Latency.P999), human.Seconds(c.Latency.Max))
	tw.Flush()
	if c.Failed > 0 {
		fmt.Fprintf(w, "  failures by last attempt: %d timed out, %d errors, %d rejected\n",
			c.Failures.Timeout, c.Failures.Error, c.Failures.Rejected)
	}
	if c.Degraded > 0 {
		fmt.Fprintf(w, "  degraded (answered from a fallback or without optional calls, neither succeeded nor failed): %d\n", c.Degraded)
	}
	if c.Hedges > 0 {
		fmt.Fprintf(w, "  hedged attempts (included in attempts): %d\n", c.Hedges)
	}
	if st := s.State; st != nil {
		fmt.Fprintf(w, "  state: %d writes took effect, %d duplicate writes, %d answered from an idempotency key; "+
			"%d inconsistent outcomes, %d repaired, %d still open (oldest %s)\n", st.Writes, st.DuplicateWrites,
			st.Deduplicated, st.Inconsistent, st.Repaired, st.InconsistentOpen, human.Seconds(st.OldestOpenAgeS))
	}
	if c.FinishedS != nil {
		fmt.Fprintf(w, "  every user made its requests: the last finished at t=%.3fs\n", *c.FinishedS)
	}
	printClasses(w, c)

	fmt.Fprintln(w, "\nComponents (amplification = arrivals per logical request: over the run, peak bucket, during faults;")
	fmt.Fprintln(w, "  a bucket's peak can pass the attempt limit: retries of earlier requests land beside its own)")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	width := 0
	for _, name := range s.Order {
		width = max(width, len(name))
	}
	fmt.Fprintf(tw, "%-*s\tkind\tarrivals\tamp\tpeak\tfault\tcompleted\terrors\trejected\ttimed out\tretries\tutil\tmax queue\twasted work\tp99\t\n", width, "name")
	for _, name := range s.Order {
		k := s.Components[name]
		util, maxQ, wasted := "-", "-", "-"
		if k.Kind == "service" || k.Kind == "database" {
			util, maxQ, wasted = human.Percent(k.Utilization), fmt.Sprint(k.MaxQueue), fmt.Sprintf("%.1fs", k.WastedWorkS)
		}
		kind := k.Kind
		if k.Instances > 0 { // a fleet: its instances together
			kind = fmt.Sprintf("%s ×%d", kind, k.Instances)
		}
		fmt.Fprintf(tw, "%-*s\t%s\t%d\t%.2f\t%.2f\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t\n",
			width, name, kind, k.Arrivals, k.Amplification, k.PeakAmplification, faultAmp(s, k),
			k.Completed, k.Errors, k.Rejected, k.TimedOut, k.Retries, util, maxQ, wasted, human.Seconds(k.Latency.P99))
	}
	tw.Flush()
	printMechanisms(w, s)
	printGroups(w, s)
	printInfra(w, s)
	printLinks(w, s)
	printAutoscaling(w, s)

	fmt.Fprintf(w, "\nRecovery: %s%s\n", s.Recovery.Verdict, restoredBy(s))
	collapse, collapsed := r.Collapse()
	if collapsed {
		fmt.Fprintf(w, "Collapse: from t=%gs, more than %s of the requests ending in a bucket failed\n", collapse, human.Percent(s.Recovery.Tolerance))
	}
	printAlerts(w, s)
	if d := s.Detection; collapsed && d != nil && d.TimeToDetectS != nil && d.FirstFaultAtS != nil {
		if lead := collapse - (*d.FirstFaultAtS + *d.TimeToDetectS); lead >= 0 {
			fmt.Fprintf(w, "Detection came %gs before the collapse\n", lead)
		} else {
			fmt.Fprintf(w, "Detection came %gs after the collapse\n", -lead)
		}
	}
	rate := float64(s.Events) / wall.Seconds()
	fmt.Fprintf(w, "Events: %d in %s wall time (%.1fM events/s)\n", s.Events, wall.Round(time.Millisecond), rate/1e6)
}

func faultAmp(s *results.Summary, k results.Component) string {
	if len(s.Faults) == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", k.FaultAmplification)
}

// printMechanisms lists, per component, what its resilience mechanisms did;
// components where they did nothing are left out.
func printMechanisms(w io.Writer, s *results.Summary) {
	var lines []string
	for _, name := range s.Order {
		k := s.Components[name]
		var did []string
		for _, m := range []struct {
			n    int64
			what string
		}{
			{k.Cancelled, "cancelled"},
			{k.DeadlineExceeded, "past their deadline"},
			{k.Shed, "shed"},
			{k.RetriesDenied, "retries denied by the budget"},
			{k.Throttled, "throttled"},
			{k.BreakerRejected, "refused by the breaker"},
			{k.BreakerOpened, "breaker openings"},
			{k.Ejections, "ejections"},
			{k.DuplicateWrites, "duplicate writes"},
			{k.Conflicts, "conflicts (conditional writes that lost their race)"},
			{k.Deduplicated, "answered from an idempotency key"},
			{k.KeysLost, "idempotency keys lost in crashes"},
			{k.Inconsistent, "left inconsistent by a partial failure"},
			{k.Repaired, "repaired"},
			{k.InconsistentOpen, "still inconsistent at the end"},
			{k.RepairAttempts, "repair attempts"},
			{k.Fallbacks, "fallbacks"},
			{k.Degraded, "degraded answers"},
			{k.Hedges, "hedged attempts"},
			{k.HedgeWins, "won by a hedge"},
			{k.BulkheadRejected, "refused by a full bulkhead"},
		} {
			if m.n > 0 {
				did = append(did, fmt.Sprintf("%d %s", m.n, m.what))
			}
		}
		if len(did) > 0 {
			lines = append(lines, fmt.Sprintf("  %s: %s", name, strings.Join(did, ", ")))
		}
	}
	if len(lines) > 0 {
		fmt.Fprintln(w, "\nMechanisms")
		fmt.Fprintln(w, strings.Join(lines, "\n"))
	}
}

// printLinks lists what crossed each link that delays or loses messages, as
// summary.json's links say it.
func printLinks(w io.Writer, s *results.Summary) {
	if len(s.Links) == 0 {
		return
	}
	fmt.Fprintln(w, "\nLinks (an answer is lost after its callee did the work; the caller's timer ends the attempt)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "link\tsent\tcalls lost\tanswers lost\tmean delay\tp99 delay\t")
	for _, l := range s.Links {
		fmt.Fprintf(tw, "%s -> %s\t%d\t%d\t%d\t%s\t%s\t\n", l.From, l.To, l.Sent, l.LostRequests, l.LostResponses,
			human.Seconds(l.DelayMeanS), human.Seconds(l.DelayP99S))
	}
	tw.Flush()
}
