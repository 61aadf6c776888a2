package traces

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/scenariofile"
)

var update = flag.Bool("update", false, "rewrite the golden scenarios in testdata/golden")

func importFiles(t testing.TB, files ...string) (*Model, *Written) {
	t.Helper()
	r := NewReader()
	for _, f := range files {
		if err := r.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
	m, err := r.Infer()
	if err != nil {
		t.Fatal(err)
	}
	return m, m.Scenario("imported")
}

// Traces nobody here wrote (the HotROD demo in OpenTracing and in
// OpenTelemetry form, the OpenTelemetry demo, Jaeger's Elasticsearch
// documents) import into scenarios the loader accepts, with their services
// and calls and the evidence for each number. The scenarios are golden
// files (-update rewrites them).
func TestThirdPartyTraces(t *testing.T) {
	for _, tc := range []struct {
		file     string
		services []string // components that must be in the scenario
		calls    []string // "caller -> callee" that must be written
		notes    []string // evidence the comments must give
	}{
		{"hotrod-jaeger.json",
			[]string{"frontend", "customer", "driver", "route", "mysql", "redis.GetDriver", "redis.FindDriverIDs"},
			[]string{"frontend -> customer", "frontend -> driver", "frontend -> route", "customer -> mysql", "driver -> redis.GetDriver"},
			[]string{"one trace is little evidence", "10 calls to route/HTTP GET /route", "overlapped in time", "2 retries over 10 calls"}},
		{"hotrod-otlp.json",
			[]string{"frontend", "customer", "driver", "route", "mysql", "redis-manual.GetDriver"},
			[]string{"frontend -> route", "customer -> mysql", "driver -> redis-manual.GetDriver"},
			[]string{"one trace is little evidence", "[database.mysql]", "3 retries over 10 calls", "run in parallel"}},
		{"otel-demo-otlp-trimmed.json",
			[]string{"load-generator", "frontend-proxy.GET", "frontend.POST-api-cart", "cart.POST-oteldemo.CartService-AddItem", "product-catalog", "valkey-cart", "astronomy-db"},
			[]string{"product-catalog -> astronomy-db", "cart.POST-oteldemo.CartService-AddItem -> valkey-cart", "load-generator -> frontend-proxy.POST"},
			[]string{"one trace is little evidence", "Not instrumented", "timed out, after p50 15s", "A proxy (its spans carry component=proxy)"}},
		{"hotrod-jaeger-es-bulk.ndjson",
			[]string{"frontend.HTTP-GET-dispatch", "frontend.HTTP-GET-config", "route", "mysql"},
			[]string{"frontend.HTTP-GET-dispatch -> route"},
			[]string{"8 requests in", "6 requests in"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, w := importFiles(t, "testdata/"+tc.file)
			sc, err := scenariofile.Parse("imported.toml", w.TOML, "")
			if err != nil {
				t.Fatalf("the written scenario does not load: %v\n%s", err, w.TOML)
			}
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(tc.file, filepath.Ext(tc.file))+".toml")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, w.TOML, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(want, w.TOML) {
				t.Errorf("the scenario changed (rerun with -update if intended):\n%s", w.TOML)
			}
			index := map[string]int{}
			for i, c := range sc.Components {
				index[c.Group] = i
			}
			for _, s := range tc.services {
				if _, ok := index[s]; !ok {
					t.Errorf("no component %q", s)
				}
			}
			for _, c := range tc.calls {
				from, to, _ := strings.Cut(c, " -> ")
				if !calls(sc, from, to) {
					t.Errorf("no call %s", c)
				}
			}
			for _, n := range tc.notes {
				if !bytes.Contains(w.TOML, []byte(n)) {
					t.Errorf("the comments do not say %q", n)
				}
			}
		})
	}
}

// calls reports whether component from calls to (directly, or as a
// client's or balancer's target).
func calls(sc *topology.Scenario, from, to string) bool {
	for _, c := range sc.Components {
		if c.Group != from {
			continue
		}
		var targets []int
		switch {
		case c.Client != nil:
			targets = append(targets, c.Client.Target)
		case c.Balancer != nil:
			targets = append(targets, c.Balancer.Targets...)
		case c.Server != nil:
			for _, k := range c.Server.Calls {
				targets = append(targets, k.To)
			}
		}
		for _, t := range targets {
			if sc.Components[t].Group == to {
				return true
			}
		}
	}
	return false
}

