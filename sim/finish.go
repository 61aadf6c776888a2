package sim

import (
	"github.com/failsim/failsim/topology"
)

// requestsLeft is the count of requests each user of a closed-loop client
// has still to make, or nil when users go on for the whole run.
func requestsLeft(c *topology.Client) []int32 {
	if c.Requests == 0 {
		return nil
	}
	left := make([]int32, c.Users)
	for u := range left {
		left[u] = int32(c.Requests)
	}
	return left
}

// goesOn reports whether closed-loop user u, whose request just ended,
// makes another. A user with a request limit that has made them all stops;
// the time the last such user stops is the run's finishing time.
func (s *Sim) goesOn(cl *client, u int32) bool {
	if cl.left == nil {
		return true
	}
	cl.left[u]--
	if cl.left[u] > 0 {
		return true
	}
	s.finished = s.now()
	return false
}

// finishedAt is when every user with a request limit had made all its
// requests, in seconds; nil when there is no such user or one had not
// finished when the run ended.
func (s *Sim) finishedAt() *float64 {
	limited := false
	for i := range s.comps {
		cl := s.comps[i].client
		if cl == nil || cl.left == nil {
			continue
		}
		limited = true
		for _, n := range cl.left {
			if n > 0 {
				return nil
			}
		}
	}
	if !limited {
		return nil
	}
	t := s.finished.Seconds()
	return &t
}
