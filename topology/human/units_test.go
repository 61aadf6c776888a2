package human_test

import (
	"testing"
	"time"

	"github.com/failsim/failsim/topology/human"
)

func TestWriters(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{human.Brief(2 * time.Second), "2s"},
		{human.Brief(28003 * time.Millisecond), "28.003s"},
		{human.Brief(28003400 * time.Microsecond), "28.003s"},
		{human.Brief(187 * time.Millisecond), "187ms"},
		{human.Brief(1934 * time.Microsecond), "1.93ms"},
		{human.Brief(972 * time.Microsecond), "972µs"},
		{human.Brief(0), "0s"},
		{human.Significant(0), "0"},
		{human.Significant(2.58123), "2.58"},
		{human.Significant(17.81), "17.8"},
		{human.Significant(296.74), "297"},
		{human.Significant(5693.2), "5693"},
		{human.Significant(0.0833), "0.0833"},
		{human.SignificantSeconds(0.0629), "62.9ms"},
		{human.Tick(0.0005), "500µs"},
		{human.Tick(0.02), "20ms"},
		{human.Tick(0.1), "100ms"},
		{human.Tick(1), "1s"},
		{human.Tick(10), "10s"},
		{human.Count(950), "950"},
		{human.Count(12345), "12.3k"},
		{human.Count(4.1e6), "4.10M"},
		{human.Duration(90 * time.Second), "1m30s"},
		{human.Duration(5 * time.Minute), "5m"},
		{human.Duration(2 * time.Hour), "2h"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
