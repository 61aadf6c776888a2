package topology

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds the loader arbitrary text: it must never panic, and every
// problem it reports must name the file and, when it is about a key or a
// value, a line.
func FuzzParse(f *testing.F) {
	f.Add([]byte(valid))
	for _, pattern := range []string{"../scenarios/*.toml", "../scenarios/*/*.toml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("[service.a]\nworkers = 1\nservice_time = { dist = \"empirical\", percentiles = { min = \"1ms\", max = \"1s\" } }\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		sc, err := Parse("f.toml", src, "")
		if err == nil {
			if sc == nil {
				t.Fatal("no scenario and no error")
			}
			return
		}
		var errs Errors
		if !errors.As(err, &errs) {
			t.Fatalf("error of type %T: %v", err, err)
		}
		for _, e := range errs {
			if e.Pos.File != "f.toml" {
				t.Fatalf("error without the file name: %v", e)
			}
			if e.Pos.Line == 0 && !strings.Contains(e.Msg, "variant") {
				t.Fatalf("error without a position: %v", e)
			}
		}
	})
}
