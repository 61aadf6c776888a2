package playground_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/failsim/failsim/cmd/simulate/playground"
	"github.com/failsim/failsim/cmd/simulate/playground/reportpage"
	"github.com/failsim/failsim/scenarios"
	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/topology/scenariofile"
)

// shipped is a playground of the shipped scenarios.
func shipped(t testing.TB) *playground.Config {
	t.Helper()
	lib, err := playground.NewLibrary(scenarios.FS, "scenarios/")
	if err != nil {
		t.Fatal(err)
	}
	return &playground.Config{Library: lib}
}

// message is any line the playground sends.
type message struct {
	Type     string                 `json:"type"`
	ID       string                 `json:"id"`
	From     int                    `json:"from"`
	X        []float64              `json:"x"`
	Y        [][][]*float64         `json:"y"`
	Charts   []playground.ChartMeta `json:"charts"`
	Summary  json.RawMessage        `json:"summary"`
	SHA256   string                 `json:"sha256"`
	Stopped  string                 `json:"stopped"`
	Problems []playground.Problem   `json:"problems"`
	Command  string                 `json:"command"`
	Files    map[string]string      `json:"files"`
	HTML     string                 `json:"html"`
}

// post calls a method of the server and reads its lines.
func post(t *testing.T, url, method string, arg any) (int, []message) {
	t.Helper()
	body, _ := json.Marshal(arg)
	resp, err := http.Post(url+"/api/"+method, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	var out []message
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var m message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s: a line that is not JSON: %.200s", method, sc.Bytes())
		}
		out = append(out, m)
	}
	return resp.StatusCode, out
}

func server(t *testing.T, cfg *playground.Config) string {
	t.Helper()
	srv := httptest.NewServer(playground.Handler(cfg, true))
	t.Cleanup(srv.Close)
	return srv.URL
}