// Bad input is refused with the file, the line (or a JSON path) and what
// is wrong, and nothing is kept of it.
func TestBadInput(t *testing.T) {
	otlpLine := func(spans string) string {
		return `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},"scopeSpans":[{"spans":[` + spans + `]}]}]}`
	}
	span := func(id, parent string, kind int, start, end string) string {
		p := ""
		if parent != "" {
			p = `"parentSpanId":"` + parent + `",`
		}
		return `{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"` + id + `",` + p + `"name":"GET","kind":` + string(rune('0'+kind)) + `,"startTimeUnixNano":"` + start + `","endTimeUnixNano":"` + end + `"}`
	}
	good := otlpLine(span("0000000000000001", "", 2, "1000000000", "2000000000"))
	for _, tc := range []struct {
		name, text, want string
	}{
		{"truncated", good + "\n" + good[:len(good)/2], "bad.json:2:"},
		{"truncated says so", good + "\n" + good[:len(good)/2], "truncated"},
		{"truncated body", "{\n  \"resourceSpans\": [\n", "bad.json:3:1: the JSON ends before its object does: the file is truncated"},
		{"unknown format", `{"spans": []}`, "bad.json:1: unknown format (its first key is \"spans\")"},
		{"not JSON", "hello", "bad.json:1: unknown format"},
		{"empty", "", "bad.json: the file is empty"},
		{"backwards clock", otlpLine(span("0000000000000001", "", 2, "2000000000", "1000000000")), "bad.json:1: resourceSpans[0].scopeSpans[0].spans[0]: the span ends 1000ms before it starts: the clock went backwards"},
		{"child before parent", otlpLine(span("0000000000000001", "", 2, "2000000000", "3000000000") + "," +
			`{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000002","parentSpanId":"0000000000000001","name":"db","kind":3,"startTimeUnixNano":"1000000000","endTimeUnixNano":"2500000000"}`),
			"bad.json:1: trace 0102030405060708090a0b0c0d0e0f10: span 0000000000000002 (db) starts 1000ms before its parent 0000000000000001: the clocks go backwards within the trace"},
		{"no server spans", otlpLine(span("0000000000000001", "", 3, "1000000000", "2000000000") + "," + span("0000000000000002", "0000000000000001", 3, "1000000000", "2000000000")),
			"bad.json: no server spans"},
		{"most parents missing", otlpLine(span("0000000000000001", "00000000000000ff", 2, "1000000000", "2000000000") + "," + span("0000000000000002", "00000000000000fe", 2, "1000000000", "2000000000")),
			"bad.json: 2 of 2 spans name a parent that is in none of the files"},
		{"bad OTLP value", `{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"sideways"}]}]}]}`, "bad.json:1:"},
		{"no service.name", otlpLine(span("0000000000000001", "", 2, "1", "2"))[:30] + strings.Replace(otlpLine(span("0000000000000001", "", 2, "1", "2"))[30:], "service.name", "host.name", 1), "resourceSpans[0].resource.attributes: no service.name"},
		{"jaeger bad process", `{"data":[{"traceID":"01","spans":[{"traceID":"01","spanID":"02","operationName":"x","startTime":1,"duration":1,"processID":"p9"}],"processes":{}}]}`,
			"bad.json:1: data[0].spans[0].processID: \"p9\" is not in data[0].processes"},
		{"jaeger wrong type", "{\"data\": [\n {\"traceID\": 7}]}", "bad.json:2:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader()
			err := r.Read("bad.json", strings.NewReader(tc.text))
			if err == nil {
				_, err = r.Infer()
			}
			if err == nil {
				t.Fatalf("no error; want %q", tc.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("%T is not an *Error: %v", err, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error\n  %v\nwant it to contain\n  %s", err, tc.want)
			}
		})
	}
}

// A few spans whose parents are missing are counted and reported, and the
// import goes on.
func TestFewMissingParentsAreReported(t *testing.T) {
	data, err := os.ReadFile("testdata/hotrod-otlp.json")
	if err != nil {
		t.Fatal(err)
	}
	// Point one route span's parent at a span that is not there.
	i := bytes.Index(data, []byte(`"parentSpanId"`))
	broken := append(append([]byte{}, data[:i]...), bytes.Replace(data[i:], data[i:i+len(`"parentSpanId": "`)+16], []byte(`"parentSpanId": "00000000000000aa`), 1)...)
	r := NewReader()
	if err := r.Read("partial.json", bytes.NewReader(broken)); err != nil {
		t.Fatal(err)
	}
	m, err := r.Infer()
	if err != nil {
		t.Fatal(err)
	}
	w := m.Scenario("partial")
	if m.MissingParents != 1 || !bytes.Contains(w.TOML, []byte("1 span(s) name a parent that is in none of the files")) {
		t.Errorf("missing parents %d; the scenario should say so:\n%s", m.MissingParents, w.TOML)
	}
}

// Parent links that go round in a circle are refused, not followed forever.
func TestParentCycle(t *testing.T) {
	line := `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},"scopeSpans":[{"spans":[` +
		`{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000001","parentSpanId":"0000000000000002","name":"a","kind":2,"startTimeUnixNano":"1000","endTimeUnixNano":"2000"},` +
		`{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000002","parentSpanId":"0000000000000001","name":"b","kind":2,"startTimeUnixNano":"1000","endTimeUnixNano":"2000"},` +
		`{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000003","name":"c","kind":2,"startTimeUnixNano":"1000","endTimeUnixNano":"2000"}]}]}]}`
	r := NewReader()
	if err := r.Read("cycle.json", strings.NewReader(line)); err != nil {
		t.Fatal(err)
	}
	_, err := r.Infer()
	if err == nil || !strings.Contains(err.Error(), "cycle.json:1: trace 0102030405060708090a0b0c0d0e0f10: span 0000000000000001 (a) is its own ancestor") {
		t.Errorf("got %v", err)
	}
}
