package sim

import (
	"cmp"
	"slices"

	"github.com/failsim/failsim/sim/random"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
)

// keyed is a database's keyed, versioned records (topology.Records): the
// version of every key, which counts the writes committed to it, and the
// conditional writes that lost their race on it. Its arrays are indexed by
// key and allocated once: memory grows with the keys, not with the writes.
//
// A write chooses its key from the popularity with a draw indexed by its
// idempotency key (the logical request and the write's slot), so every
// attempt of one logical request's write, at any layer, writes the same
// record. A write job reads its key's version when a connection takes it
// (startWork) and, if it is conditional, commits when its work ends only if
// the version is unchanged (workDone); otherwise it fails with a conflict
// and its work was for nothing.
type keyed struct {
	versions  []uint32
	conflicts []uint32
	cdf       []float64 // P(key <= i); nil for uniform keys
	draw      random.Indexed

	warmVersions, warmConflicts []uint32 // at the end of the warm-up, when there is one
}

func newKeyed(seed uint64, name string, r *topology.Records) *keyed {
	kd := &keyed{
		versions:  make([]uint32, r.Keys),
		conflicts: make([]uint32, r.Keys),
		draw:      random.NewIndexed(seed, name, "record keys"),
	}
	if r.Popularity != topology.Uniform {
		kd.cdf = r.KeyProbabilities()
		for i := 1; i < len(kd.cdf); i++ {
			kd.cdf[i] += kd.cdf[i-1]
		}
	}
	return kd
}

// keyOf is the key of write number id (an idempotency key).
func (kd *keyed) keyOf(id uint64) int32 {
	u := kd.draw.Float64(id)
	if kd.cdf == nil {
		return int32(u * float64(len(kd.versions)))
	}
	i, _ := slices.BinarySearch(kd.cdf, u)
	return int32(min(i, len(kd.cdf)-1))
}

// read is write job c choosing its key and, for a conditional write,
// reading its version, as a connection takes the job.
func (s *Sim) read(kd *keyed, c int32) {
	cr := s.recs.at(c)
	cr.key = kd.keyOf(s.key(c))
	cr.tries = int32(kd.versions[cr.key])
}

// conflicted reports whether conditional write job c lost its race: another
// write committed to its key since it read the version. The loss is
// counted, with the work done for nothing.
func (s *Sim) conflicted(k *component, c int32) bool {
	cr := s.recs.at(c)
	kd := k.srv.keyed
	if !s.book.conditional[cr.write-1] || kd.versions[cr.key] == uint32(cr.tries) {
		return false
	}
	kd.conflicts[cr.key]++
	k.stats.cur.conflicts++
	k.stats.cur.conflictWork += cr.work.Seconds()
	return true
}

// commit is a write taking effect on its key: a new version.
func (kd *keyed) commit(key int32) { kd.versions[key]++ }

// keyedColumns are a keyed database's metrics.
func keyedColumns(k *component) []column {
	if k.srv == nil || k.srv.keyed == nil {
		return nil
	}
	return []column{
		count("conflicts", func(c *counts) int64 { return c.conflicts }),
		fromView("conflict_work_s", func(v *view) float64 { return v.c.conflictWork }),
	}
}

// endKeyedWarmup keeps the keys' counts at the end of the warm-up, which
// the summary leaves out.
func (s *Sim) endKeyedWarmup() {
	for i := range s.comps {
		if sv := s.comps[i].srv; sv != nil && sv.keyed != nil {
			sv.keyed.warmVersions = slices.Clone(sv.keyed.versions)
			sv.keyed.warmConflicts = slices.Clone(sv.keyed.conflicts)
		}
	}
}

// hotKeysShown is how many of a database's keys the summary lists.
const hotKeysShown = 5

// keyedSummary adds a keyed database's conflicts to its summary and the
// run's state: the totals and the keys with the most conflicts (then the
// most commits, then the most popular), after the warm-up. The instances of
// a replicated database keep records each; their counts add up by key.
func (s *Sim) keyedSummary(r *report, c *results.Component, sum *results.Summary) {
	k := &s.comps[r.members[0]]
	if k.srv == nil || k.srv.keyed == nil {
		return
	}
	m := r.stats.measured()
	c.Conflicts, c.ConflictWorkS = m.conflicts, m.conflictWork
	if sum.State != nil {
		sum.State.Conflicts += m.conflicts
	}
	keys := make([]results.KeyCount, len(k.srv.keyed.versions))
	for _, i := range r.members {
		kd := s.comps[i].srv.keyed
		for j := range keys {
			keys[j].Key = j
			keys[j].Commits += int64(kd.versions[j])
			keys[j].Conflicts += int64(kd.conflicts[j])
			if kd.warmVersions != nil {
				keys[j].Commits -= int64(kd.warmVersions[j])
				keys[j].Conflicts -= int64(kd.warmConflicts[j])
			}
		}
	}
	keys = slices.DeleteFunc(keys, func(kc results.KeyCount) bool { return kc.Commits == 0 && kc.Conflicts == 0 })
	slices.SortStableFunc(keys, func(a, b results.KeyCount) int {
		return cmp.Or(cmp.Compare(b.Conflicts, a.Conflicts), cmp.Compare(b.Commits, a.Commits))
	})
	c.HotKeys = slices.Clip(keys[:min(len(keys), hotKeysShown)])
}
