package sim

import (
	"fmt"
	"testing"

	"github.com/failsim/failsim/topology/scenariofile"
)

// Reports are allocated once, as many as there are: a fleet of instances is
// one report, not one per instance (a report holds a component's stats, a
// few kilobytes: ten thousand of them doubled a 10,000-instance run's
// memory).
func TestReportsAreAllocatedAsManyAsThereAre(t *testing.T) {
	for _, tc := range []struct {
		instances, reports int
	}{
		{1, 3},     // client, balancer, service
		{64, 66},   // per instance, up to per_instance_up_to
		{65, 3},    // one fleet
		{1000, 3},  // one fleet
		{10000, 3}, // one fleet
	} {
		t.Run(fmt.Sprint(tc.instances), func(t *testing.T) {
			src := fmt.Sprintf("duration = \"1s\"\n[client.c]\ntarget = \"lb\"\nrate = 10\n[load_balancer.lb]\ntargets = [\"s\"]\n"+
				"[service.s]\ninstances = %d\nworkers = 1\nservice_time = \"1ms\"\n", tc.instances)
			sc, err := scenariofile.Parse("fleet.toml", []byte(src), "")
			if err != nil {
				t.Fatal(err)
			}
			s := newSim(sc, 1)
			if len(s.reports) != tc.reports || cap(s.reports) != tc.reports {
				t.Errorf("%d reports in a slice of %d, want %d", len(s.reports), cap(s.reports), tc.reports)
			}
		})
	}
}
