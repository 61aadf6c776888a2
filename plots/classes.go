package plots

import (
	"slices"
	"strings"

	"github.com/failsim/failsim/sim/results"
)

// class is one request class of one client, as timeseries.csv has its
// columns (METRIC.CLASS on the client).
type class struct {
	client, name string
}

// classesOf lists the request classes of the clients, in the order of
// their columns.
func classesOf(ser *results.Series, clients []string) []class {
	var out []class
	for _, k := range ser.Keys {
		name, ok := strings.CutPrefix(k.Metric, "logical_requests.")
		if ok && slices.Contains(clients, k.Component) {
			out = append(out, class{k.Component, name})
		}
	}
	return out
}

// label names a class: by its own name when one client has classes, with
// its client's when several do.
func (c class) label(all []class) string {
	for _, o := range all {
		if o.client != c.client {
			return c.client + "/" + c.name
		}
	}
	return c.name
}

// classLatency draws each class's p99 (solid) and p50 (dashed) in a color
// of its own: classes as separate lines.
func (v *view) classLatency(p *panel, cs []class) {
	for i, c := range cs {
		for qi, q := range []struct{ label, metric string }{{"p99", "latency_p99_s"}, {"p50", "latency_p50_s"}} {
			if y := v.ser.Get(c.client, q.metric+"."+c.name); y != nil {
				p.line(c.label(cs)+" "+q.label, v.x, y, lineStyle(paletteColor(i), 2, dash(qi)))
			}
		}
	}
}

// classGoodput adds each class's goodput, dotted, to the clients' panel:
// classes of one name at several clients add up.
func (v *view) classGoodput(p *panel, cs []class) {
	var names []string
	for _, c := range cs {
		if !slices.Contains(names, c.name) {
			names = append(names, c.name)
		}
	}
	for i, n := range names {
		var y []float64
		for _, c := range cs {
			if c.name == n {
				y = add(y, v.ser.Get(c.client, "goodput_rps."+n))
			}
		}
		p.line("goodput of "+n, v.x, y, lineStyle(paletteColor(5+i), 1.5, dash(2)))
	}
}
