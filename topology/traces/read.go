package traces

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Error is a problem with the input: the file, where in it (a line and
// column, or a JSON path), and what was expected.
type Error struct {
	File      string
	Line, Col int    // 0 when not known
	Path      string // a JSON path, e.g. data[0].spans[3].startTime
	Msg       string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Span kinds, with OTLP's numbers.
const (
	kindUnset    = 0
	kindInternal = 1
	kindServer   = 2
	kindClient   = 3
	kindProducer = 4
	kindConsumer = 5
)

// Span flags.
const (
	flagError   uint8 = 1 << iota // status ERROR
	flagTimeout                   // the span says its caller timed out
	flagDB                        // db.system or db.system.name
	flagProxy                     // Envoy's component=proxy
	flagHedge                     // failsim.hedge
	flagResend                    // http.request.resend_count > 0
)

// span is one span, in a fixed-size record: strings are interned.
type span struct {
	start, end  int64 // Unix nanoseconds
	id, parent  uint64
	trace       uint32
	svc, inst   uint32
	name, peer  uint32 // peer: who an uninstrumented client span calls, 0 if unknown
	line        uint32
	file        uint16
	kind, flags uint8
}

// Reader accumulates spans from any number of files.
type Reader struct {
	spans   []span
	strs    []string
	strIdx  map[string]uint32
	traceID map[[16]byte]uint32
	files   []string
	formats []string // per file
}

// NewReader returns an empty Reader.
func NewReader() *Reader {
	return &Reader{strs: []string{""}, strIdx: map[string]uint32{"": 0}, traceID: map[[16]byte]uint32{}}
}

func (r *Reader) intern(s string) uint32 {
	if i, ok := r.strIdx[s]; ok {
		return i
	}
	i := uint32(len(r.strs))
	r.strs = append(r.strs, s)
	r.strIdx[s] = i
	return i
}

func (r *Reader) traceOf(id [16]byte) uint32 {
	if i, ok := r.traceID[id]; ok {
		return i
	}
	i := uint32(len(r.traceID))
	r.traceID[id] = i
	return i
}

// Spans is how many spans have been read.
func (r *Reader) Spans() int { return len(r.spans) }

// ReadFile reads one file, detecting its format.
func (r *Reader) ReadFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return r.Read(path, f)
}

// maxLine bounds one line of line-delimited input.
const maxLine = 256 << 20

// Read reads one input named name (for messages), detecting its format:
// OTLP/JSON lines, one OTLP/JSON body, Jaeger API JSON, or Jaeger's
// Elasticsearch bulk lines. Nothing is kept of an input that has an error.
func (r *Reader) Read(name string, in io.Reader) error {
	if len(r.files) >= 1<<16-1 {
		return &Error{File: name, Msg: "too many files"}
	}
	keep := len(r.spans)
	file := uint16(len(r.files))
	r.files = append(r.files, name)
	r.formats = append(r.formats, "")
	err := r.read(name, file, in)
	if err != nil {
		r.spans = r.spans[:keep]
		r.files, r.formats = r.files[:file], r.formats[:file]
		return err
	}
	if len(r.spans) == keep {
		return &Error{File: name, Msg: "no spans in the file"}
	}
	return nil
}

func (r *Reader) read(name string, file uint16, in io.Reader) error {
	br := bufio.NewReaderSize(in, 1<<20)
	first, err := br.Peek(1)
	for err == nil && len(bytes.TrimSpace(first)) == 0 {
		if _, err = br.ReadByte(); err == nil {
			first, err = br.Peek(1)
		}
	}
	if err == io.EOF {
		return &Error{File: name, Msg: "the file is empty"}
	}
	if err != nil {
		return err
	}
	if first[0] != '{' {
		return &Error{File: name, Line: 1, Msg: unknownFormat(fmt.Sprintf("it starts with %q, not a JSON object", first[0]))}
	}
	// One object a line, or one object over many lines? A first line that
	// closes its object is the Collector's file exporter (or bulk lines).
	first1, err := br.ReadBytes('\n')
	if err != nil && err != io.EOF {
		return err
	}
	line1 := bytes.TrimSpace(first1)
	if bytes.HasSuffix(line1, []byte("}")) {
		sc := bufio.NewScanner(br)
		sc.Buffer(make([]byte, 0, 1<<20), maxLine)
		return r.readLines(name, file, line1, sc)
	}
	rest, err := io.ReadAll(br)
	if err != nil {
		return err
	}
	return r.readWhole(name, file, append(first1, rest...))
}

func unknownFormat(why string) string {
	return "unknown format (" + why + "); want OTLP/JSON (an object with resourceSpans, one a line as the Collector's file exporter writes, or one body) or Jaeger JSON (an object with data[].spans, as the Jaeger UI downloads it)"
}

// topKey returns the first key of the JSON object in b.
func topKey(b []byte) string {
	d := json.NewDecoder(bytes.NewReader(b))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return ""
	}
	t, err := d.Token()
	if err != nil {
		return ""
	}
	s, _ := t.(string)
	return s
}

