package scenariofile

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
	f.Add([]byte(stateKeys))
	f.Add([]byte(validInfra))
	f.Add([]byte(validNetwork))
	for _, b := range shipped(f) {
		f.Add(b)
	}
	f.Add([]byte("[service.a]\nworkers = 1\nservice_time = { dist = \"empirical\", percentiles = { min = \"1ms\", max = \"1s\" } }\n"))
	// Hostile shapes (TestHostileScenarios has them full size): nesting
	// just past the limit, a name out of the output folder, nothing at all.
	f.Add([]byte("a = " + strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)))
	f.Add([]byte("a = " + strings.Repeat("{b = ", MaxDepth+1) + "1" + strings.Repeat("}", MaxDepth+1)))
	f.Add([]byte(strings.Repeat("b.", MaxDepth+1) + "c = 1"))
	f.Add([]byte("name = \"../../escape1\"\n" + valid))
	f.Add([]byte(""))
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
			// Only problems of the whole file have no line: a variant
			// asked for, a scenario with nothing in it.
			if e.Pos.Line == 0 && !strings.Contains(e.Msg, "variant") && !strings.HasPrefix(e.Msg, "the scenario ") {
				t.Fatalf("error without a position: %v", e)
			}
		}
	})
}

// FuzzSettings applies an arbitrary --set to the shipped scenarios: never
// a panic, and every problem names the file or the --set it comes from.
func FuzzSettings(f *testing.F) {
	for _, set := range []string{"client.users.timeout=4s", "service.api.call[0].retry.max_attempts=5",
		"fault[0].for=0s", `service."api".workers=[1,2]`, "database.db.connections=-1", "x=", "a.b[9].c={d=1}",
		// links, faults on links, records and the retry guards of issue 20
		"link[0].response_loss=2", `fault[0].direction="sideways"`, `fault[0].partition="db -> payments"`,
		"network.delay=5ms", "database.row.records.keys=0", `client.writers.retry.max_attempts="none"`,
		`service.payments.call[0].retry.budget={kind="token_bucket",cost=20}`} {
		f.Add(set, 0)
	}
	files := shipped(f)
	f.Fuzz(func(t *testing.T, set string, file int) {
		st, err := ParseSetting(set)
		if err != nil {
			return
		}
		src := files[uint(file)%uint(len(files))]
		_, err = Parse("f.toml", src, "", st)
		if err == nil {
			return
		}
		var errs Errors
		if !errors.As(err, &errs) {
			t.Fatalf("error of type %T: %v", err, err)
		}
		for _, e := range errs {
			if e.Pos.File != "f.toml" && e.Pos.File != st.String() {
				t.Fatalf("error naming neither the file nor the --set: %v", e)
			}
		}
	})
}

// shipped is the text of every shipped scenario, the fuzzers' seeds.
func shipped(tb testing.TB) [][]byte {
	var srcs [][]byte
	for _, pattern := range []string{"../../scenarios/*.toml", "../../scenarios/*/*.toml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				tb.Fatal(err)
			}
			srcs = append(srcs, b)
		}
	}
	if len(srcs) == 0 {
		tb.Fatal("no shipped scenarios found")
	}
	return srcs
}
