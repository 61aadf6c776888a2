package traces

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/failsim/failsim/topology/scenariofile"
)

// FuzzRead feeds the reader arbitrary files, seeded from the testdata:
// whatever the bytes, it returns spans or an *Error, never panics, and what
// it infers from them is a scenario the loader accepts.
func FuzzRead(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json*")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil && len(data) < 1<<14 {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"resourceSpans":[]}`))
	f.Add([]byte(`{"data":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader()
		if err := r.Read("fuzz.json", bytes.NewReader(data)); err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%T is not an *Error: %v", err, err)
			}
			return
		}
		m, err := r.Infer()
		if err != nil {
			return
		}
		w := m.Scenario("fuzz")
		if _, err := scenariofile.Parse("fuzz.toml", w.TOML, ""); err != nil {
			t.Fatalf("the scenario inferred does not load: %v\n%s", err, w.TOML)
		}
	})
}
