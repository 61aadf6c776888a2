package trace

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
)

// Filter says which requests may be sampled. Zero fields do not filter.
type Filter struct {
	Requests  []int64       // only these request numbers
	Component string        // only requests that reached this component
	From, To  time.Duration // only requests that started in [From, To); To 0 means the end of the run
}

// Request is the life of one logical request: every event, in order.
type Request struct {
	ID     int64
	Events []sim.TraceEvent
}

// Sample runs sc twice with opts (a Tracer in opts is replaced) and returns
// the lives of n requests that match f, spread evenly over the matching
// ones in the order they started; with f.Requests, those that exist (at
// most n). A Progress in opts hears the two runs as one of twice the
// scenario's duration.
func Sample(ctx context.Context, sc *topology.Scenario, opts sim.Options, n int, f Filter) ([]Request, error) {
	sel := &selector{f: f, started: map[int64]bool{}, matched: map[int64]bool{}}
	opts.Tracer = sel
	progress := opts.Progress
	if _, err := sim.Run(ctx, sc, opts); err != nil {
		return nil, err
	}
	chosen := spread(sel.order, n)
	rec := &recorder{lives: map[int64]*Request{}}
	for _, id := range chosen {
		rec.lives[id] = &Request{ID: id}
	}
	opts.Tracer = rec
	if progress != nil {
		opts.Progress = func(at time.Duration, n uint64) { progress(sc.Duration+at, n) }
	}
	if _, err := sim.Run(ctx, sc, opts); err != nil {
		return nil, err
	}
	out := make([]Request, len(chosen))
	for i, id := range chosen {
		out[i] = *rec.lives[id]
	}
	return out, nil
}

// spread picks n of ids, evenly spaced, keeping their order: the middle of
// each of n equal stretches.
func spread(ids []int64, n int) []int64 {
	if n >= len(ids) {
		return ids
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = ids[(2*i+1)*len(ids)/(2*n)]
	}
	return out
}

// selector lists the requests that match the filter, in the order they
// started.
type selector struct {
	f       Filter
	started map[int64]bool // started in the window, among the requested
	matched map[int64]bool
	order   []int64
}

func (s *selector) Trace(e *sim.TraceEvent) {
	if e.Kind == sim.TraceStart {
		if e.At < s.f.From || (s.f.To > 0 && e.At >= s.f.To) || !s.wanted(e.Request) {
			return
		}
		s.started[e.Request] = true
	}
	if !s.started[e.Request] || s.matched[e.Request] {
		return
	}
	if c := s.f.Component; c == "" || e.Where == c || e.Callee == c {
		s.matched[e.Request] = true
		s.order = append(s.order, e.Request)
	}
}

func (s *selector) wanted(id int64) bool {
	if len(s.f.Requests) == 0 {
		return true
	}
	for _, r := range s.f.Requests {
		if r == id {
			return true
		}
	}
	return false
}

// recorder keeps the events of the chosen requests.
type recorder struct {
	lives map[int64]*Request
}

func (r *recorder) Trace(e *sim.TraceEvent) {
	if l := r.lives[e.Request]; l != nil {
		l.Events = append(l.Events, *e)
	}
}

