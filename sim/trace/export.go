package trace

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/topology"
)

// Formats Export writes.
const (
	FormatOTLP   = "otlp"   // OTLP/JSON, one ExportTraceServiceRequest per line, as the Collector's file exporter writes
	FormatJaeger = "jaeger" // Jaeger's query API JSON, as its UI downloads and uploads it
	FormatChrome = "chrome" // Chrome trace-event JSON, for Perfetto and chrome://tracing
)

// Formats lists the formats Export writes.
var Formats = []string{FormatOTLP, FormatJaeger, FormatChrome}

// SampleAll runs sc twice with opts, as Sample does, and returns the lives
// of every request that matches f, in the order they started, up to max of
// them; total is how many matched.
func SampleAll(ctx context.Context, sc *topology.Scenario, opts sim.Options, max int, f Filter) (reqs []Request, total int, err error) {
	sel := &selector{f: f, started: map[int64]bool{}, matched: map[int64]bool{}}
	opts.Tracer = sel
	if _, err := sim.Run(ctx, sc, opts); err != nil {
		return nil, 0, err
	}
	chosen := sel.order
	if len(chosen) > max {
		chosen = chosen[:max]
	}
	rec := &recorder{lives: map[int64]*Request{}}
	for _, id := range chosen {
		rec.lives[id] = &Request{ID: id}
	}
	opts.Tracer = rec
	if _, err := sim.Run(ctx, sc, opts); err != nil {
		return nil, 0, err
	}
	reqs = make([]Request, len(chosen))
	for i, id := range chosen {
		reqs[i] = *rec.lives[id]
	}
	return reqs, len(sel.order), nil
}

