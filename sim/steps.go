package sim

// nextStep invokes job c's downstream call from step cr.step on, skipping
// the steps that do not run for this job (a step with a fraction below 1
// runs for that fraction of jobs, drawn from the server's own stream), or
// answers ok after the last.
func (s *Sim) nextStep(k *component, c int32) {
	cr := s.recs.at(c)
	sv := k.srv
	for ; int(cr.step) < len(sv.calls); cr.step++ {
		p := &sv.calls[cr.step]
		if f := p.fraction; f < 1 && sv.steps.Float64() >= f || cr.class != 0 && sv.skips(cr) {
			if p.group != nil {
				cr.step = p.group.end - 1
			}
			continue
		}
		if p.group != nil {
			s.startGroup(k, c, p)
			return
		}
		s.invoke(c)
		return
	}
	s.finishJob(k, c, ok)
}

// bulkheadFull reports whether job j's step is refused by its bulkhead, a
// semaphore bulkhead as resilience4j's SemaphoreBulkhead with
// maxWaitDuration 0: at most bulkhead of the server's jobs are in the step
// at once (its tries, timeouts and backoffs included), and a job that finds
// it full fails the step at once, holding its worker no longer. Otherwise
// the job takes a place until its step ends.
func (s *Sim) bulkheadFull(j int32) bool {
	r := s.recs.at(j)
	p := s.policyFor(r)
	if p.bulkhead == 0 || r.flags&member != 0 { // a group's bulkhead, on its first call, holds the job
		return false
	}
	if p.inStep >= p.bulkhead {
		s.comps[r.comp].stats.cur.bulkheadRejected++
		return true
	}
	p.inStep++
	r.infra |= inBulkhead
	return false
}

// leaveBulkhead gives back job j's place in its step's bulkhead, if it
// holds one.
func (s *Sim) leaveBulkhead(j int32) {
	r := s.recs.at(j)
	if r.infra&inBulkhead != 0 {
		r.infra &^= inBulkhead
		s.policyFor(r).inStep--
	}
}