// Write tells each request's life, one event a line; what the components
// below go on doing after a caller gave up is told on the line of the
// timeout.
func Write(w io.Writer, reqs []Request) error {
	var b strings.Builder
	for i, r := range reqs {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(header(r))
		for _, e := range r.Events {
			if e.Kind == sim.TraceGoesOn {
				b.WriteString("; " + sentence(&e))
				continue
			}
			if e.Kind == sim.TraceGiveUp && e.WhereKind == topology.KindClient {
				continue // told by the request's end
			}
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "  t=%.3fs %s%s", e.At.Seconds(), tag(&e), sentence(&e))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// tag says which of the client's attempts a line belongs to, when it is
// about a call below the client.
func tag(e *sim.TraceEvent) string {
	if e.Attempt == 0 || e.Where == e.Client {
		return ""
	}
	return fmt.Sprintf("[attempt %d] ", e.Attempt)
}

func header(r Request) string {
	if len(r.Events) == 0 {
		return fmt.Sprintf("Request #%d: no such request in this run\n", r.ID)
	}
	first := r.Events[0]
	end := "still in flight when the run ended"
	for _, e := range r.Events {
		if e.Kind == sim.TraceDone {
			end = ended(&e)
		}
	}
	return fmt.Sprintf("Request #%d from client %s, started at t=%.3fs: %s\n", r.ID, first.Client, first.At.Seconds(), end)
}

func ended(e *sim.TraceEvent) string {
	if e.Outcome == "ok" {
		return fmt.Sprintf("succeeded after %s (%s)", human.Brief(e.Wait), plural(e.Try, "attempt"))
	}
	return fmt.Sprintf("failed after %s (%s, the last %s)", human.Brief(e.Wait), plural(e.Try, "attempt"), outcomeWords[e.Outcome])
}

var outcomeWords = map[string]string{
	"ok": "ok", "timeout": "timed out", "error": "answered with an error",
	"rejected": "refused", "cancelled": "cancelled",
}

var kindWords = [...]string{
	topology.KindClient: "client", topology.KindLoadBalancer: "load balancer",
	topology.KindService: "service", topology.KindDatabase: "database",
}

func named(k topology.Kind, name string) string { return kindWords[k] + " " + name }

// sentence tells one event in words.
func sentence(e *sim.TraceEvent) string {
	where := named(e.WhereKind, e.Where)
	callee := named(e.CalleeKind, e.Callee)
	forNobody := ""
	if e.Orphaned {
		forNobody = ", for nobody: a caller above has given up"
	}
	switch e.Kind {
	case sim.TraceStart:
		return fmt.Sprintf("%s starts request #%d", where, e.Request)
	case sim.TraceSend:
		what := "try " + strconv.Itoa(e.Try)
		if e.WhereKind == topology.KindClient {
			what = "attempt " + strconv.Itoa(e.Try)
		}
		return fmt.Sprintf("%s sends %s of %d to %s, %s%s", where, what, e.MaxTries, callee, waits(e.Wait), forNobody)
	case sim.TraceQueued:
		return fmt.Sprintf("%s queues the call from %s behind %d others%s", where, e.Caller, e.Queue, forNobody)
	case sim.TraceWork:
		return fmt.Sprintf("%s starts work on the call from %s (%s of work)%s", where, e.Caller, human.Brief(e.Wait), forNobody)
	case sim.TraceAnswer:
		s := fmt.Sprintf("%s answers %s after %s: %s", where, e.Caller, human.Brief(e.Wait), answerWords[e.Outcome])
		if e.Orphaned {
			s += "; nobody is waiting for it any more"
			if e.Wasted > 0 {
				s += fmt.Sprintf(": %s of work wasted", human.Brief(e.Wasted))
			}
		}
		return s
	case sim.TraceTimeout:
		what := "try " + strconv.Itoa(e.Try) + " to " + callee
		if e.WhereKind == topology.KindClient {
			what = "attempt " + strconv.Itoa(e.Try)
		}
		told := callee + " is not told"
		if e.Cancel {
			told = "it tells " + callee + " to stop"
		}
		return fmt.Sprintf("%s: %s timed out after %s; %s", where, what, human.Brief(e.Wait), told)
	case sim.TraceGoesOn:
		switch {
		case e.State == "queued":
			return fmt.Sprintf("%s %s still has it queued", kindWords[e.WhereKind], e.Where)
		case e.State == "working":
			return fmt.Sprintf("%s %s keeps working on it (%s of work left)", kindWords[e.WhereKind], e.Where, human.Brief(e.Wait))
		case strings.HasPrefix(e.State, "waiting on "):
			left := "no limit"
			if e.Wait > 0 {
				left = human.Brief(e.Wait) + " of its timeout left"
			}
			return fmt.Sprintf("%s %s keeps %s (%s)", kindWords[e.WhereKind], e.Where, e.State, left)
		default:
			return fmt.Sprintf("%s %s still holds it (%s)", kindWords[e.WhereKind], e.Where, e.State)
		}
	case sim.TraceRetry:
		next := "try"
		if e.WhereKind == topology.KindClient {
			next = "attempt"
		}
		when := "at once"
		if e.Wait > 0 {
			when = "after " + human.Brief(e.Wait) + " of backoff"
		}
		return fmt.Sprintf("%s will send %s %d of %d %s (the last %s)", where, next, e.Try+1, e.MaxTries, when, outcomeWords[e.Outcome])
	case sim.TraceGiveUp:
		return fmt.Sprintf("%s gives up on its call after %s: %s", where, plural(e.Try, "try"), outcomeWords[e.Outcome])
	case sim.TraceDone:
		return fmt.Sprintf("%s: request #%d %s", where, e.Request, ended(e))
	}
	return ""
}

var answerWords = map[string]string{
	"ok": "ok", "error": "an error", "rejected": "refused (queue full, shed or down)", "cancelled": "stopped, cancelled by its caller",
}

func waits(d time.Duration) string {
	if d == 0 {
		return "waits as long as it takes"
	}
	return "waits up to " + human.Brief(d)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	if what == "try" {
		return strconv.Itoa(n) + " tries"
	}
	return strconv.Itoa(n) + " " + what + "s"
}