// Export writes the requests of a run of sc with seed in format. The same
// requests always give the same bytes.
func Export(w io.Writer, format string, sc *topology.Scenario, seed uint64, reqs []Request) error {
	bw := bufio.NewWriter(w)
	var err error
	switch format {
	case FormatOTLP:
		err = writeOTLP(bw, sc, seed, reqs)
	case FormatJaeger:
		err = writeJaeger(bw, Spans(sc, seed, reqs))
	case FormatChrome:
		err = writeChrome(bw, Spans(sc, seed, reqs))
	default:
		return fmt.Errorf("unknown trace format %q; want one of otlp, jaeger, chrome", format)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// otlpBatch is how many requests go on one line of OTLP JSON: lines stay
// small enough for any reader, and a large export is written as it goes.
const otlpBatch = 200

func writeOTLP(w io.Writer, sc *topology.Scenario, seed uint64, reqs []Request) error {
	b := newBuilder(sc, seed)
	var m ptrace.JSONMarshaler
	for i := 0; i < len(reqs); i += otlpBatch {
		var spans []*Span
		for _, r := range reqs[i:min(i+otlpBatch, len(reqs))] {
			spans = append(spans, b.request(r)...)
		}
		td := OTLP(spans)
		buf, err := m.MarshalTraces(td)
		if err != nil {
			return err
		}
		if _, err := w.Write(append(buf, '\n')); err != nil {
			return err
		}
	}
	return nil
}

// OTLP converts spans to the Collector's pdata: one ResourceSpans per
// component, in the order the components first appear, with service.name
// and service.instance.id.
func OTLP(spans []*Span) ptrace.Traces {
	td := ptrace.NewTraces()
	byInst := map[string]ptrace.SpanSlice{}
	for _, s := range spans {
		ss, ok := byInst[s.Instance]
		if !ok {
			rs := td.ResourceSpans().AppendEmpty()
			rs.Resource().Attributes().PutStr("service.name", s.Service)
			rs.Resource().Attributes().PutStr("service.instance.id", s.Instance)
			sc := rs.ScopeSpans().AppendEmpty()
			sc.Scope().SetName("github.com/failsim/failsim/sim/trace")
			ss = sc.Spans()
			byInst[s.Instance] = ss
		}
		p := ss.AppendEmpty()
		p.SetTraceID(pcommon.TraceID(s.TraceID))
		p.SetSpanID(pcommon.SpanID(s.SpanID))
		if s.ParentID != ([8]byte{}) {
			p.SetParentSpanID(pcommon.SpanID(s.ParentID))
		}
		p.SetName(s.Name)
		p.SetKind(ptrace.SpanKind(s.Kind))
		p.SetStartTimestamp(pcommon.NewTimestampFromTime(Epoch.Add(s.Start)))
		p.SetEndTimestamp(pcommon.NewTimestampFromTime(Epoch.Add(s.End)))
		putAttrs(p.Attributes(), s.Attrs)
		if s.Error {
			p.Status().SetCode(ptrace.StatusCodeError)
			p.Status().SetMessage(s.Message)
		}
		for _, e := range s.Events {
			pe := p.Events().AppendEmpty()
			pe.SetName(e.Name)
			pe.SetTimestamp(pcommon.NewTimestampFromTime(Epoch.Add(e.At)))
			putAttrs(pe.Attributes(), e.Attrs)
		}
	}
	return td
}

func putAttrs(m pcommon.Map, attrs []Attr) {
	for _, a := range attrs {
		switch v := a.Value.(type) {
		case string:
			m.PutStr(a.Key, v)
		case int64:
			m.PutInt(a.Key, v)
		case float64:
			m.PutDouble(a.Key, v)
		case bool:
			m.PutBool(a.Key, v)
		}
	}
}

// Jaeger's query API JSON.
type (
	jaegerDoc struct {
		Data   []jaegerTrace `json:"data"`
		Total  int           `json:"total"`
		Limit  int           `json:"limit"`
		Offset int           `json:"offset"`
		Errors any           `json:"errors"`
	}
	jaegerTrace struct {
		TraceID   string                   `json:"traceID"`
		Spans     []jaegerSpan             `json:"spans"`
		Processes map[string]jaegerProcess `json:"processes"`
		Warnings  any                      `json:"warnings"`
	}
	jaegerSpan struct {
		TraceID       string      `json:"traceID"`
		SpanID        string      `json:"spanID"`
		OperationName string      `json:"operationName"`
		References    []jaegerRef `json:"references"`
		StartTime     int64       `json:"startTime"`
		Duration      int64       `json:"duration"`
		Tags          []jaegerTag `json:"tags"`
		Logs          []jaegerLog `json:"logs"`
		ProcessID     string      `json:"processID"`
		Warnings      any         `json:"warnings"`
	}
	jaegerRef struct {
		RefType string `json:"refType"`
		TraceID string `json:"traceID"`
		SpanID  string `json:"spanID"`
	}
	jaegerTag struct {
		Key   string `json:"key"`
		Type  string `json:"type"`
		Value any    `json:"value"`
	}
	jaegerLog struct {
		Timestamp int64       `json:"timestamp"`
		Fields    []jaegerTag `json:"fields"`
	}
	jaegerProcess struct {
		ServiceName string      `json:"serviceName"`
		Tags        []jaegerTag `json:"tags"`
	}
)

var jaegerKinds = map[SpanKind]string{KindInternal: "internal", KindServer: "server", KindClient: "client"}

func micros(d int64) int64 { return d / 1000 }

func writeJaeger(w io.Writer, spans []Span) error {
	doc := jaegerDoc{Data: []jaegerTrace{}}
	epoch := Epoch.UnixNano()
	for i := 0; i < len(spans); {
		j := i
		for j < len(spans) && spans[j].TraceID == spans[i].TraceID {
			j++
		}
		t := jaegerTrace{TraceID: hex.EncodeToString(spans[i].TraceID[:]), Processes: map[string]jaegerProcess{}}
		pids := map[string]string{}
		for _, s := range spans[i:j] {
			pid, ok := pids[s.Instance]
			if !ok {
				pid = "p" + strconv.Itoa(len(pids)+1)
				pids[s.Instance] = pid
				t.Processes[pid] = jaegerProcess{ServiceName: s.Service, Tags: []jaegerTag{{"service.instance.id", "string", s.Instance}}}
			}
			js := jaegerSpan{
				TraceID: t.TraceID, SpanID: hex.EncodeToString(s.SpanID[:]), OperationName: s.Name,
				References: []jaegerRef{}, StartTime: micros(epoch + int64(s.Start)), Duration: micros(int64(s.End - s.Start)),
				Tags: []jaegerTag{{"span.kind", "string", jaegerKinds[s.Kind]}}, Logs: []jaegerLog{}, ProcessID: pid,
			}
			if s.ParentID != ([8]byte{}) {
				js.References = append(js.References, jaegerRef{"CHILD_OF", t.TraceID, hex.EncodeToString(s.ParentID[:])})
			}
			js.Tags = append(js.Tags, jaegerTags(s.Attrs)...)
			if s.Error {
				js.Tags = append(js.Tags, jaegerTag{"error", "bool", true}, jaegerTag{"otel.status_code", "string", "ERROR"},
					jaegerTag{"otel.status_description", "string", s.Message})
			}
			for _, e := range s.Events {
				js.Logs = append(js.Logs, jaegerLog{micros(epoch + int64(e.At)), append([]jaegerTag{{"event", "string", e.Name}}, jaegerTags(e.Attrs)...)})
			}
			t.Spans = append(t.Spans, js)
		}
		doc.Data = append(doc.Data, t)
		i = j
	}
	doc.Total = len(doc.Data)
	enc := json.NewEncoder(w)
	return enc.Encode(doc)
}

func jaegerTags(attrs []Attr) []jaegerTag {
	out := make([]jaegerTag, 0, len(attrs))
	for _, a := range attrs {
		t := jaegerTag{Key: a.Key, Value: a.Value}
		switch a.Value.(type) {
		case string:
			t.Type = "string"
		case int64:
			t.Type = "int64"
		case float64:
			t.Type = "float64"
		case bool:
			t.Type = "bool"
		}
		out = append(out, t)
	}
	return out
}

// Chrome trace-event JSON.
type chromeEvent struct {
	Name string         `json:"name"`
	Cat  string         `json:"cat,omitempty"`
	Ph   string         `json:"ph"`
	Ts   float64        `json:"ts"`
	Dur  *float64       `json:"dur,omitempty"`
	Pid  int            `json:"pid"`
	Tid  int64          `json:"tid"`
	ID   string         `json:"id,omitempty"`
	BP   string         `json:"bp,omitempty"`
	S    string         `json:"s,omitempty"`
	Args map[string]any `json:"args,omitempty"`
}

// writeChrome writes spans as complete events ("X"): a process per
// component, a thread per request (more than one when a component handles
// calls of one request that overlap without nesting, as after a timeout);
// span events as instants ("i") and each try as a flow ("s" to "f") from
// the caller's span to the callee's.
func writeChrome(w io.Writer, spans []Span) error {
	var evs []chromeEvent
	pids := map[string]int{}
	type lane struct{ ends []float64 } // a stack of open spans' ends
	lanes := map[[2]int64][]*lane{}    // (pid, request) -> lanes
	named := map[[2]int64]bool{}
	us := func(d int64) float64 { return float64(d) / 1e3 }
	for _, s := range spans {
		pid, ok := pids[s.Instance]
		if !ok {
			pid = len(pids) + 1
			pids[s.Instance] = pid
			evs = append(evs, chromeEvent{Name: "process_name", Ph: "M", Pid: pid, Args: map[string]any{"name": s.Instance}})
		}
		start, end := us(int64(s.Start)), us(int64(s.End))
		key := [2]int64{int64(pid), s.Request}
		li := -1
		for i, l := range lanes[key] {
			for len(l.ends) > 0 && l.ends[len(l.ends)-1] <= start {
				l.ends = l.ends[:len(l.ends)-1]
			}
			if len(l.ends) == 0 || end <= l.ends[len(l.ends)-1] {
				li = i
				break
			}
		}
		if li < 0 {
			lanes[key] = append(lanes[key], &lane{})
			li = len(lanes[key]) - 1
		}
		l := lanes[key][li]
		l.ends = append(l.ends, end)
		tid := s.Request*100 + int64(li)
		if li >= 99 {
			tid = s.Request*100 + 99
		}
		if tk := [2]int64{int64(pid), tid}; !named[tk] {
			named[tk] = true
			evs = append(evs, chromeEvent{Name: "thread_name", Ph: "M", Pid: pid, Tid: tid, Args: map[string]any{"name": "request #" + strconv.FormatInt(s.Request, 10)}})
		}
		dur := end - start
		args := map[string]any{"span_id": hex.EncodeToString(s.SpanID[:]), "kind": jaegerKinds[s.Kind]}
		for _, a := range s.Attrs {
			args[a.Key] = a.Value
		}
		if s.Error {
			args["status"] = "ERROR"
		}
		evs = append(evs, chromeEvent{Name: s.Name, Cat: jaegerKinds[s.Kind], Ph: "X", Ts: start, Dur: &dur, Pid: pid, Tid: tid, Args: args})
		id := hex.EncodeToString(s.SpanID[:])
		switch s.Kind {
		case KindClient: // the flow starts inside the caller's span
			evs = append(evs, chromeEvent{Name: "call", Cat: "flow", Ph: "s", Ts: start, Pid: pid, Tid: tid, ID: id})
		case KindServer:
			evs = append(evs, chromeEvent{Name: "call", Cat: "flow", Ph: "f", BP: "e", Ts: start, Pid: pid, Tid: tid, ID: hex.EncodeToString(s.ParentID[:])})
		}
		for _, e := range s.Events {
			a := map[string]any{}
			for _, x := range e.Attrs {
				a[x.Key] = x.Value
			}
			evs = append(evs, chromeEvent{Name: e.Name, Cat: "event", Ph: "i", S: "t", Ts: us(int64(e.At)), Pid: pid, Tid: tid, Args: a})
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Ph == "M" && evs[j].Ph != "M" })
	return json.NewEncoder(w).Encode(map[string]any{"traceEvents": evs, "displayTimeUnit": "ms"})
}
