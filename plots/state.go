package plots

// state is the figure of what happened to state: inconsistent outcomes open
// and the age of the oldest, and duplicate writes, per tier. Nil for a run
// that marks no writes.
func (v *view) state() []*panel {
	open := v.panel("Inconsistent outcomes open at the end of each "+v.bucket(), "open", false)
	age := v.panel("Age of the oldest open inconsistent outcome", "seconds", false)
	dup := v.panel("Duplicate writes: non-idempotent writes taking effect again, per second", "writes per second", false)
	for i, t := range v.tiers {
		sty := lineStyle(paletteColor(i), 2, nil)
		open.line(t.Label(), v.x, sum(v.ser, t.Members, "inconsistent_open"), sty)
		age.line(t.Label(), v.x, maxOf(v.ser, t.Members, "oldest_inconsistent_age_s"), sty)
		dup.line(t.Label(), v.x, perSecond(v.ser, sum(v.ser, t.Members, "duplicate_writes")), sty)
	}
	var ps []*panel
	for _, p := range []*panel{open, age, dup} {
		if !p.empty() {
			ps = append(ps, p)
		}
	}
	return ps
}

// maxOf is the largest value of metric over the named components, bucket by
// bucket; nil when none has it.
func maxOf(ser interface {
	Get(component, metric string) []float64
}, names []string, metric string) []float64 {
	var out []float64
	for _, name := range names {
		v := ser.Get(name, metric)
		if v == nil {
			continue
		}
		if out == nil {
			out = append([]float64(nil), v...)
			continue
		}
		for b, x := range v {
			out[b] = max(out[b], x)
		}
	}
	return out
}

const aboutState = "Top: inconsistent outcomes open (a service's call failed after an earlier write succeeded, " +
	"and no rollback or repair has closed it yet). Middle: how long the oldest of them has been open; with no " +
	"policy it only grows. Bottom: non-idempotent writes that took effect again for the same logical request, " +
	"per second, at the tier that ran them. Each panel appears when the run has its metric."
