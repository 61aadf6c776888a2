package topology

import (
	"fmt"
	"strings"
)

// Link is the network that the calls of one edge cross: a one-way delay in
// each direction and a probability that a message is lost on the way. A lost
// request never reaches the callee; a lost response leaves the caller
// waiting after the callee did the work, and its side effects, so that only
// the caller's timeout ends the attempt. The zero Link (no delay, no loss)
// is what every edge has unless the scenario says otherwise.
type Link struct {
	RequestDelay  Dist    // caller to callee; constant 0 by default
	ResponseDelay Dist    // callee to caller
	RequestLoss   float64 // probability that a request is lost
	ResponseLoss  float64 // probability that a response is lost
}

// IsZero reports whether the link changes nothing: no delay, no loss.
func (l Link) IsZero() bool {
	return zeroDist(l.RequestDelay) && zeroDist(l.ResponseDelay) && l.RequestLoss == 0 && l.ResponseLoss == 0
}

func zeroDist(d Dist) bool { return d.Kind == DistConstant && d.Value == 0 }

// RoundTripSeconds is the p-quantile of each one-way delay, added: an upper
// bound of the round trip's p-quantile that the review uses.
func (l Link) RoundTripSeconds(p float64) float64 {
	return l.RequestDelay.QuantileSeconds(p) + l.ResponseDelay.QuantileSeconds(p)
}

// Lossy reports whether the link loses messages in either direction.
func (l Link) Lossy() bool { return l.RequestLoss > 0 || l.ResponseLoss > 0 }

// Edge is one caller-callee pair of components: every call From makes to To
// crosses the same link, whichever step of From's handler makes it.
type Edge struct{ From, To int }

// Network is the scenario's links: a default for every edge, and the edges
// whose link differs from it.
type Network struct {
	Default    Link       // [network]: every edge's link unless Links says otherwise
	DefaultPos Pos        // where [network] is written; zero when it is not
	Links      []EdgeLink // [[link]]: one per edge at most, in file order
}

// EdgeLink is the link of one edge, the default's keys overridden by those
// its [[link]] gives.
type EdgeLink struct {
	Edge
	Link
	Pos Pos
}

// LinkOf is edge e's link, and where the file sets it (the zero Pos for an
// edge that keeps the default of a scenario without [network]).
func (n *Network) LinkOf(e Edge) (Link, Pos) {
	for _, l := range n.Links {
		if l.Edge == e {
			return l.Link, l.Pos
		}
	}
	return n.Default, n.DefaultPos
}

// Edges lists every caller-callee pair, callers in the order of
// Components: a client's target, a load balancer's targets, a service's
// callees in the order of their first call, a durable queue's consumers.
func (sc *Scenario) Edges() []Edge {
	var out []Edge
	for i, c := range sc.Components {
		for _, to := range c.Callees() {
			out = append(out, Edge{i, to})
		}
	}
	return out
}

// Callees are the components c calls, each once, in the order of its
// calls (a scatter's every target).
func (c *Component) Callees() []int {
	var to []int
	var seen map[int]bool // once to is long: a fleet behind a load balancer
	add := func(t int) {
		if t < 0 { // not resolved: a file with mistakes, being reported
			return
		}
		if seen != nil {
			if !seen[t] {
				seen[t] = true
				to = append(to, t)
			}
			return
		}
		for _, x := range to {
			if x == t {
				return
			}
		}
		to = append(to, t)
		if len(to) == 32 {
			seen = make(map[int]bool, 64)
			for _, x := range to {
				seen[x] = true
			}
		}
	}
	switch {
	case c.Client != nil:
		add(c.Client.Target)
	case c.Balancer != nil:
		for _, t := range c.Balancer.Targets {
			add(t)
		}
	case c.Durable != nil:
		for _, t := range c.Durable.Consumers {
			add(t)
		}
	case c.Server != nil:
		for i := range c.Server.Calls {
			for _, t := range c.Server.Calls[i].Callees() {
				add(t)
			}
		}
	}
	return to
}

// LinkTarget is what a link fault hits: some edges, in the direction of
// their requests, of their responses, or both.
type LinkTarget struct {
	Edges     []Edge
	Direction Direction
	Name      string // as the file writes it, e.g. "payments -> db" or "* -> db"
}

// Direction is which messages of an edge a link fault hits.
type Direction uint8

// Directions: both ways, only the calls (caller to callee), or only the
// answers (callee to caller: the callee is reached, its answers are not).
const (
	BothWays Direction = iota
	RequestsOnly
	ResponsesOnly
)

// DirectionNames are the names scenario files give directions, indexed by value.
var DirectionNames = []string{"both", "requests", "responses"}

func (d Direction) String() string { return DirectionNames[d] }

// Requests and Responses report whether the direction includes them.
func (d Direction) Requests() bool  { return d != ResponsesOnly }
func (d Direction) Responses() bool { return d != RequestsOnly }

// EdgeName is "from -> to", with the components' names.
func (sc *Scenario) EdgeName(e Edge) string {
	return sc.Components[e.From].Name + " -> " + sc.Components[e.To].Name
}

// linkFaultString is a link fault's words, e.g. "partition payments -> db
// (responses)".
func (f Fault) linkString() string {
	what := f.Kind.String()
	switch f.Kind {
	case FaultLoss:
		what += fmt.Sprintf(" %g%%", 100*f.Loss)
	case FaultLatency:
		what += " +" + f.Delay.String()
	case FaultDrift:
		what += " " + f.Drift.String()
	}
	what += " " + f.Link.Name
	if f.Link.Direction != BothWays {
		what += " (" + f.Link.Direction.String() + ")"
	}
	return what
}

// HitsEdge reports whether link fault f hits edge e.
func (f *Fault) HitsEdge(e Edge) bool {
	if f.Link == nil {
		return false
	}
	for _, x := range f.Link.Edges {
		if x == e {
			return true
		}
	}
	return false
}

// IsLinkFault reports whether f hits links rather than components.
func (f *Fault) IsLinkFault() bool { return f.Link != nil }

// ParseEdge splits a link's name as files write it, "from -> to", where
// either side may be "*" for every component; ok is false when s has no
// single arrow.
func ParseEdge(s string) (from, to string, ok bool) {
	parts := strings.Split(s, "->")
	if len(parts) != 2 {
		return "", "", false
	}
	from, to = strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1])
	return from, to, from != "" && to != ""
}