func (r *Reader) readLines(name string, file uint16, line1 []byte, sc *bufio.Scanner) error {
	kind := ""
	switch k := topKey(line1); k {
	case "resourceSpans", "resource_spans":
		kind = "otlp"
	case "index", "create":
		kind = "es"
	case "traceID":
		kind = "es"
	case "data":
		kind = "jaeger"
	default:
		if k == "" {
			return &Error{File: name, Line: 1, Msg: unknownFormat("the first line is not a JSON object")}
		}
		return &Error{File: name, Line: 1, Msg: unknownFormat(fmt.Sprintf("its first key is %q", k))}
	}
	r.formats[file] = kind + " lines"
	u := ptrace.JSONUnmarshaler{}
	line := 1
	text := line1
	for {
		if len(text) > 0 {
			var err error
			switch kind {
			case "otlp":
				var td ptrace.Traces
				td, err = u.UnmarshalTraces(text)
				if err == nil {
					err = r.addOTLP(td, file, uint32(line))
				}
				if err != nil {
					return lineError(name, line, text, err)
				}
			case "es":
				if err := r.addESLine(name, file, line, text); err != nil {
					return err
				}
			case "jaeger":
				if err := r.addJaeger(name, file, line, text); err != nil {
					return err
				}
			}
		}
		if !sc.Scan() {
			if err := sc.Err(); err != nil {
				if errors.Is(err, bufio.ErrTooLong) {
					return &Error{File: name, Line: line + 1, Msg: fmt.Sprintf("a line longer than %d MB", maxLine>>20)}
				}
				return &Error{File: name, Line: line + 1, Msg: err.Error()}
			}
			return nil
		}
		line++
		text = bytes.TrimSpace(sc.Bytes())
	}
}

// jsoniterAt finds the byte offset in pdata's (json-iterator's) messages.
var jsoniterAt = regexp.MustCompile(`error found in #(\d+) byte`)

// lineError turns a parser's error on one line into an Error at its
// column, saying whether the line is cut short.
func lineError(name string, line int, text []byte, err error) error {
	var e *Error
	if errors.As(err, &e) {
		if e.File == "" {
			e.File = name
		}
		if e.Line == 0 {
			e.Line = line
		}
		return e
	}
	msg := err.Error()
	col := 0
	if m := jsoniterAt.FindStringSubmatch(msg); m != nil {
		col, _ = strconv.Atoi(m[1])
		if i := strings.Index(msg, ", error found in"); i > 0 {
			msg = msg[:i]
		}
	}
	if !json.Valid(text) {
		var serr *json.SyntaxError
		if jerr := json.Unmarshal(text, new(any)); errors.As(jerr, &serr) {
			col = int(serr.Offset)
			if int(serr.Offset) >= len(text) {
				return &Error{File: name, Line: line, Col: col, Msg: "the JSON ends before its object does: the file is truncated"}
			}
			msg = serr.Error()
		}
	}
	return &Error{File: name, Line: line, Col: col, Msg: "not valid OTLP/JSON: " + msg}
}

