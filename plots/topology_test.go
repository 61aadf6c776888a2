package plots_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
	"strconv"
	"testing"

	"github.com/failsim/failsim/plots"
	"github.com/failsim/failsim/topology/scenariofile"
)

// The drawing is well-formed SVG with a box per tier, left to right in
// the order calls flow, and an arrow per call.
func TestTopologyDrawsTiersInCallOrder(t *testing.T) {
	sc, err := scenariofile.Parse("t.toml", []byte(`duration = "1m"
[client.users]
target = "lb"
rate = 100
timeout = "2s"
[load_balancer.lb]
targets = ["api"]
[service.api]
instances = 3
workers = 8
service_time = "5ms"
[[service.api.call]]
to = "db"
[[service.api.call]]
to = "cache"
[database.db]
connections = 4
query_time = "10ms"
[database.cache]
connections = 4
query_time = "1ms"
[[fault]]
target = "db"
kind = "slowdown"
factor = 10
at = "10s"
for = "20s"
`), "")
	if err != nil {
		t.Fatal(err)
	}
	svg := plots.Topology(sc)
	d := xml.NewDecoder(bytes.NewReader(svg))
	x := map[string]float64{}
	arrows := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "path" {
			for _, a := range se.Attr {
				if a.Name.Local == "marker-end" {
					arrows++
				}
			}
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "text" {
			var at float64
			for _, a := range se.Attr {
				if a.Name.Local == "x" {
					at, _ = strconv.ParseFloat(a.Value, 64)
				}
			}
			if c, err := d.Token(); err == nil {
				if cd, ok := c.(xml.CharData); ok {
					x[string(cd)] = at
				}
			}
		}
	}
	if arrows != 4 {
		t.Errorf("%d arrows, want 4 calls (users to lb, lb to api, api to db and to cache)", arrows)
	}
	for _, tc := range [][2]string{{"users", "lb"}, {"lb", "api ×3"}, {"api ×3", "db"}} {
		if !(x[tc[0]] < x[tc[1]]) {
			t.Errorf("%s at x=%v is not left of %s at x=%v", tc[0], x[tc[0]], tc[1], x[tc[1]])
		}
	}
	if x["db"] != x["cache"] {
		t.Errorf("db and cache, both called by api, are in different columns (%v, %v)", x["db"], x["cache"])
	}
	if !regexp.MustCompile(`>fault: slowdown ×10 10s–30s<`).Match(svg) {
		t.Error("the fault is not written in db's box")
	}
}

// A link's delay, loss and faults are written on its arrow, and an arrow
// whose link loses messages, or that a partition cuts, is drawn red and
// dashed; a link that only delays is drawn as any other.
func TestTopologyMarksLossyLinks(t *testing.T) {
	sc, err := scenariofile.Parse("t.toml", []byte(`duration = "1m"
[client.users]
target = "api"
rate = 100
[service.api]
workers = 8
service_time = "5ms"
[[service.api.call]]
to = "db"
[[service.api.call]]
to = "cache"
[database.db]
connections = 4
query_time = "10ms"
[database.cache]
connections = 4
query_time = "1ms"
[[link]]
from = "users"
to = "api"
delay = "2ms"
[[link]]
from = "api"
to = "cache"
response_loss = 0.05
[[fault]]
partition = "api -> db"
direction = "responses"
at = "10s"
for = "20s"
`), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		from, to int
		label    string
		lossy    bool
	}{
		{0, 1, "link 2ms each way", false},
		{1, 3, "loses 5.0% of answers", true},
		{1, 2, "fault: partition of answers 10s–30s", true},
	} {
		label, lossy := plots.LinkLabel(sc, tc.from, tc.to)
		if label != tc.label || lossy != tc.lossy {
			t.Errorf("%s -> %s: %q, lossy %v; want %q, %v", sc.Components[tc.from].Name, sc.Components[tc.to].Name, label, lossy, tc.label, tc.lossy)
		}
	}
	svg := string(plots.Topology(sc))
	if n := len(regexp.MustCompile(`stroke="#a52a2a" stroke-dasharray`).FindAllString(svg, -1)); n != 2 {
		t.Errorf("%d arrows drawn lossy, want 2 (api to db and to cache)", n)
	}
	for _, want := range []string{"link 2ms each way", "loses 5.0% of answers", "fault: partition of answers 10s–30s"} {
		if !bytes.Contains([]byte(svg), []byte(want)) {
			t.Errorf("the drawing does not say %q", want)
		}
	}
}
