package report_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"flag"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/failsim/failsim/plots"
	"github.com/failsim/failsim/plots/report"
	"github.com/failsim/failsim/sim/experiment"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology/check"
	"github.com/failsim/failsim/topology/scenariofile"
)

var (
	update     = flag.Bool("update", false, "rewrite the golden files in testdata")
	screenshot = flag.String("screenshot", "", "also save the browser test's screenshot to this file")
)

// fixture is the plots tests' checked-in run, with its scenario.toml.
const fixture = "../testdata/run"

func page(t *testing.T, design report.Design) []byte {
	t.Helper()
	run, err := results.Read(fixture)
	if err != nil {
		t.Fatal(err)
	}
	figs := plots.Figures(run)
	files, err := plots.Files(figs)
	if err != nil {
		t.Fatal(err)
	}
	html, err := report.HTML(run, figs, files, design)
	if err != nil {
		t.Fatal(err)
	}
	return html
}

// design is what `simulate run --plot` writes of the fixture's scenario:
// its text, its topology drawn and its check, read back.
func design(t *testing.T) report.Design {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(fixture, report.ScenarioFile))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenariofile.Parse("scenario.toml", text, "")
	if err != nil {
		t.Fatal(err)
	}
	var checked bytes.Buffer
	if err := check.Run(sc).WriteJSON(&checked); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, b := range map[string][]byte{report.ScenarioFile: text, report.TopologyFile: plots.Topology(sc), report.CheckFile: checked.Bytes()} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := report.ReadDesign(dir)
	if err != nil || d.Text == nil || d.Topology == nil || len(d.Findings) == 0 {
		t.Fatalf("design read back: %d bytes of text, %d of topology, %d findings, %v", len(d.Text), len(d.Topology), len(d.Findings), err)
	}
	return d
}

var dataURI = regexp.MustCompile(`data:image/(png|svg&#43;xml|svg\+xml);base64,(?:[A-Za-z0-9/=+]|&#43;)+`)

// The page without its images is a golden file, to review with the tables
// and text: rewrite it with go test ./plots/... -update.
func TestGoldenPage(t *testing.T) {
	slow(t)
	got := dataURI.ReplaceAll(page(t, design(t)), []byte("data:image/$1;base64,..."))
	path := filepath.Join("testdata", "report.golden.html")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./plots/... -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		out := filepath.Join(t.TempDir(), "report.html")
		os.WriteFile(out, got, 0o644)
		t.Fatalf("the page differs from %s; got %s (rewrite with -update if intended)", path, out)
	}
}

// Everything the page loads is inside it: no src or href leaves the file,
// no script, no style pulls anything in. Parsed, not grepped.
func TestPageIsSelfContained(t *testing.T) {
	slow(t)
	if imgs, links := selfContained(t, page(t, design(t))); imgs != 8 || links != 11 {
		t.Errorf("%d images and %d links, want 7 figures, the topology and 11 contents links", imgs, links)
	}
}

// selfContained fails the test for anything in html that would load from
// outside it, and counts its images and links.
func selfContained(t *testing.T, html []byte) (imgs, links int) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(html))
	d.Strict, d.AutoClose, d.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if slices.Contains([]string{"script", "iframe", "object", "embed", "link", "base"}, tok.Name.Local) {
				t.Errorf("<%s> in a self-contained page", tok.Name.Local)
			}
			for _, a := range tok.Attr {
				switch strings.ToLower(a.Name.Local) {
				case "src", "href", "srcset", "poster", "action", "data", "background":
					// An SVG in an <img> is an image: it runs no script.
					if !strings.HasPrefix(a.Value, "data:image/png;base64,") && !strings.HasPrefix(a.Value, "data:image/svg+xml;base64,") &&
						!strings.HasPrefix(a.Value, "#") {
						t.Errorf("<%s %s=%q> leaves the file", tok.Name.Local, a.Name.Local, a.Value)
					}
				case "style":
					if strings.Contains(a.Value, "url(") {
						t.Errorf("<%s style=%q> loads a URL", tok.Name.Local, a.Value)
					}
				}
			}
			switch tok.Name.Local {
			case "img":
				imgs++
			case "a":
				links++
			}
		case xml.CharData:
			if bytes.Contains(tok, []byte("url(")) || bytes.Contains(tok, []byte("@import")) {
				if !bytes.Contains(tok, []byte("[[fault]]")) { // the scenario text may say anything
					t.Errorf("text loads a URL: %.80q", tok)
				}
			}
		}
	}
	return imgs, links
}

