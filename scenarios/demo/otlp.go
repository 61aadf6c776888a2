package demo

import (
	"context"
	"io"
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// lineExporter writes each batch of spans as one line of OTLP/JSON (an
// ExportTraceServiceRequest), as the Collector's file exporter does.
type lineExporter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (e *lineExporter) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	if len(spans) == 0 {
		return nil
	}
	td := ptrace.NewTraces()
	byRes := map[string]ptrace.SpanSlice{}
	for _, s := range spans {
		key := s.Resource().String()
		ss, ok := byRes[key]
		if !ok {
			rs := td.ResourceSpans().AppendEmpty()
			for _, kv := range s.Resource().Attributes() {
				putAttr(rs.Resource().Attributes(), kv)
			}
			sc := rs.ScopeSpans().AppendEmpty()
			sc.Scope().SetName(s.InstrumentationScope().Name)
			ss = sc.Spans()
			byRes[key] = ss
		}
		p := ss.AppendEmpty()
		p.SetTraceID(pcommon.TraceID(s.SpanContext().TraceID()))
		p.SetSpanID(pcommon.SpanID(s.SpanContext().SpanID()))
		if s.Parent().IsValid() {
			p.SetParentSpanID(pcommon.SpanID(s.Parent().SpanID()))
		}
		p.SetName(s.Name())
		p.SetKind(kindOf(s.SpanKind()))
		p.SetStartTimestamp(pcommon.NewTimestampFromTime(s.StartTime()))
		p.SetEndTimestamp(pcommon.NewTimestampFromTime(s.EndTime()))
		for _, kv := range s.Attributes() {
			putAttr(p.Attributes(), kv)
		}
		if s.Status().Code == codes.Error {
			p.Status().SetCode(ptrace.StatusCodeError)
			p.Status().SetMessage(s.Status().Description)
		}
		for _, ev := range s.Events() {
			pe := p.Events().AppendEmpty()
			pe.SetName(ev.Name)
			pe.SetTimestamp(pcommon.NewTimestampFromTime(ev.Time))
			for _, kv := range ev.Attributes {
				putAttr(pe.Attributes(), kv)
			}
		}
	}
	var m ptrace.JSONMarshaler
	b, err := m.MarshalTraces(td)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	_, err = e.w.Write(append(b, '\n'))
	return err
}

func (e *lineExporter) Shutdown(context.Context) error { return nil }

func kindOf(k trace.SpanKind) ptrace.SpanKind {
	switch k {
	case trace.SpanKindServer:
		return ptrace.SpanKindServer
	case trace.SpanKindClient:
		return ptrace.SpanKindClient
	case trace.SpanKindProducer:
		return ptrace.SpanKindProducer
	case trace.SpanKindConsumer:
		return ptrace.SpanKindConsumer
	}
	return ptrace.SpanKindInternal
}

func putAttr(m pcommon.Map, kv attribute.KeyValue) {
	k := string(kv.Key)
	switch kv.Value.Type() {
	case attribute.BOOL:
		m.PutBool(k, kv.Value.AsBool())
	case attribute.INT64:
		m.PutInt(k, kv.Value.AsInt64())
	case attribute.FLOAT64:
		m.PutDouble(k, kv.Value.AsFloat64())
	default:
		m.PutStr(k, kv.Value.String())
	}
}
