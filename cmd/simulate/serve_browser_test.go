//go:build long

package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/failsim/failsim/scenarios"
)

var screenshots = flag.String("screenshots", "", "save the playground test's screenshots into this folder (docs/images)")

// run is one run's measurements, as the page records them
// (window.failsimStats.runs).
type pageRun struct {
	FirstDraw *float64  `json:"firstDraw"`
	Draws     []float64 `json:"draws"`
	Done      *float64  `json:"done"`
	Verdict   string    `json:"verdict"`
	SHA256    string    `json:"sha256"`
	Stopped   *string   `json:"stopped"`
	Buckets   int       `json:"buckets"`
}

func (p *page) lastRun() pageRun {
	var r pageRun
	p.eval(`window.failsimStats.runs[window.failsimStats.runs.length - 1]`, &r)
	return r
}

func (p *page) runs() int {
	var n int
	p.eval(`window.failsimStats.runs.length`, &n)
	return n
}

// runAndWait clicks Run and waits for the run it starts to end.
func (p *page) runAndWait(t *testing.T, click string) pageRun {
	t.Helper()
	before := p.runs()
	p.eval(click, nil)
	p.waitFor(fmt.Sprintf(`window.failsimStats.runs.length > %d && window.failsimStats.runs[window.failsimStats.runs.length-1].done !== null`, before), 90*time.Second)
	return p.lastRun()
}

