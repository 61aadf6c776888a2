package sim

import "github.com/failsim/failsim/topology"

// report is what timeseries.csv and summary.json show of one component, or
// of a fleet: a service with more instances than [metrics]
// per_instance_up_to, shown as one component named after the service. The
// instances of a fleet count into one stats, so that a bucket's close costs
// the same for ten thousand instances as for one, and its levels and
// latencies are the fleet's own (the most calls in flight at once across
// the fleet, not a sum of each instance's most).
type report struct {
	name    string
	members []int32 // the components counted here, in model order
	stats   stats
	cols    []column // its metrics in timeseries.csv
	col     int      // index of its first metric in the series
	quiet   quietBucket
}

// fleet reports whether r shows the instances of a service together.
func (r *report) fleet() bool { return len(r.members) > 1 }

// newReports gives every component its report: its own, or its fleet's.
func (s *Sim) newReports() {
	limit := s.sc.Metrics.PerInstanceUpTo
	if limit <= 0 {
		limit = topology.DefaultPerInstanceUpTo
	}
	size := map[string]int{}
	for _, c := range s.sc.Components {
		if c.Group != "" {
			size[c.Group]++
		}
	}
	reports := len(s.sc.Components) // a report is large: growing the slice would copy them all
	for _, n := range size {
		if n > limit { // one report for the group's n instances
			reports -= n - 1
		}
	}
	fleetOf := map[string]int32{}
	s.reports = make([]report, 0, reports)
	for i, c := range s.sc.Components {
		if n := size[c.Group]; c.Group != "" && n > limit {
			if r, ok := fleetOf[c.Group]; ok {
				s.comps[i].report = r
				s.reports[r].members = append(s.reports[r].members, int32(i))
				continue
			}
			fleetOf[c.Group] = int32(len(s.reports))
			s.reports = append(s.reports, report{name: c.Group, members: make([]int32, 0, n)})
		} else {
			s.reports = append(s.reports, report{name: c.Name})
		}
		r := &s.reports[len(s.reports)-1]
		r.members = append(r.members, int32(i))
		s.comps[i].report = int32(len(s.reports) - 1)
	}
	for i := range s.reports {
		s.reports[i].stats.init()
	}
	for i := range s.comps {
		s.comps[i].stats = &s.reports[s.comps[i].report].stats
	}
}

// reportColumns lists r's metrics: its component's, or for a fleet those
// of its first instance that follow from the counts, levels and latencies
// (the state of one instance's breaker or budget says nothing of the
// others'), and the alerts that watch it.
func (s *Sim) reportColumns(r *report) []column {
	k := &s.comps[r.members[0]]
	if !r.fleet() {
		return s.columnsFor(k)
	}
	var cols []column
	for _, c := range s.columnsFor(k) {
		if c.viewed {
			cols = append(cols, c)
		}
	}
	return append(cols, s.alertColumns(r)...)
}

// reportOf is the report component i counts into.
func (s *Sim) reportOf(i int32) *report { return &s.reports[s.comps[i].report] }
