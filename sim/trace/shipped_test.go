package trace

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/failsim/failsim/scenarios"
	"github.com/failsim/failsim/topology/scenariofile"
	"github.com/failsim/failsim/topology/traces"
)

// Every shipped scenario, around its first fault, exports in every format:
// the Collector reads the OTLP strictly, the Chrome file is valid trace-event
// JSON, and the importer reads the Jaeger file and infers a model from it.
// (The perf/ scenarios are for timing the engine: 10,000 requests a second.)
func TestEveryShippedScenarioExports(t *testing.T) {
	for _, name := range scenarios.Names() {
		if strings.HasPrefix(name, "perf/") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			file, src, dir, err := scenarios.Read(name)
			if err != nil {
				t.Fatal(err)
			}
			sc, err := scenariofile.ParseFS(dir, file, src, "")
			if err != nil {
				t.Fatal(err)
			}
			from := 5 * time.Second
			if len(sc.Faults) > 0 {
				from = sc.Faults[0].At
			}
			sc.Duration = min(sc.Duration, from+20*time.Second)
			reqs := sample(t, sc, 10, Filter{From: from, To: from + 15*time.Second})
			if len(reqs) == 0 {
				t.Skip("no request in the window")
			}
			for _, f := range Formats {
				var b bytes.Buffer
				if err := Export(&b, f, sc, 1, reqs); err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				switch f {
				case FormatOTLP:
					u := ptrace.JSONUnmarshaler{DisallowUnknownFields: true}
					lines := bufio.NewScanner(&b)
					lines.Buffer(nil, 1<<26)
					for lines.Scan() {
						if _, err := u.UnmarshalTraces(lines.Bytes()); err != nil {
							t.Errorf("otlp: %v", err)
						}
					}
				case FormatChrome:
					if err := validChrome(b.Bytes()); err != nil {
						t.Errorf("chrome: %v", err)
					}
				case FormatJaeger:
					r := traces.NewReader()
					if err := r.Read("export.json", &b); err != nil {
						t.Fatalf("jaeger: %v", err)
					}
					if _, err := r.Infer(); err != nil {
						t.Errorf("jaeger: %v", err)
					}
				}
			}
		})
	}
}
