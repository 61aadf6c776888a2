package live

import (
	"fmt"
	"math"

	"github.com/failsim/failsim/sim/results"
)

// A Chart is one panel of the dashboard as numbers: lines over the bucket
// middles (X), with the dashboard's title and axis label.
type Chart struct {
	Name   string  `json:"name"` // latency, amplification, throughput, queues, wasted-work
	Title  string  `json:"title"`
	YLabel string  `json:"ylabel"`
	About  string  `json:"about"` // how to read it, as the figure's note says
	Log    bool    `json:"log"`   // a log scale (latency)
	Rule   float64 `json:"rule"`  // a dotted reference line at this value; 0 for none
	Lines  []Line  `json:"lines"`
}

// A Line is one series of a chart. Y holds one value per bucket; NaN is a
// bucket with no value, drawn as a gap.
type Line struct {
	Label string    `json:"label"`
	Color string    `json:"color"` // CSS colour, the palette of the figures
	Width float64   `json:"width"` // in pixels
	Dash  bool      `json:"dash"`
	Y     []float64 `json:"-"`
}

// Palette is Tableau 10, the figures' colours: distinct hues that survive
// projectors and print.
var Palette = []string{"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#9c755f", "#76b7b2", "#edc948", "#ff9da7", "#bab0ac"}

// Black is the colour of offered load.
const Black = "#222222"

func color(i int) string { return Palette[i%len(Palette)] }

// How to read each chart: the figures' notes.
const (
	AboutLatency = "p50, p99 and p99.9 of the latency of the logical requests that finished in each bucket, " +
		"as clients saw it (retries included), on a log scale. A gap is a bucket in which no request finished. " +
		"Flat lines at a multiple of the client timeout mean requests ran out of attempts."
	AboutAmplification = "Arrivals at each tier per logical request issued in the same bucket (replicas summed). " +
		"1 means each request reached the tier once; 3 means three calls per request: retries, possibly at " +
		"several layers. A retry spiral is amplification climbing while the fault lasts and staying up after it."
	AboutThroughput = "Offered: logical requests issued per second. Sent: attempts per second, retries included. " +
		"Throughput: answers clients received per second (successes, errors and rejections; not timeouts). " +
		"Goodput: logical requests that succeeded per second. Goodput falling while sent climbs is a retry spiral."
	AboutQueues = "Top: calls waiting for a worker (mean over each bucket, replicas summed). Bottom: calls inside " +
		"each tier, queued, in service or waiting on downstream calls; for clients, logical requests outstanding."
	AboutQueueLength = "Calls waiting for a worker (mean over each bucket, replicas summed)."
	AboutWasted      = "Service time spent on calls whose caller had already given up (or lost in a crash), per second: " +
		"the mean number of workers busy for nobody. Anything above zero is capacity lost to abandoned work."
)

// Titles of the charts, as the dashboard's panels are titled; bucket is
// the bucket's width in seconds.
func LatencyTitle(bucket float64) string {
	return fmt.Sprintf("Client latency: p50, p99, p99.9 of logical requests finished per %gs bucket", bucket)
}

// QueueTitle titles the queue length.
func QueueTitle(bucket float64) string {
	return fmt.Sprintf("Queue length: calls waiting for a worker (mean per %gs bucket, replicas summed)", bucket)
}

const (
	AmplificationTitle = "Load amplification: arrivals per logical request at each tier"
	ThroughputTitle    = "Clients: offered load, throughput and goodput"
	WastedTitle        = "Wasted work: service time spent for callers that had already given up"
)

// Line labels of the throughput chart.
const (
	OfferedLabel    = "offered (logical requests/s)"
	SentLabel       = "sent (attempts/s, retries included)"
	GoodputLabel    = "goodput (logical requests succeeded/s)"
	ThroughputLabel = "throughput (answers received/s)"
)

// Quantiles are the client latency lines, highest first so that where they
// meet the p50 is drawn on top.
var Quantiles = []struct{ Label, Metric string }{
	{"p99.9", "latency_p999_s"}, {"p99", "latency_p99_s"}, {"p50", "latency_p50_s"},
}