func (p *page) save(t *testing.T, name string) {
	t.Helper()
	if *screenshots == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(*screenshots, name), p.screenshot(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// cliSummary is summary.json as `simulate run` writes it, and its sha256.
func cliSummary(t *testing.T, args ...string) string {
	t.Helper()
	dir := t.TempDir()
	var stderr strings.Builder
	if code := run(append(append([]string{"run"}, args...), "--out", dir), io.Discard, &stderr); code != exitOK {
		t.Fatalf("simulate run %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// divergingText offers 1000 requests/s to a server that serves 100/s, for
// an hour, with no timeout: its queue grows for ever.
const divergingText = "name = \"diverging\"\nduration = \"1h\"\n[client.c]\ntarget = \"s\"\nrate = 1000\n[service.s]\nworkers = 1\nservice_time = \"10ms\"\n"

const setAttempts = `(() => {
  const input = document.querySelector('input[data-key="client.users.retry.max_attempts"]');
  input.value = String([...Array(+input.max + 1).keys()].find((i) => i === 0)); // the first choice: 1 attempt
  input.dispatchEvent(new Event("input"));
})()`

// The served page, as a class uses it: run retry-storm, move the attempts
// control, see the charts redraw and the verdict change, open the share
// link in a fresh page and get the same bytes, which are the command
// line's. Then what it refuses, and what it does not run.
func TestLongServedPlaygroundInChromium(t *testing.T) {
	chromium := chromiumOrSkip(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	urls := make(chan string, 1)
	errs := make(chan error, 1)
	go func() {
		errs <- runServe(ctx, &serveOptions{host: "127.0.0.1", port: 0, maxInFlight: 200_000, ready: func(u string) { urls <- u }},
			streams{out: io.Discard, err: io.Discard})
	}()
	var url string
	select {
	case url = <-urls:
	case err := <-errs:
		t.Fatal(err)
	}
	b := launch(t, chromium)
	p := b.open(url, false)
	p.waitFor(`window.failsimStats && window.failsimStats.ready && window.failsimStats.runs.length > 0 && window.failsimStats.runs[0].done !== null`, 60*time.Second)
	first := p.lastRun()
	if first.FirstDraw == nil || *first.FirstDraw > 1000 {
		t.Errorf("timeout-mismatch: the page started drawing %v ms after Run, want within 1000 ms", first.FirstDraw)
	}
	t.Logf("served timeout-mismatch: first draw %.0f ms after Run, done in %.0f ms, %d redraws", *first.FirstDraw, *first.Done, len(first.Draws))
	p.save(t, "playground.png")

	// retry-storm, as the scenario library offers it.
	p.eval(`(() => { const s = document.getElementById("scenario"); s.value = "retry-storm"; s.dispatchEvent(new Event("change")); })()`, nil)
	// retry-storm's users are a closed loop: its controls have users where
	// timeout-mismatch's have a rate.
	p.waitFor(`document.querySelector('input[data-key="client.users.users"]') && !document.getElementById("run").disabled`, 30*time.Second)
	storm := p.runAndWait(t, `document.getElementById("run").click()`)
	if !strings.HasPrefix(storm.Verdict, "did not recover") {
		t.Fatalf("retry-storm: verdict %q, want a storm that does not recover", storm.Verdict)
	}
	if storm.FirstDraw == nil || *storm.FirstDraw > 1000 || len(storm.Draws) < 2 {
		t.Errorf("retry-storm: first draw %v ms after Run, %d redraws; want within 1000 ms and several", storm.FirstDraw, len(storm.Draws))
	}
	if got := cliSummary(t, "retry-storm", "--seed", "1"); storm.SHA256 != got {
		t.Errorf("retry-storm: the page's summary.json has sha256 %s, the command line's %s", storm.SHA256, got)
	}

	// Moving the attempts control reruns it: new charts, a new verdict.
	moved := p.runAndWait(t, setAttempts)
	if len(moved.Draws) < 2 || moved.Buckets != 300 {
		t.Errorf("after moving the control: %d redraws of %d buckets, want several of 300", len(moved.Draws), moved.Buckets)
	}
	if !strings.HasPrefix(moved.Verdict, "recovered") {
		t.Fatalf("retry-storm with one attempt: verdict %q, want recovered", moved.Verdict)
	}
	var command string
	p.eval(`document.getElementById("command").textContent`, &command)
	if !strings.Contains(command, "--set client.users.retry.max_attempts=1") {
		t.Errorf("the command shown is %q, want it to carry the control's --set", command)
	}
	if got := cliSummary(t, "retry-storm", "--set", "client.users.retry.max_attempts=1", "--seed", "1"); moved.SHA256 != got {
		t.Errorf("the page's summary.json has sha256 %s, the command line's %s", moved.SHA256, got)
	}

	// The share link, in a fresh page, runs the same thing.
	p.eval(`document.getElementById("share").click()`, nil)
	p.waitFor(`window.failsimStats.shared`, 10*time.Second)
	var link string
	p.eval(`window.failsimStats.shared`, &link)
	fresh := b.open(link, true)
	fresh.waitFor(`window.failsimStats && window.failsimStats.runs.length > 0 && window.failsimStats.runs[0].done !== null`, 60*time.Second)
	if again := fresh.lastRun(); again.SHA256 != moved.SHA256 || again.Verdict != moved.Verdict {
		t.Errorf("the share link ran %s (%q), want %s (%q)", again.SHA256, again.Verdict, moved.SHA256, moved.Verdict)
	}

	// Today against the proposal: keep the storm as A, run B with one
	// attempt, and compare over seeds.
	p.runAndWait(t, `(() => { const i = document.querySelector('input[data-key="client.users.retry.max_attempts"]'); i.value = "2"; i.dispatchEvent(new Event("input")); })()`)
	p.runAndWait(t, `document.getElementById("pin").click()`)
	p.runAndWait(t, setAttempts)
	p.eval(`document.getElementById("seeds").value = "3"; document.getElementById("compare").click()`, nil)
	p.waitFor(`document.querySelector("#compare-result table")`, 90*time.Second)
	var rows int
	p.eval(`document.querySelectorAll("#compare-result tr").length`, &rows)
	if rows < 5 {
		t.Errorf("the comparison shows %d rows", rows)
	}
	p.save(t, "playground-compare.png")

	p.eval(`document.getElementById("unpin").click()`, nil)
	p.runAndWait(t, `document.getElementById("reset").click()`)

	// Refused with a message on the page: a text over the limit, a run past
	// the runaway guard. Shown, not run: markup in a scenario.
	p.eval(`(() => { const t = document.getElementById("text"); t.value = "# " + "x".repeat(300 * 1024); t.dispatchEvent(new Event("input")); })()`, nil)
	p.waitFor(`document.getElementById("problems").textContent.includes("more than the playground's limit")`, 30*time.Second)
	p.eval(fmt.Sprintf(`(() => { const t = document.getElementById("text"); t.value = %s; t.dispatchEvent(new Event("input")); })()`, strconv.Quote(divergingText)), nil)
	p.waitFor(`!document.getElementById("run").disabled && document.getElementById("problems").textContent === ""`, 30*time.Second)
	guarded := p.runAndWait(t, `document.getElementById("run").click()`)
	if guarded.Stopped == nil || !strings.Contains(*guarded.Stopped, "more than the limit of 200000") {
		t.Errorf("a diverging run: stopped %v, want the runaway guard's message", guarded.Stopped)
	}
	p.waitFor(`document.querySelector("#run-b .stopped")`, 10*time.Second)
	// Markup in names is refused by the loader, and its error shows the names.
	script := "name = \"<img src=x onerror=window.pwned=1>\"\n[client.\"<script>window.pwned=2</script>\"]\ntarget = \"s\"\n"
	p.eval(fmt.Sprintf(`(() => { const t = document.getElementById("text"); t.value = %s; t.dispatchEvent(new Event("input")); })()`, strconv.Quote(script)), nil)
	p.waitFor(`document.getElementById("problems").textContent.includes("<script>window.pwned=2</script>") && document.getElementById("problems").textContent.includes("<img src=x")`, 30*time.Second)
	var pwned, scripts int
	p.eval(`(window.pwned || 0)`, &pwned)
	p.eval(`document.querySelectorAll("script").length`, &scripts)
	var title string
	p.eval(`document.querySelector("#run-b h2").textContent`, &title)
	if pwned != 0 || scripts != 2 || !strings.Contains(title, "diverging") {
		t.Errorf("markup from a scenario ran: window.pwned = %d, %d script elements, title %q", pwned, scripts, title)
	}
}

// The static build, served by a plain file server: the engine runs in the
// browser, as fast as the issue asks, and every shipped scenario's summary
// is the command line's, byte for byte.
func TestLongStaticPlaygroundInChromium(t *testing.T) {
	chromium := chromiumOrSkip(t)
	dir := t.TempDir()
	if code := run([]string{"serve", "--static", dir}, io.Discard, os.Stderr); code != exitOK {
		t.Fatalf("simulate serve --static: exit %d", code)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(dir))}
	go srv.Serve(ln)
	defer srv.Close()
	b := launch(t, chromium)
	p := b.open("http://"+ln.Addr().String()+"/", false)
	p.waitFor(`window.failsimStats && window.failsimStats.ready && window.failsimStats.runs.length > 0 && window.failsimStats.runs[0].done !== null`, 120*time.Second)

	// timeout-mismatch, 300 simulated seconds: the best of two runs.
	best := 1e9
	var tm pageRun
	for range 2 {
		tm = p.runAndWait(t, `document.getElementById("run").click()`)
		best = min(best, *tm.Done)
	}
	t.Logf("static timeout-mismatch: done in %.0f ms (best of two), first draw %.0f ms after Run, %d redraws", best, *tm.FirstDraw, len(tm.Draws))
	if best > 5000 {
		t.Errorf("the static build ran timeout-mismatch in %.0f ms, want under 5000", best)
	}
	if n := len(tm.Draws); float64(n) < 5*best/1000*0.8 {
		t.Errorf("%d redraws in %.0f ms: fewer than 5 a second", n, best)
	}
	p.save(t, "playground-static.png")

	// report.html comes from the second module, loaded when asked for.
	p.eval(`[...document.querySelectorAll("#run-b .downloads button")].find((b) => b.textContent === "report.html").click()`, nil)
	p.waitFor(`(window.failsimStats.downloads || []).some((d) => d.name === "report.html")`, 120*time.Second)
	var head string
	p.eval(`window.failsimStats.downloads.find((d) => d.name === "report.html").head`, &head)
	if !strings.HasPrefix(head, "<!DOCTYPE html>") {
		t.Errorf("report.html from the browser starts %q", head)
	}

	// A run can be stopped: the worker hears "stop" while the engine runs.
	p.eval(fmt.Sprintf(`(() => { const t = document.getElementById("text"); t.value = %s; t.dispatchEvent(new Event("input")); })()`, strconv.Quote(divergingText)), nil)
	p.waitFor(`!document.getElementById("run").disabled && document.getElementById("problems").textContent === "" && document.getElementById("command").textContent.includes("scenario.toml")`, 30*time.Second)
	before := p.runs()
	p.eval(`document.getElementById("run").click()`, nil)
	p.waitFor(fmt.Sprintf(`window.failsimStats.runs.length > %d && window.failsimStats.runs[window.failsimStats.runs.length-1].firstDraw !== null`, before), 30*time.Second)
	p.eval(`document.getElementById("stop").click()`, nil)
	p.waitFor(`window.failsimStats.runs[window.failsimStats.runs.length-1].done !== null`, 30*time.Second)
	if st := p.lastRun(); st.Stopped == nil || !strings.HasPrefix(*st.Stopped, "interrupted at t=") {
		t.Errorf("a run stopped in the browser: stopped %v", st.Stopped)
	}

	// Every shipped scenario but the performance ones (an hour of 10,000
	// requests a second is a minute in a browser), at its own seed, then
	// other seeds and variants.
	list, err := scenarios.List()
	if err != nil {
		t.Fatal(err)
	}
	type job struct {
		name, variant string
		seed          uint64
	}
	var jobs []job
	for _, e := range list {
		if e.Section == "perf" {
			continue
		}
		sc, err := scenarios.Parse(e.Name, "")
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, job{e.Name, "", sc.Seed})
	}
	jobs = append(jobs, job{"retry-storm", "", 2}, job{"retry-storm", "", 3}, job{"retry-storm", "backoff-jitter", 1}, job{"timeout-mismatch", "aligned", 4})
	for _, j := range jobs {
		var sha string
		p.eval(fmt.Sprintf(`window.failsimCall("run", {name: %q, variant: %q, seed: %d}).then((ms) => { const d = ms.find((m) => m.type === "done"); return d ? d.sha256 : JSON.stringify(ms[ms.length-1]); })`, j.name, j.variant, j.seed), &sha)
		if want := cliSummary(t, j.name, "--variant", j.variant, "--seed", strconv.FormatUint(j.seed, 10)); sha != want {
			t.Errorf("%s %s seed %d: the browser's summary.json has sha256 %s, the command line's %s", j.name, j.variant, j.seed, sha, want)
		}
	}
	t.Logf("%d runs in the browser gave the command line's summary.json, byte for byte", len(jobs))
}