func (r *Reader) readWhole(name string, file uint16, text []byte) error {
	if !json.Valid(text) {
		var serr *json.SyntaxError
		err := json.Unmarshal(text, new(any))
		if errors.As(err, &serr) {
			l, c := lineCol(text, int(serr.Offset))
			if int(serr.Offset) >= len(bytes.TrimRight(text, " \r\n\t")) {
				return &Error{File: name, Line: l, Col: c, Msg: "the JSON ends before its object does: the file is truncated"}
			}
			return &Error{File: name, Line: l, Col: c, Msg: "not valid JSON: " + serr.Error()}
		}
		return &Error{File: name, Msg: "not valid JSON"}
	}
	switch k := topKey(text); k {
	case "resourceSpans", "resource_spans":
		r.formats[file] = "otlp"
		td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(text)
		if err != nil {
			e := lineError(name, 1, text, err).(*Error)
			e.Line, e.Col = lineCol(text, e.Col)
			return e
		}
		if err := r.addOTLP(td, file, 0); err != nil {
			var e *Error
			if errors.As(err, &e) {
				e.File = name
			}
			return err
		}
		return nil
	case "data":
		r.formats[file] = "jaeger"
		return r.addJaeger(name, file, 0, text)
	case "":
		return &Error{File: name, Line: 1, Msg: unknownFormat("not a JSON object")}
	default:
		return &Error{File: name, Line: 1, Msg: unknownFormat(fmt.Sprintf("its first key is %q", k))}
	}
}

func lineCol(text []byte, off int) (int, int) {
	off = min(off, len(text))
	line := 1 + bytes.Count(text[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(text[:off], '\n')
	return line, col
}

// addOTLP keeps the spans of one ExportTraceServiceRequest.
func (r *Reader) addOTLP(td ptrace.Traces, file uint16, line uint32) error {
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		svc, inst := "", ""
		rs.Resource().Attributes().Range(func(k string, v pcommon.Value) bool {
			switch k {
			case "service.name":
				svc = v.AsString()
			case "service.instance.id":
				inst = v.AsString()
			case "host.name":
				if inst == "" {
					inst = v.AsString()
				}
			}
			return true
		})
		if svc == "" {
			return &Error{Line: int(line), Path: fmt.Sprintf("resourceSpans[%d].resource.attributes", i), Msg: "no service.name: spans cannot be given to a service"}
		}
		sv, in := r.intern(svc), r.intern(inst)
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j).Spans()
			for k := 0; k < ss.Len(); k++ {
				p := ss.At(k)
				path := func(f string) string {
					return fmt.Sprintf("resourceSpans[%d].scopeSpans[%d].spans[%d]%s", i, j, k, f)
				}
				if p.TraceID().IsEmpty() {
					return &Error{Line: int(line), Path: path(".traceId"), Msg: "missing or all zero"}
				}
				if p.SpanID().IsEmpty() {
					return &Error{Line: int(line), Path: path(".spanId"), Msg: "missing or all zero"}
				}
				sp := span{
					start: int64(p.StartTimestamp()), end: int64(p.EndTimestamp()),
					id: idOf(p.SpanID()), parent: idOf(p.ParentSpanID()), trace: r.traceOf(p.TraceID()),
					svc: sv, inst: in, name: r.intern(p.Name()), line: line, file: file, kind: uint8(p.Kind()),
				}
				if p.Status().Code() == ptrace.StatusCodeError {
					sp.flags |= flagError
					if timeoutWords(p.Status().Message()) {
						sp.flags |= flagTimeout
					}
				}
				var peer string
				p.Attributes().Range(func(k string, v pcommon.Value) bool {
					r.attr(&sp, &peer, k, v.AsString())
					return true
				})
				sp.peer = r.intern(peer)
				if err := checkTimes(&sp); err != nil {
					err.Line, err.Path = int(line), path("")
					return err
				}
				r.spans = append(r.spans, sp)
			}
		}
	}
	return nil
}

func idOf(id pcommon.SpanID) uint64 {
	var v uint64
	for _, b := range id {
		v = v<<8 | uint64(b)
	}
	return v
}

func timeoutWords(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "deadline exceeded") || strings.Contains(m, "timeout") || strings.Contains(m, "timed out")
}