// Scenario text and findings are shown as text, whatever they hold.
func TestPageEscapesTheScenario(t *testing.T) {
	slow(t)
	evil := `</pre><script>alert(1)</script>`
	html := string(page(t, report.Design{Text: []byte(`name = "` + evil + `"`), Tally: "1 finding: 1 note",
		Findings: []report.Finding{{Severity: "note", Rule: "r", Summary: evil, Explanation: evil, Fix: evil}}}))
	if strings.Contains(html, "<script>") || strings.Count(html, "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;") != 4 {
		t.Fatal("scenario text or findings were not escaped")
	}
	if html := string(page(t, report.Design{})); !strings.Contains(html, "Scenario text not available") ||
		!strings.Contains(html, "Topology not available") || !strings.Contains(html, "Design check not available") {
		t.Fatal("a missing scenario, drawing or check is not said to be missing")
	}
}

func TestWriteWritesPageAndFigures(t *testing.T) {
	slow(t)
	run, err := results.Read(fixture)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "new")
	if err := report.Write(dir, run, design(t)); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	want := []string{"amplification.png", "amplification.svg", "dashboard.png", "dashboard.svg", "latency.png", "latency.svg",
		"outcomes.png", "outcomes.svg", "queues.png", "queues.svg", "report.html", "throughput.png", "throughput.svg",
		"wasted-work.png", "wasted-work.svg"}
	if !slices.Equal(got, want) {
		t.Fatalf("wrote %q, want %q", got, want)
	}
	if d, err := report.ReadDesign(t.TempDir()); d.Text != nil || d.Topology != nil || d.Findings != nil || err != nil {
		t.Fatalf("an empty directory has a design, %+v, %v", d, err)
	}
}

// The page opens offline in headless Chromium, figures included. CI sets
// FAILSIM_REQUIRE_BROWSER=1 so that a missing browser fails the test rather
// than skipping it; save the screenshot with -screenshot FILE to look at it.
func TestPageOpensInChromium(t *testing.T) {
	slow(t)
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("FAILSIM_REQUIRE_BROWSER") != "" {
			t.Fatalf("FAILSIM_REQUIRE_BROWSER is set but there is no chromium: %v", err)
		}
		t.Skip("no chromium on PATH (apt-get install chromium); set FAILSIM_REQUIRE_BROWSER=1 to fail instead")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, report.File)
	if err := os.WriteFile(file, page(t, design(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "screenshot.png")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Without the background-networking flags Chromium keeps trying the
	// network, which a CI machine may not have.
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--screenshot="+shot, "--window-size=1280,2000", "file://"+file)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", chromium, err, out)
	}
	b, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	if *screenshot != "" {
		os.WriteFile(*screenshot, b, 0o644)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if s := img.Bounds().Size(); s != (image.Point{X: 1280, Y: 2000}) {
		t.Fatalf("screenshot is %v, want 1280x2000", s)
	}
	// The page's own text and boxes use neither the plots' green nor their
	// orange (a page with broken images has none of either): if they show,
	// the embedded figures were decoded and drawn.
	if n := pixelsLike(img, color.RGBA{0x59, 0xa1, 0x4f, 255}, color.RGBA{0xf2, 0x8e, 0x2b, 255}); n < 2000 {
		t.Fatalf("only %d pixels of the plots' colours: the figures did not render", n)
	}
}

// pixelsLike counts the pixels within a small distance of any of cs.
func pixelsLike(img image.Image, cs ...color.RGBA) int {
	n := 0
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			pr, pg, pb, _ := img.At(x, y).RGBA()
			for _, c := range cs {
				if near(pr>>8, c.R) && near(pg>>8, c.G) && near(pb>>8, c.B) {
					n++
					break
				}
			}
		}
	}
	return n
}

func near(a uint32, b uint8) bool { return max(a, uint32(b))-min(a, uint32(b)) <= 12 }

// mustConfig reads a scenario file for an experiment.
func mustConfig(t testing.TB, path string, sets ...scenariofile.Setting) experiment.Config {
	t.Helper()
	c, err := experiment.ReadConfig(path, "", sets...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// slow skips a test that runs long simulations or renders many figures
// when -short asks for a quick pass (CI's race-detector run uses it: these
// tests run on one goroutine, with nothing concurrent to race).
func slow(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("long; run without -short")
	}
}

// Page draws from the files' bytes what Write draws from a directory.
func TestPageFromBytesIsTheWrittenPage(t *testing.T) {
	slow(t)
	sum, err := os.ReadFile(filepath.Join(fixture, results.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	csv, err := os.ReadFile(filepath.Join(fixture, results.TimeseriesFile))
	if err != nil {
		t.Fatal(err)
	}
	got, err := report.Page(sum, csv, design(t))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, page(t, design(t))) {
		t.Fatal("report.Page differs from the page drawn from the directory")
	}
	if _, err := report.Page([]byte("{"), csv, report.Design{}); err == nil || !strings.Contains(err.Error(), "summary.json") {
		t.Fatalf("a broken summary.json: %v", err)
	}
}
