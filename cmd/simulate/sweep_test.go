package main

import (
	"strings"
	"testing"

	"github.com/failsim/failsim/sim/experiment"
)

func TestParseShard(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	for _, c := range []struct {
		spec string
		env  map[string]string
		want experiment.Shard
		err  string
	}{
		{spec: "1/3", want: experiment.Shard{Index: 1, Count: 3}},
		{spec: "/4", env: map[string]string{"JOB_COMPLETION_INDEX": "3"}, want: experiment.Shard{Index: 3, Count: 4}},
		{spec: "/4", env: map[string]string{"SLURM_ARRAY_TASK_ID": "0"}, want: experiment.Shard{Index: 0, Count: 4}},
		{spec: "/4", err: "neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set"},
		{spec: "/2", env: map[string]string{"SLURM_ARRAY_TASK_ID": "2"}, err: `shard index "2" (from SLURM_ARRAY_TASK_ID) must be a number from 0 to 1`},
		{spec: "3", err: "want I/N"},
		{spec: "0/0", err: "want I/N"},
	} {
		got, err := parseShard(c.spec, env(c.env))
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v, want %q", c.spec, err, c.err)
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("%s: got %v, %v, want %v", c.spec, got, err, c.want)
		}
	}
}