// attr notes what an attribute (or Jaeger tag) says about a span.
func (r *Reader) attr(sp *span, peer *string, k, v string) {
	switch k {
	case "response_flags": // Envoy: UT is an upstream request timeout
		if strings.Contains(v, "UT") {
			sp.flags |= flagTimeout
		}
	case "error.type":
		if timeoutWords(v) {
			sp.flags |= flagTimeout
		}
	case "db.system", "db.system.name", "db.type":
		sp.flags |= flagDB
		if *peer == "" {
			*peer = v
		}
	case "component":
		if v == "proxy" {
			sp.flags |= flagProxy
		}
	case "failsim.hedge":
		if v == "true" {
			sp.flags |= flagHedge
		}
	case "http.request.resend_count":
		if v != "0" {
			sp.flags |= flagResend
		}
	case "peer.service", "service.peer.name":
		*peer = v
	case "server.address", "net.peer.name", "peer.hostname":
		if *peer == "" || sp.flags&flagDB != 0 {
			*peer = v
		}
	case "error":
		if v == "true" {
			sp.flags |= flagError
		}
	case "otel.status_code":
		if v == "ERROR" {
			sp.flags |= flagError
		}
	case "otel.status_description":
		if timeoutWords(v) {
			sp.flags |= flagTimeout
		}
	case "span.kind":
		switch v {
		case "server":
			sp.kind = kindServer
		case "client":
			sp.kind = kindClient
		case "producer":
			sp.kind = kindProducer
		case "consumer":
			sp.kind = kindConsumer
		case "internal":
			sp.kind = kindInternal
		}
	}
}

// checkTimes refuses a span whose clock went backwards.
func checkTimes(sp *span) *Error {
	if sp.start <= 0 {
		return &Error{Msg: "no start time"}
	}
	if sp.end < sp.start {
		return &Error{Msg: fmt.Sprintf("the span ends %s before it starts: the clock went backwards", fmtNanos(sp.start-sp.end))}
	}
	return nil
}

func fmtNanos(ns int64) string { return strconv.FormatFloat(float64(ns)/1e6, 'f', -1, 64) + "ms" }

// Jaeger JSON.
type (
	jDoc struct {
		Data []jTrace `json:"data"`
	}
	jTrace struct {
		TraceID   string              `json:"traceID"`
		Spans     []jSpan             `json:"spans"`
		Processes map[string]jProcess `json:"processes"`
	}
	jSpan struct {
		TraceID       string    `json:"traceID"`
		SpanID        string    `json:"spanID"`
		OperationName string    `json:"operationName"`
		References    []jRef    `json:"references"`
		StartTime     *int64    `json:"startTime"`
		Duration      *int64    `json:"duration"`
		Tags          []jTag    `json:"tags"`
		Tag           jFlatTags `json:"tag"`
		ProcessID     string    `json:"processID"`
		Process       *jProcess `json:"process"`
	}
	jRef struct {
		RefType string `json:"refType"`
		TraceID string `json:"traceID"`
		SpanID  string `json:"spanID"`
	}
	jTag struct {
		Key   string `json:"key"`
		Value any    `json:"value"`
	}
	jProcess struct {
		ServiceName string    `json:"serviceName"`
		Tags        []jTag    `json:"tags"`
		Tag         jFlatTags `json:"tag"`
	}
	// jFlatTags is Elasticsearch's flat tag object, "." written "@".
	jFlatTags map[string]any
)

func tagString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}

func decodeJSON(name string, line int, text []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(text))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		line = max(line, 1)
		var terr *json.UnmarshalTypeError
		var serr *json.SyntaxError
		switch {
		case errors.As(err, &terr):
			l, c := lineCol(text, int(terr.Offset))
			return &Error{File: name, Line: line + l - 1, Col: c, Path: terr.Field, Msg: fmt.Sprintf("expected %s, got %s", terr.Type, terr.Value)}
		case errors.As(err, &serr):
			l, c := lineCol(text, int(serr.Offset))
			return &Error{File: name, Line: line + l - 1, Col: c, Msg: "not valid JSON: " + serr.Error()}
		case errors.Is(err, io.ErrUnexpectedEOF):
			return &Error{File: name, Line: max(line, 1), Msg: "the JSON ends before its object does: the file is truncated"}
		}
		return &Error{File: name, Line: line, Msg: err.Error()}
	}
	return nil
}