// Charts returns the live dashboard of a run: client latency, load
// amplification per tier, offered load against goodput, queue length and
// wasted work, in that order, each with the lines the run has the metrics
// for. Which lines a chart has depends on the series' keys only, never on
// their values, so a run's charts have the same lines from its first
// bucket to its last. A run may be partial (a window of buckets) and its
// summary a skeleton: Order, Components (kind and group) and BucketSeconds
// are all Charts reads of it.
func Charts(r *results.Run) []Chart {
	s, ser := &r.Summary, r.Series
	tiers := Tiers(s)
	for i := range tiers {
		tiers[i].Serving(ser.Get(tiers[i].Name, "replicas"))
	}
	clients := Clients(s)
	var out []Chart

	lat := Chart{Name: "latency", Title: LatencyTitle(s.BucketSeconds), YLabel: "latency (log scale)", About: AboutLatency, Log: true}
	for ci, c := range clients {
		for qi, q := range Quantiles {
			label := q.Label
			if len(clients) > 1 {
				label = c + " " + q.Label
			}
			if y := ser.Get(c, q.Metric); y != nil {
				// Widest first: where they meet they show as nested bands.
				rank := len(Quantiles) - 1 - qi
				lat.Lines = append(lat.Lines, Line{Label: label, Color: color(rank), Width: 2 + 2*float64(rank), Dash: ci%2 == 1, Y: y})
			}
		}
	}
	out = append(out, lat)

	amp := Chart{Name: "amplification", Title: AmplificationTitle, YLabel: "arrivals per logical request", About: AboutAmplification, Rule: 1}
	if logical := Sum(ser, clients, "logical_requests"); logical != nil {
		n := float64(len(tiers))
		for i, t := range tiers {
			if arr := Sum(ser, t.Members, "arrivals"); arr != nil {
				w := 1.5 + 7.5*(n-1-float64(i))/math.Max(n-1, 1)
				amp.Lines = append(amp.Lines, Line{Label: t.Label(), Color: color(i), Width: w, Y: Ratio(arr, logical)})
			}
		}
	}
	out = append(out, amp)

	th := Chart{Name: "throughput", Title: ThroughputTitle, YLabel: "requests per second", About: AboutThroughput}
	for _, l := range []Line{
		{Label: OfferedLabel, Color: Black, Width: 1.5, Y: Sum(ser, clients, "offered_rps")},
		{Label: SentLabel, Color: color(4), Width: 2, Dash: true, Y: PerSecond(ser, Sum(ser, clients, "arrivals"))},
		{Label: GoodputLabel, Color: color(2), Width: 5, Y: Sum(ser, clients, "goodput_rps")},
		{Label: ThroughputLabel, Color: Black, Width: 1.5, Dash: true, Y: PerSecond(ser, Add(
			Sum(ser, clients, "completed"), Sum(ser, clients, "errors"), Sum(ser, clients, "rejected")))},
	} {
		if l.Y != nil {
			th.Lines = append(th.Lines, l)
		}
	}
	out = append(out, th)

	q := Chart{Name: "queues", Title: QueueTitle(s.BucketSeconds), YLabel: "calls waiting", About: AboutQueueLength}
	w := Chart{Name: "wasted-work", Title: WastedTitle, YLabel: "seconds of work per second", About: AboutWasted}
	for i, t := range tiers {
		if !t.Works() {
			continue
		}
		if y := Sum(ser, t.Members, "queue_mean"); y != nil {
			q.Lines = append(q.Lines, Line{Label: t.Label(), Color: color(i), Width: 2, Y: y})
		}
		if y := PerSecond(ser, Sum(ser, t.Members, "wasted_work_s")); y != nil {
			w.Lines = append(w.Lines, Line{Label: t.Label(), Color: color(i), Width: 2, Y: y})
		}
	}
	return append(out, q, w)
}
