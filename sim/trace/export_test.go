package trace

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/scenariofile"
	"github.com/failsim/failsim/topology/traces"
)

// slowdown samples five requests of the seeds' classic during the database
// slowdown, cut to 70s: timeouts at every tier, retries, work for nobody.
func slowdown(t *testing.T, variant string) (*topology.Scenario, []Request) {
	t.Helper()
	sc := mismatch(t, variant)
	sc.Duration = 70 * time.Second
	return sc, sample(t, sc, 5, Filter{From: 62 * time.Second, To: 66 * time.Second})
}

// exportMismatch exports them in format.
func exportMismatch(t *testing.T, variant, format string) ([]Request, []byte) {
	t.Helper()
	sc, reqs := slowdown(t, variant)
	var b bytes.Buffer
	if err := Export(&b, format, sc, 1, reqs); err != nil {
		t.Fatal(err)
	}
	return reqs, b.Bytes()
}

// The OpenTelemetry Collector's own OTLP/JSON reader reads the export back
// without loss: every line is an ExportTraceServiceRequest with no field
// the schema does not know, written again by the Collector's writer it
// gives the same bytes, and it holds every span with its IDs, times,
// status and attributes.
func TestOTLPReadByCollector(t *testing.T) {
	sc, reqs := slowdown(t, "")
	var b bytes.Buffer
	if err := Export(&b, FormatOTLP, sc, 1, reqs); err != nil {
		t.Fatal(err)
	}
	want := Spans(sc, 1, reqs)
	byID := map[[8]byte]Span{}
	for _, s := range want {
		byID[s.SpanID] = s
	}
	u := ptrace.JSONUnmarshaler{DisallowUnknownFields: true}
	var m ptrace.JSONMarshaler
	seen := 0
	sc2 := bufio.NewScanner(&b)
	sc2.Buffer(nil, 1<<26)
	for line := 1; sc2.Scan(); line++ {
		td, err := u.UnmarshalTraces(sc2.Bytes())
		if err != nil {
			t.Fatalf("line %d: %v", line, err)
		}
		again, err := m.MarshalTraces(td)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, sc2.Bytes()) {
			t.Errorf("line %d changes when the Collector writes it again", line)
		}
		rss := td.ResourceSpans()
		for i := 0; i < rss.Len(); i++ {
			rs := rss.At(i)
			svc, _ := rs.Resource().Attributes().Get("service.name")
			for j := 0; j < rs.ScopeSpans().Len(); j++ {
				ss := rs.ScopeSpans().At(j).Spans()
				for k := 0; k < ss.Len(); k++ {
					p := ss.At(k)
					seen++
					w, ok := byID[[8]byte(p.SpanID())]
					switch {
					case !ok:
						t.Fatalf("span %s was not exported", p.SpanID())
					case svc.Str() != w.Service || p.Name() != w.Name || [16]byte(p.TraceID()) != w.TraceID || [8]byte(p.ParentSpanID()) != w.ParentID:
						t.Errorf("span %s: service %q name %q, want %q %q", p.SpanID(), svc.Str(), p.Name(), w.Service, w.Name)
					case p.StartTimestamp().AsTime() != Epoch.Add(w.Start) || p.EndTimestamp().AsTime() != Epoch.Add(w.End):
						t.Errorf("span %s: times %v-%v, want %v-%v", p.SpanID(), p.StartTimestamp(), p.EndTimestamp(), w.Start, w.End)
					case (p.Status().Code() == ptrace.StatusCodeError) != w.Error || p.Attributes().Len() != len(w.Attrs) || p.Events().Len() != len(w.Events):
						t.Errorf("span %s: status, attributes or events differ", p.SpanID())
					}
				}
			}
		}
	}
	if seen != len(want) {
		t.Errorf("the Collector read %d spans, want %d", seen, len(want))
	}
}