func (r *Reader) addJaeger(name string, file uint16, line int, text []byte) error {
	var doc jDoc
	if err := decodeJSON(name, line, text, &doc); err != nil {
		return err
	}
	if doc.Data == nil {
		return &Error{File: name, Line: max(line, 1), Path: "data", Msg: "missing: want the list of traces"}
	}
	for i, t := range doc.Data {
		for j := range t.Spans {
			s := &t.Spans[j]
			path := fmt.Sprintf("data[%d].spans[%d]", i, j)
			p, ok := t.Processes[s.ProcessID]
			if !ok {
				return &Error{File: name, Line: line, Path: path + ".processID", Msg: fmt.Sprintf("%q is not in data[%d].processes", s.ProcessID, i)}
			}
			if s.TraceID == "" {
				s.TraceID = t.TraceID
			}
			if err := r.addJaegerSpan(name, file, line, path, s, &p); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *Reader) addESLine(name string, file uint16, line int, text []byte) error {
	if k := topKey(text); k == "index" || k == "create" {
		return nil // a bulk action line
	}
	var s jSpan
	if err := decodeJSON(name, line, text, &s); err != nil {
		return err
	}
	if s.Process == nil {
		return &Error{File: name, Line: line, Path: "process", Msg: "missing: want the span's process with its serviceName"}
	}
	return r.addJaegerSpan(name, file, line, "", &s, s.Process)
}

func hexID(s string, n int) ([]byte, bool) {
	if len(s) > 2*n || len(s) == 0 {
		return nil, false
	}
	s = strings.Repeat("0", 2*n-len(s)) + s
	b, err := hex.DecodeString(s)
	return b, err == nil
}

func (r *Reader) addJaegerSpan(name string, file uint16, line int, path string, s *jSpan, p *jProcess) error {
	at := func(f string) string {
		if path == "" {
			return f
		}
		return path + "." + f
	}
	tid, ok := hexID(s.TraceID, 16)
	if !ok {
		return &Error{File: name, Line: line, Path: at("traceID"), Msg: fmt.Sprintf("%q is not a hex trace ID", s.TraceID)}
	}
	sid, ok := hexID(s.SpanID, 8)
	if !ok {
		return &Error{File: name, Line: line, Path: at("spanID"), Msg: fmt.Sprintf("%q is not a hex span ID", s.SpanID)}
	}
	if s.StartTime == nil || s.Duration == nil {
		return &Error{File: name, Line: line, Path: at("startTime"), Msg: "startTime and duration (microseconds) are required"}
	}
	if p.ServiceName == "" {
		return &Error{File: name, Line: line, Path: at("process.serviceName"), Msg: "missing: spans cannot be given to a service"}
	}
	inst := ""
	for _, t := range p.Tags {
		if t.Key == "service.instance.id" || (inst == "" && (t.Key == "hostname" || t.Key == "host.name")) {
			inst = tagString(t.Value)
		}
	}
	for k, v := range p.Tag {
		if k == "hostname" && inst == "" {
			inst = tagString(v)
		}
	}
	sp := span{
		start: *s.StartTime * 1000, end: (*s.StartTime + *s.Duration) * 1000,
		id: beUint(sid), trace: r.traceOf([16]byte(tid)), svc: r.intern(p.ServiceName), inst: r.intern(inst),
		name: r.intern(s.OperationName), line: uint32(line), file: file,
	}
	for _, ref := range s.References {
		if ref.RefType == "CHILD_OF" || (sp.parent == 0 && ref.RefType == "FOLLOWS_FROM") {
			if pid, ok := hexID(ref.SpanID, 8); ok {
				sp.parent = beUint(pid)
			}
		}
	}
	var peer string
	for _, t := range s.Tags {
		r.attr(&sp, &peer, t.Key, tagString(t.Value))
	}
	keys := make([]string, 0, len(s.Tag))
	for k := range s.Tag {
		keys = append(keys, k)
	}
	slices.Sort(keys) // map order must not decide which tag wins
	for _, k := range keys {
		r.attr(&sp, &peer, strings.ReplaceAll(k, "@", "."), tagString(s.Tag[k]))
	}
	sp.peer = r.intern(peer)
	if *s.Duration < 0 {
		return &Error{File: name, Line: line, Path: at("duration"), Msg: fmt.Sprintf("%d µs: the clock went backwards", *s.Duration)}
	}
	if err := checkTimes(&sp); err != nil {
		err.File, err.Line, err.Path = name, line, path
		return err
	}
	r.spans = append(r.spans, sp)
	return nil
}

func beUint(b []byte) uint64 {
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return v
}
