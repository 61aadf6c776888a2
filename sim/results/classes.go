package results

import (
	"slices"
	"strings"

	"github.com/failsim/failsim/topology"
)

// ClassNames lists the request classes of c, most critical first, then by
// name.
func (c *Clients) ClassNames() []string {
	names := make([]string, 0, len(c.Classes))
	for name := range c.Classes {
		names = append(names, name)
	}
	rank := func(name string) int { return slices.Index(topology.CriticalityNames, c.Classes[name].Criticality) }
	slices.SortFunc(names, func(a, b string) int {
		if d := rank(b) - rank(a); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return names
}