// What happened is in the spans, named as OpenTelemetry names it: retries
// carry http.request.resend_count, timeouts error.type "timeout", work
// finished for a caller that gave up is marked orphaned with the time it
// wasted, and calls to the database carry db.system.name.
func TestSpansTellTimeoutsRetriesAndWaste(t *testing.T) {
	sc, reqs := slowdown(t, "")
	spans := Spans(sc, 1, reqs)
	count := map[string]int{}
	for _, s := range spans {
		if s.End < s.Start {
			t.Errorf("span %x ends before it starts", s.SpanID)
		}
		for _, a := range s.Attrs {
			switch {
			case a.Key == "http.request.resend_count":
				count["retry"]++
			case a.Key == "error.type" && a.Value == "timeout":
				count["timeout"]++
			case a.Key == "failsim.wasted_s":
				count["wasted"]++
			case a.Key == "db.system.name":
				count["db"]++
			case a.Key == "component" && a.Value == "proxy":
				count["proxy"]++
			}
		}
		for _, e := range s.Events {
			count["event "+e.Name]++
		}
	}
	for _, k := range []string{"retry", "timeout", "wasted", "db", "proxy", "event caller gave up", "event retry scheduled", "event work started"} {
		if count[k] == 0 {
			t.Errorf("no %s in the spans of the slowdown: %v", k, count)
		}
	}
}

// With cancellation, a caller that gives up tells its callee: the callee's
// span ends cancelled.
func TestSpansTellCancellation(t *testing.T) {
	_, out := exportMismatch(t, "cancellation", FormatJaeger)
	if !bytes.Contains(out, []byte(`"failsim.outcome","type":"string","value":"cancelled"`)) {
		t.Error("no cancelled span in the cancellation variant")
	}
}

// The same run gives the same bytes, in every format.
func TestExportIsDeterministic(t *testing.T) {
	sc1, a := slowdown(t, "")
	sc2, b := slowdown(t, "")
	for _, f := range Formats {
		var x, y bytes.Buffer
		if err := Export(&x, f, sc1, 1, a); err != nil {
			t.Fatal(err)
		}
		if err := Export(&y, f, sc2, 1, b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x.Bytes(), y.Bytes()) {
			t.Errorf("%s: two exports of the same run differ", f)
		}
	}
}

// The Chrome export is valid trace-event JSON: an object with traceEvents
// and displayTimeUnit; every event has the fields its phase needs; complete
// events on one thread nest; every flow that starts ends.
func TestChromeIsValidTraceEventFormat(t *testing.T) {
	_, out := exportMismatch(t, "", FormatChrome)
	if err := validChrome(out); err != nil {
		t.Fatal(err)
	}
}

