package limit

import (
	"testing"
	"time"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/topology"
)

func aimd() topology.Limit {
	return topology.Limit{AIMD: true, Initial: 20, Min: 10, Max: 30, BackoffRatio: 0.9, Timeout: 5 * time.Second}
}

func TestAIMDRule(t *testing.T) {
	tests := []struct {
		name    string
		rtt     des.Time
		inside  int
		dropped bool
		want    int // from 20
	}{
		{"fast, busy: +1", des.Second, 10, false, 21},
		{"fast, idle: unchanged", des.Second, 9, false, 20},
		{"slow: x0.9", 6 * des.Second, 10, false, 18},
		{"at the timeout is not slow", 5 * des.Second, 10, false, 21},
		{"failed: x0.9", des.Second, 10, true, 18},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New(aimd())
			l.Sample(tt.rtt, tt.inside, tt.dropped)
			if l.Limit() != tt.want {
				t.Fatalf("limit %d, want %d", l.Limit(), tt.want)
			}
		})
	}
}

func TestAIMDStaysWithinBounds(t *testing.T) {
	l := New(aimd())
	for range 100 {
		l.Sample(des.Second, 100, false)
	}
	if l.Limit() != 30 {
		t.Fatalf("limit %d, want the max 30", l.Limit())
	}
	for range 100 {
		l.Sample(des.Second, 100, true)
	}
	if l.Limit() != 10 {
		t.Fatalf("limit %d, want the min 10", l.Limit())
	}
	if !l.Admit(9) || l.Admit(10) {
		t.Fatal("admits past the limit of 10")
	}
}

func TestStaticIgnoresSamples(t *testing.T) {
	l := New(topology.Limit{Initial: 7, Min: 7, Max: 7})
	l.Sample(des.Hour, 7, true)
	if l.Limit() != 7 {
		t.Fatalf("static limit moved to %d", l.Limit())
	}
}
