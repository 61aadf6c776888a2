package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/failsim/failsim/cmd/simulate/playground"
	"github.com/failsim/failsim/cmd/simulate/playground/reportpage"
)

const tinyScenario = "duration = \"5s\"\n[client.c]\ntarget = \"s\"\nrate = 10\n[service.s]\nworkers = 1\nservice_time = \"1ms\"\n"

// A folder given to serve is all it reads: a link inside it to a file
// outside is listed as a problem, and its text is never read.
func TestServeReadsNothingOutsideItsFolder(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.toml")
	if err := os.WriteFile(outside, []byte(tinyScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "mine.toml"), []byte(tinyScenario), 0o644)
	if err := os.Symlink(outside, filepath.Join(dir, "link.toml")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	lib, err := library(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range lib.Entries() {
		names = append(names, e.Name+": "+e.Problem)
	}
	if len(names) != 2 || names[1] != "mine: " || !strings.Contains(names[0], "link: ") || !strings.Contains(names[0], "escapes") {
		t.Fatalf("the library lists %q, want the link with its problem and mine.toml", names)
	}
	cfg := &playground.Config{Library: lib}
	var answer string
	cfg.Call(context.Background(), "scenario", []byte(`{"name":"link"}`), func(line []byte) error { answer = string(line); return nil })
	if strings.Contains(answer, "rate = 10") || !strings.Contains(answer, `"type":"error"`) {
		t.Fatalf("the link's text was read: %s", answer)
	}
	if _, err := library(filepath.Join(dir, "nothing-here")); err == nil {
		t.Fatal("a folder that does not exist was served")
	}
}

// serve answers this machine only unless told otherwise, and says where.
func TestServeListensOnLoopbackByDefault(t *testing.T) {
	cmd := newServeCmd(streams{out: io.Discard, err: io.Discard})
	if host := cmd.Flags().Lookup("host").DefValue; host != "127.0.0.1" {
		t.Fatalf("the default host is %q", host)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out strings.Builder
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, &serveOptions{host: "127.0.0.1", port: 0, maxInFlight: 1000, ready: func(string) { cancel() }}, streams{out: &out, err: io.Discard})
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "failsim playground: http://127.0.0.1:") {
		t.Fatalf("serve printed %q", out.String())
	}
	if code := run([]string{"serve", "--port", "70000"}, io.Discard, io.Discard); code != exitInput {
		t.Fatalf("a bad port: exit %d, want %d", code, exitInput)
	}
}

// report.html from the playground is the one `simulate run --plot` writes
// for the same run, byte for byte: figures, tables, the scenario's text,
// its topology and its check.
func TestThePlaygroundsReportIsTheCommandLines(t *testing.T) {
	if testing.Short() {
		t.Skip("draws two reports; run without -short")
	}
	dir := t.TempDir()
	if code := run([]string{"run", "thundering-herd", "--variant", "full-jitter", "--plot", "--out", dir}, io.Discard, io.Discard); code != exitOK {
		t.Fatalf("simulate run --plot: exit %d", code)
	}
	want, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	lib, err := library("")
	if err != nil {
		t.Fatal(err)
	}
	cfg := &playground.Config{Library: lib, Report: reportpage.Page}
	var got struct{ Type, HTML string }
	cfg.Call(context.Background(), "report", []byte(`{"name":"thundering-herd","variant":"full-jitter"}`), func(line []byte) error {
		return json.Unmarshal(line, &got)
	})
	if got.Type != "report" || got.HTML != string(want) {
		t.Fatalf("the playground's report.html (%s, %d bytes) differs from simulate run --plot's (%d bytes)", got.Type, len(got.HTML), len(want))
	}
}