func validChrome(data []byte) error {
	var doc struct {
		TraceEvents     []map[string]any `json:"traceEvents"`
		DisplayTimeUnit string           `json:"displayTimeUnit"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return err
	}
	if doc.DisplayTimeUnit != "ms" && doc.DisplayTimeUnit != "ns" {
		return fmt.Errorf("displayTimeUnit %q", doc.DisplayTimeUnit)
	}
	if len(doc.TraceEvents) == 0 {
		return fmt.Errorf("no events")
	}
	type stack struct{ ends []float64 }
	stacks := map[string]*stack{}
	flows := map[string]int{}
	num := func(e map[string]any, k string) (float64, bool) {
		n, ok := e[k].(json.Number)
		if !ok {
			return 0, false
		}
		f, err := n.Float64()
		return f, err == nil
	}
	for i, e := range doc.TraceEvents {
		ph, _ := e["ph"].(string)
		name, _ := e["name"].(string)
		if name == "" {
			return fmt.Errorf("event %d: no name", i)
		}
		pid, okp := num(e, "pid")
		tid, okt := num(e, "tid")
		if !okp || (!okt && ph != "M") {
			return fmt.Errorf("event %d: pid and tid must be numbers", i)
		}
		if ph == "M" {
			if _, ok := e["args"].(map[string]any)["name"]; !ok {
				return fmt.Errorf("event %d: metadata without a name", i)
			}
			continue
		}
		ts, ok := num(e, "ts")
		if !ok || ts < 0 {
			return fmt.Errorf("event %d: ts must be a number of microseconds, at least 0", i)
		}
		key := fmt.Sprint(pid, "/", tid)
		switch ph {
		case "X":
			dur, ok := num(e, "dur")
			if !ok || dur < 0 {
				return fmt.Errorf("event %d: a complete event needs dur >= 0", i)
			}
			s := stacks[key]
			if s == nil {
				s = &stack{}
				stacks[key] = s
			}
			for len(s.ends) > 0 && s.ends[len(s.ends)-1] <= ts {
				s.ends = s.ends[:len(s.ends)-1]
			}
			if len(s.ends) > 0 && ts+dur > s.ends[len(s.ends)-1]+1e-6 {
				return fmt.Errorf("event %d (%s) on %s overlaps the event it starts in without nesting", i, name, key)
			}
			s.ends = append(s.ends, ts+dur)
		case "i":
			if sc, _ := e["s"].(string); sc != "t" && sc != "p" && sc != "g" {
				return fmt.Errorf("event %d: an instant needs scope t, p or g", i)
			}
		case "s", "f":
			id, _ := e["id"].(string)
			if id == "" {
				return fmt.Errorf("event %d: a flow event needs an id", i)
			}
			if ph == "s" {
				flows[id]++
			} else {
				flows[id]--
			}
		default:
			return fmt.Errorf("event %d: unexpected phase %q", i, ph)
		}
	}
	for id, n := range flows {
		if n != 0 {
			return fmt.Errorf("flow %s starts %d more times than it ends", id, n)
		}
	}
	return nil
}

// Window export: every request that started in a window, up to a bound.
func TestSampleAllTakesEveryRequestOfTheWindow(t *testing.T) {
	sc := mismatch(t, "")
	sc.Duration = 12 * time.Second
	reqs, total, err := SampleAll(context.Background(), sc, sim.Options{Seed: 1}, 1000, Filter{From: 10 * time.Second, To: 11 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if total < 200 || total > 400 || len(reqs) != total {
		t.Errorf("%d requests of %d in one second at 300/s", len(reqs), total)
	}
	few, total2, err := SampleAll(context.Background(), sc, sim.Options{Seed: 1}, 10, Filter{From: 10 * time.Second, To: 11 * time.Second})
	if err != nil || len(few) != 10 || total2 != total || few[0].ID != reqs[0].ID {
		t.Errorf("bounded to 10: got %d of %d (%v)", len(few), total2, err)
	}
}

// The importer reads the Jaeger export back, span for span.
func TestJaegerReadBack(t *testing.T) {
	sc, reqs := slowdown(t, "")
	var b bytes.Buffer
	if err := Export(&b, FormatJaeger, sc, 1, reqs); err != nil {
		t.Fatal(err)
	}
	r := traces.NewReader()
	if err := r.Read("export.json", &b); err != nil {
		t.Fatal(err)
	}
	if got, want := r.Spans(), len(Spans(sc, 1, reqs)); got != want {
		t.Errorf("read %d spans back, exported %d", got, want)
	}
	if _, err := r.Infer(); err != nil {
		t.Error(err)
	}
}

// Hedged copies, refusals by a circuit breaker and by a retry budget show
// as attributes and events of the caller's spans.
func TestSpansTellHedgesAndRefusals(t *testing.T) {
	for _, tc := range []struct {
		file, variant string
		from, to      time.Duration
		want          string // an attribute key, or an event name and reason
	}{
		{"duplicate-writes", "hedging", 62 * time.Second, 70 * time.Second, "attr failsim.hedge"},
		{"retry-storm", "circuit-breaker", 62 * time.Second, 75 * time.Second, "event call refused: circuit breaker"},
		{"retry-storm", "retry-budget", 62 * time.Second, 75 * time.Second, "event retry refused: retry budget"},
	} {
		t.Run(tc.variant, func(t *testing.T) {
			sc, err := scenariofile.Load("../../scenarios/"+tc.file+".toml", tc.variant)
			if err != nil {
				t.Fatal(err)
			}
			sc.Duration = tc.to + 5*time.Second
			reqs, _, err := SampleAll(context.Background(), sc, sim.Options{Seed: 1}, 3000, Filter{From: tc.from, To: tc.to})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, s := range Spans(sc, 1, reqs) {
				for _, a := range s.Attrs {
					seen["attr "+a.Key] = true
				}
				for _, e := range s.Events {
					for _, a := range e.Attrs {
						if a.Key == "failsim.reason" {
							seen[fmt.Sprintf("event %s: %v", e.Name, a.Value)] = true
						}
					}
				}
			}
			if !seen[tc.want] {
				t.Errorf("no %q in the spans of %d requests", tc.want, len(reqs))
			}
		})
	}
}
