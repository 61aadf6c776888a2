package outlier

import (
	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/topology"
)

// Detector watches the hosts of one load balancer.
type Detector struct {
	spec    topology.Outlier
	hosts   []host
	ejected int
	total   int // ejections so far, for the summary
}

type host struct {
	consecutive int
	ejected     bool
	until       des.Time
	multiplier  int // ejections not yet forgiven
}

// New returns a detector for n hosts, all in service.
func New(spec topology.Outlier, n int) *Detector {
	return &Detector{spec: spec, hosts: make([]host, n)}
}

// Ejected reports whether host i is out of the load balancer's choices.
func (d *Detector) Ejected(i int) bool { return d.hosts[i].ejected }

// EjectedCount is how many hosts are ejected now.
func (d *Detector) EjectedCount() int { return d.ejected }

// Ejections is how many ejections have happened.
func (d *Detector) Ejections() int { return d.total }

// Result reports the outcome of a call to host i at now. A failure is any
// 5xx, a reset or a timeout (Envoy's default, without splitting local and
// external errors); a success resets the count.
func (d *Detector) Result(now des.Time, i int, failed bool) {
	h := &d.hosts[i]
	if !failed {
		h.consecutive = 0
		return
	}
	h.consecutive++
	if h.consecutive < d.spec.Consecutive5xx || h.ejected {
		return
	}
	h.consecutive = 0
	if 100*float64(d.ejected)/float64(len(d.hosts)) >= d.spec.MaxEjectionPercent {
		return
	}
	h.ejected = true
	h.multiplier++
	base := des.FromDuration(d.spec.BaseEjectionTime)
	h.until = now + min(base*des.Time(h.multiplier), max(base, des.FromDuration(d.spec.MaxEjectionTime)))
	d.ejected++
	d.total++
}

// Sweep is the interval timer: ejected hosts whose time is up return, and a
// host in service is forgiven one past ejection.
func (d *Detector) Sweep(now des.Time) {
	for i := range d.hosts {
		h := &d.hosts[i]
		switch {
		case h.ejected && now >= h.until:
			h.ejected = false
			d.ejected--
		case !h.ejected && h.multiplier > 0:
			h.multiplier--
		}
	}
}
