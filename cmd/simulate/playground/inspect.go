package playground

import (
	"errors"
	"slices"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/check"
)

// Inspection is what the page shows of a scenario before it runs: the
// loader's problems at their line, or the controls, the check's findings
// and the topology.
type Inspection struct {
	Type        string    `json:"type"` // "inspection"
	Scenario    string    `json:"scenario"`
	Description string    `json:"description"`
	Variants    []string  `json:"variants"`
	Seed        uint64    `json:"seed"` // the seed the run takes
	SimSeconds  float64   `json:"sim_seconds"`
	Problems    []Problem `json:"problems"` // when the scenario does not load; nothing else is set then
	Controls    []Control `json:"controls"`
	Findings    []Finding `json:"findings"`
	Topology    Topology  `json:"topology"`
	Command     string    `json:"command"`
}

// Finding is one finding of the check, with the line it is about.
type Finding struct {
	Severity    string   `json:"severity"`
	Rule        string   `json:"rule"`
	Line        int      `json:"line"` // 0 when it is not about a line of the text (an imported file)
	Components  []string `json:"components"`
	Summary     string   `json:"summary"`
	Explanation string   `json:"explanation"`
	Fix         string   `json:"fix"`
}

// Topology is the scenario's graph, one node per tier.
type Topology struct {
	Nodes []Node `json:"nodes"`
	Edges []Edge `json:"edges"`
}

// Node is a tier: a component, or the replicas of a service.
type Node struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Instances int    `json:"instances"`
	Line      int    `json:"line"`
}

// Edge is a call from one tier to another.
type Edge struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Label string `json:"label"` // the caller's timeout and attempts
}

// Inspect loads spec and says what the page shows of it. A scenario that
// does not load is not an error: its problems are the answer.
func (c *Config) Inspect(spec Spec) (*Inspection, error) {
	in := &Inspection{Type: "inspection", Problems: []Problem{}, Controls: []Control{}, Findings: []Finding{}}
	sc, src, err := c.load(spec)
	var ie *InputError
	if errors.As(err, &ie) {
		in.Problems = ie.Problems
		return in, nil
	}
	if err != nil {
		return nil, err
	}
	// The controls' starting points are the variant's values, without the
	// settings, so that the page can tell which ones it moved.
	base := sc
	if len(spec.Sets) > 0 {
		plain := spec
		plain.Sets = nil
		if base, _, err = c.load(plain); err != nil {
			return nil, err
		}
	}
	in.Scenario, in.Description, in.Variants = sc.Name, sc.Description, sc.Variants
	if in.Variants == nil {
		in.Variants = []string{}
	}
	in.Seed, in.SimSeconds = seedOf(spec, sc), sc.Duration.Seconds()
	in.Command = Command(spec, src, in.Seed)
	in.Controls = controls(base, sc)
	for _, f := range check.Run(sc).Findings {
		line := 0
		if f.Pos.File == src.file {
			line = f.Pos.Line
		}
		in.Findings = append(in.Findings, Finding{Severity: f.Severity.String(), Rule: f.Rule, Line: line,
			Components: f.Components, Summary: f.Summary, Explanation: f.Explanation, Fix: f.Fix})
	}
	in.Topology = topologyOf(sc, src.file)
	return in, nil
}

// topologyOf draws the scenario's tiers and calls.
func topologyOf(sc *topology.Scenario, file string) Topology {
	t := Topology{Nodes: []Node{}, Edges: []Edge{}}
	index := map[string]int{}
	for _, k := range sc.Components {
		if k.Standby {
			continue
		}
		i, ok := index[k.Group]
		if !ok {
			line := 0
			if k.Pos.File == file {
				line = k.Pos.Line
			}
			i = len(t.Nodes)
			index[k.Group] = i
			t.Nodes = append(t.Nodes, Node{Name: k.Group, Kind: k.Kind.String(), Line: line})
		}
		t.Nodes[i].Instances++
	}
	edge := func(from, to string, p *topology.CallPolicy, balancer bool) {
		e := Edge{From: from, To: to, Label: policyLabel(p, balancer)}
		if !slices.Contains(t.Edges, e) {
			t.Edges = append(t.Edges, e)
		}
	}
	for _, k := range sc.Components {
		if k.Standby {
			continue
		}
		group := func(i int) string { return sc.Components[i].Group }
		switch {
		case k.Client != nil:
			edge(k.Group, group(k.Client.Target), &k.Client.Call, false)
		case k.Balancer != nil:
			for _, to := range k.Balancer.Targets {
				edge(k.Group, group(to), &k.Balancer.Call, true)
			}
		case k.Server != nil:
			for i := range k.Server.Calls {
				edge(k.Group, group(k.Server.Calls[i].To), &k.Server.Calls[i].CallPolicy, false)
			}
		case k.Durable != nil:
			for _, to := range k.Durable.Consumers {
				edge(k.Group, group(to), nil, false)
			}
		}
	}
	return t
}