// A run streams: "start" with the charts' lines, "points" covering every
// bucket once and in order, then "done" with summary.json, byte for byte
// what the command line writes for the same scenario, settings and seed.
func TestARunStreamsAndEndsWithTheCommandLinesBytes(t *testing.T) {
	url := server(t, shipped(t))
	seed := uint64(2)
	spec := playground.Spec{Name: "retry-storm", Sets: []playground.Set{{Key: "client.users.retry.max_attempts", Value: "2"}}, Seed: &seed}
	_, msgs := post(t, url, "run", spec)
	if len(msgs) < 3 || msgs[0].Type != "start" || msgs[len(msgs)-1].Type != "done" {
		t.Fatalf("got %d messages, want start, points..., done", len(msgs))
	}
	if want := "simulate run retry-storm --set client.users.retry.max_attempts=2 --seed 2"; msgs[0].Command != want {
		t.Errorf("command %q, want %q", msgs[0].Command, want)
	}
	buckets := 0
	for _, m := range msgs[1 : len(msgs)-1] {
		if m.Type != "points" || m.From != buckets || len(m.Y) != len(msgs[0].Charts) {
			t.Fatalf("a points message from bucket %d with %d charts, want from %d with %d", m.From, len(m.Y), buckets, len(msgs[0].Charts))
		}
		buckets += len(m.X)
	}
	if buckets != 300 {
		t.Errorf("the points cover %d buckets, want 300", buckets)
	}

	src, file, _ := scenarios.Lookup("retry-storm")
	sc, err := scenariofile.ParseFS(scenarios.Dir("retry-storm.toml"), file, src, "", scenariofile.Setting{Key: "client.users.retry.max_attempts", Value: "2"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := sim.Run(context.Background(), sc, sim.Options{Seed: seed, MaxInFlight: sim.DefaultMaxInFlight})
	if err != nil {
		t.Fatal(err)
	}
	want, _, _ := res.Encode()
	var got bytes.Buffer
	json.Compact(&got, want)
	var sent bytes.Buffer
	json.Compact(&sent, msgs[len(msgs)-1].Summary)
	if !bytes.Equal(sent.Bytes(), got.Bytes()) {
		t.Fatal("the summary sent differs from the engine's")
	}
	if _, files := post(t, url, "files", spec); len(files) != 1 || files[0].Files["summary.json"] != string(want) {
		t.Fatal("files: summary.json is not the engine's bytes")
	}
}

// report.html of the run on screen is drawn by the server from the run's
// files, as 'simulate plot' draws it.
func TestTheServerDrawsTheReport(t *testing.T) {
	cfg := shipped(t)
	url := server(t, cfg)
	small := playground.Spec{Text: "duration = \"10s\"\n" + diverging[len(`duration = "1h"`)+1:]}
	if _, msgs := post(t, url, "report", small); len(msgs) != 1 || msgs[0].Type != "error" {
		t.Fatalf("without a Report the server says %+v, want an error", msgs)
	}
	cfg.Report = reportpage.Page
	_, msgs := post(t, url, "report", small)
	if len(msgs) != 1 || !strings.HasPrefix(msgs[0].HTML, "<!DOCTYPE html>") {
		t.Fatalf("report: %+v", msgs)
	}
}

// What the server refuses, and how it says so.
func TestTheServerRefusesWhatIsTooLargeOrNotForIt(t *testing.T) {
	url := server(t, shipped(t))
	_, msgs := post(t, url, "inspect", playground.Spec{Text: "# " + strings.Repeat("x", playground.MaxText)})
	if len(msgs) != 1 || len(msgs[0].Problems) != 1 || !strings.Contains(msgs[0].Problems[0].Text, "more than the playground's limit of 256 KB") {
		t.Errorf("a text over the limit: %+v", msgs)
	}
	if code, _ := post(t, url, "inspect", playground.Spec{Text: strings.Repeat("x", playground.MaxBody)}); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a body over the limit: status %d", code)
	}
	if code, _ := post(t, url, "shell", struct{}{}); code != http.StatusNotFound {
		t.Errorf("an unknown method: status %d", code)
	}
	_, msgs = post(t, url, "scenario", map[string]string{"name": "../../etc/passwd"})
	if len(msgs) != 1 || msgs[0].Type != "error" {
		t.Errorf("a name outside the library: %+v", msgs)
	}
	req, _ := http.NewRequest("GET", url+"/", nil)
	req.Host = "attacker.example:80"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a request for another host name: status %d, want 403", resp.StatusCode)
	}
	resp, err = http.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); resp.StatusCode != 200 || !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("the page: status %d, policy %q", resp.StatusCode, csp)
	}
}

// diverging offers 1000 requests/s to a server that serves 100/s, with no
// timeout: the queue grows for ever.
const diverging = `duration = "1h"
[client.c]
target = "s"
rate = 1000
[service.s]
workers = 1
service_time = "10ms"
`

