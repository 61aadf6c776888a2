package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/failsim/failsim/sim/results"
)

// The README's example scenario runs, and does what the README says: it never
// recovers from its twenty-second capacity loss.
func TestReadmeExampleScenario(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	start := strings.Index(s, "```toml\n")
	if start < 0 {
		t.Fatal("no TOML example in the README")
	}
	body := s[start+len("```toml\n"):]
	body = body[:strings.Index(body, "```")]
	dir := t.TempDir()
	file := filepath.Join(dir, "s.toml")
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := simulate(t, "run", file, "--out", dir); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	r, err := results.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if rec := r.Summary.Recovery.Recovered; rec == nil || *rec {
		t.Fatalf("recovery %+v; the README says it never recovers", r.Summary.Recovery)
	}
}
