//go:build long

package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// browser is headless Chromium driven over the Chrome DevTools Protocol on
// a pipe (--remote-debugging-pipe: commands on its fd 3, answers on fd 4,
// each message JSON ended by a NUL byte), with the standard library only.
type browser struct {
	t    *testing.T
	cmd  *exec.Cmd
	in   *os.File // its fd 3
	mu   sync.Mutex
	next int
	wait map[int]chan cdpAnswer
}

type cdpAnswer struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// chromiumOrSkip finds Chromium; CI sets FAILSIM_REQUIRE_BROWSER=1 so that
// a missing browser fails rather than skips.
func chromiumOrSkip(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("FAILSIM_REQUIRE_BROWSER") != "" {
			t.Fatalf("FAILSIM_REQUIRE_BROWSER is set but there is no chromium: %v", err)
		}
		t.Skip("no chromium on PATH (apt-get install chromium); set FAILSIM_REQUIRE_BROWSER=1 to fail instead")
	}
	return path
}

// launch starts Chromium, ended with the test. Without the
// background-networking flags it keeps trying a network CI may not have.
func launch(t *testing.T, chromium string) *browser {
	t.Helper()
	toChrome, in, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	out, fromChrome, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
		"--disable-background-timer-throttling", "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows",
		"--remote-debugging-pipe", "--user-data-dir="+t.TempDir(), "--window-size=1400,1000", "about:blank")
	cmd.ExtraFiles = []*os.File{toChrome, fromChrome}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	toChrome.Close()
	fromChrome.Close()
	b := &browser{t: t, cmd: cmd, in: in, wait: map[int]chan cdpAnswer{}}
	go b.read(out)
	t.Cleanup(func() {
		b.send("Browser.close", nil, "")
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		in.Close()
	})
	return b
}

func (b *browser) read(out *os.File) {
	r := bufio.NewReader(out)
	for {
		msg, err := r.ReadBytes(0)
		if err != nil {
			return
		}
		var m struct {
			ID int `json:"id"`
			cdpAnswer
		}
		if json.Unmarshal(msg[:len(msg)-1], &m) != nil || m.ID == 0 {
			continue // an event
		}
		b.mu.Lock()
		ch := b.wait[m.ID]
		delete(b.wait, m.ID)
		b.mu.Unlock()
		if ch != nil {
			ch <- m.cdpAnswer
		}
	}
}

// send sends a command (to a page when session is set) and returns its
// result.
func (b *browser) send(method string, params any, session string) (json.RawMessage, error) {
	b.mu.Lock()
	b.next++
	id := b.next
	ch := make(chan cdpAnswer, 1)
	b.wait[id] = ch
	b.mu.Unlock()
	msg := map[string]any{"id": id, "method": method, "params": params}
	if params == nil {
		msg["params"] = map[string]any{}
	}
	if session != "" {
		msg["sessionId"] = session
	}
	js, _ := json.Marshal(msg)
	if _, err := b.in.Write(append(js, 0)); err != nil {
		return nil, err
	}
	select {
	case a := <-ch:
		if a.Error != nil {
			return nil, fmt.Errorf("%s: %s", method, a.Error.Message)
		}
		return a.Result, nil
	case <-time.After(60 * time.Second):
		return nil, fmt.Errorf("%s: no answer in 60s", method)
	}
}

func (b *browser) must(method string, params any, session string) json.RawMessage {
	b.t.Helper()
	r, err := b.send(method, params, session)
	if err != nil {
		b.t.Fatal(err)
	}
	return r
}

// page is one tab.
type page struct {
	b       *browser
	session string
}

// open opens url in a new tab; fresh makes it a new browser context, with
// nothing shared with the tabs before it (storage, cache).
func (b *browser) open(url string, fresh bool) *page {
	b.t.Helper()
	params := map[string]any{"url": "about:blank"}
	if fresh {
		var ctx struct{ BrowserContextID string }
		json.Unmarshal(b.must("Target.createBrowserContext", nil, ""), &ctx)
		params["browserContextId"] = ctx.BrowserContextID
	}
	var target struct{ TargetID string }
	json.Unmarshal(b.must("Target.createTarget", params, ""), &target)
	var att struct{ SessionID string }
	json.Unmarshal(b.must("Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, ""), &att)
	p := &page{b: b, session: att.SessionID}
	b.must("Page.enable", nil, p.session)
	b.must("Emulation.setDeviceMetricsOverride", map[string]any{"width": 1400, "height": 1000, "deviceScaleFactor": 1, "mobile": false}, p.session)
	b.must("Page.navigate", map[string]any{"url": url}, p.session)
	return p
}

// eval evaluates a JavaScript expression (awaiting a promise) and decodes
// its value into v (when not nil).
func (p *page) eval(expr string, v any) {
	p.b.t.Helper()
	r := p.b.must("Runtime.evaluate", map[string]any{"expression": expr, "awaitPromise": true, "returnByValue": true}, p.session)
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(r, &res); err != nil {
		p.b.t.Fatal(err)
	}
	if e := res.ExceptionDetails; e != nil {
		p.b.t.Fatalf("%s: %s %s", strings.TrimSpace(expr), e.Text, e.Exception.Description)
	}
	if v != nil && len(res.Result.Value) > 0 {
		if err := json.Unmarshal(res.Result.Value, v); err != nil {
			p.b.t.Fatalf("%s: %v", expr, err)
		}
	}
}

// waitFor polls a JavaScript condition until it holds.
func (p *page) waitFor(cond string, timeout time.Duration) {
	p.b.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var ok bool
		p.eval("!!("+cond+")", &ok)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			var notice string
			p.eval(`document.getElementById("notice").textContent + " | " + document.getElementById("status").textContent`, &notice)
			p.b.t.Fatalf("waited %s for %s; the page says: %s", timeout, cond, notice)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// screenshot returns the page as PNG.
func (p *page) screenshot() []byte {
	p.b.t.Helper()
	var shot struct{ Data string }
	json.Unmarshal(p.b.must("Page.captureScreenshot", map[string]any{"format": "png"}, p.session), &shot)
	b, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		p.b.t.Fatal(err)
	}
	return b
}