// A run past the runaway guard stops, and says why; so does a run stopped
// from the page.
func TestARunStopsAtTheGuardOrWhenAsked(t *testing.T) {
	cfg := shipped(t)
	cfg.MaxInFlight = 20_000
	url := server(t, cfg)
	_, msgs := post(t, url, "run", playground.Spec{Text: diverging})
	done := msgs[len(msgs)-1]
	if done.Type != "done" || !strings.Contains(done.Stopped, "more than the limit of 20000") {
		t.Fatalf("a diverging run ended with %q, stopped %q", done.Type, done.Stopped)
	}

	cfg.MaxInFlight = 0
	var stopped string
	err := cfg.Call(context.Background(), "run", []byte(`{"text": `+jsonString(diverging)+`}`), func(line []byte) error {
		var m message
		json.Unmarshal(line, &m)
		switch m.Type {
		case "start":
			go cfg.Call(context.Background(), "stop", []byte(`{"id":"`+m.ID+`"}`), func([]byte) error { return nil })
		case "done":
			stopped = m.Stopped
		}
		return nil
	})
	if err != nil || !strings.HasPrefix(stopped, "interrupted at t=") {
		t.Fatalf("a run asked to stop: %v, stopped %q", err, stopped)
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// The loader's problems come with their line, for the editor to mark.
func TestProblemsComeWithTheirLine(t *testing.T) {
	in, err := shipped(t).Inspect(playground.Spec{Text: "duration = \"1m\"\n[client.users]\ntarget = \"api\"\nrate = 10\ntimeout = 1\n[service.api]\nworkers = 1\nservice_time = \"1ms\"\n"})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Problems) != 1 || in.Problems[0].Line != 5 || !strings.Contains(in.Problems[0].Msg, "has no unit") {
		t.Fatalf("problems %+v, want one at line 5 about the unit", in.Problems)
	}
	in, err = shipped(t).Inspect(playground.Spec{Name: "retry-storm", Sets: []playground.Set{{Key: "client.nobody.timeout", Value: "1s"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Problems) == 0 || in.Problems[0].Line != 0 || !strings.Contains(in.Problems[0].Text, "--set client.nobody.timeout=1s") {
		t.Fatalf("a bad setting: %+v, want a problem naming the --set and no line", in.Problems)
	}
}

// Every control of every shipped scenario is bound to a key --set takes:
// moving it to the far end of its range gives a scenario that loads, and
// the control then shows that value.
func TestEveryControlIsASettingTheLoaderTakes(t *testing.T) {
	cfg := shipped(t)
	for _, e := range cfg.Library.Entries() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			in, err := cfg.Inspect(playground.Spec{Name: e.Name})
			if err != nil || len(in.Problems) > 0 {
				t.Fatalf("%v %+v", err, in.Problems)
			}
			if len(in.Controls) == 0 {
				t.Error("no control")
			}
			for _, c := range in.Controls {
				if c.Value != c.Base || len(c.Choices) != len(c.Names) {
					t.Errorf("%s: value %q, base %q, %d choices named %d", c.Key, c.Value, c.Base, len(c.Choices), len(c.Names))
				}
				v := c.Choices[len(c.Choices)-1]
				if v == c.Base {
					v = c.Choices[0]
				}
				moved, err := cfg.Inspect(playground.Spec{Name: e.Name, Sets: []playground.Set{{Key: c.Key, Value: v}}})
				if err != nil || len(moved.Problems) > 0 {
					t.Errorf("--set %s=%s: %v %+v", c.Key, v, err, moved.Problems)
					continue
				}
				for _, m := range moved.Controls {
					if m.Key == c.Key && m.Value != v {
						t.Errorf("after --set %s=%s the control says %s", c.Key, v, m.Value)
					}
				}
			}
		})
	}
}

// retry-storm's controls, its findings and its drawing, as the page shows
// them.
func ExampleConfig_Inspect() {
	lib, _ := playground.NewLibrary(scenarios.FS, "scenarios/")
	in, _ := (&playground.Config{Library: lib}).Inspect(playground.Spec{Name: "retry-storm"})
	for _, c := range in.Controls {
		fmt.Printf("%-32s %-14s %s\n", c.Key, c.Label, c.Base)
	}
	for _, e := range in.Topology.Edges {
		fmt.Printf("%s -> %s (%s)\n", e.From, e.To, e.Label)
	}
	fmt.Println(in.Findings[0].Rule, "at line", in.Findings[0].Line)
	// Output:
	// client.users.users               users          240
	// client.users.timeout             timeout        "1s"
	// client.users.retry.max_attempts  attempts       3
	// client.users.retry.backoff       backoff        "none"
	// client.users.retry.budget        retry budget   none
	// load_balancer.lb.timeout         route timeout  "15s"
	// fault[0].workers                 workers left   1
	// fault[0].for                     length         "10s"
	// users -> lb (1s ×3)
	// lb -> api (15s)
	// orphaned-work at line 20
}
