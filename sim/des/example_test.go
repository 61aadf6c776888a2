package des_test

import (
	"fmt"

	"github.com/failsim/failsim/sim/des"
)

// A timeout that is cancelled because the reply came first never fires.
func ExampleScheduler() {
	const (
		reply des.Kind = iota
		timeout
	)
	var s des.Scheduler
	t := s.SetTimer(2*des.Second, timeout, 0, 7)
	s.Schedule(150*des.Millisecond, reply, 0, 7)
	for e, ok := s.Next(); ok; e, ok = s.Next() {
		switch e.Kind {
		case reply:
			fmt.Println(s.Now(), "reply for request", e.Ref)
			s.Cancel(t)
		case timeout:
			fmt.Println(s.Now(), "timeout for request", e.Ref)
		}
	}
	// Output:
	// 0.150s reply for request 7
}
