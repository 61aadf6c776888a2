package experiment

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func ExampleParseAxis() {
	a, _ := ParseAxis(`client.users.retry.budget=-, {kind="grpc", max_tokens=10}, {kind = "aws"}`)
	fmt.Println(a.Key)
	for _, v := range a.Values {
		fmt.Println(v)
	}
	// Output:
	// client.users.retry.budget
	// -
	// {kind="grpc", max_tokens=10}
	// {kind = "aws"}
}

func TestSplitValues(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
		err  string
	}{
		{in: "2s,4s", want: []string{"2s", "4s"}},
		{in: "5", want: []string{"5"}},
		{in: `["a,b", 'c,d'], "e,\"f"`, want: []string{`["a,b", 'c,d']`, `"e,\"f"`}},
		{in: "{a={b=1,c=2}},[1,[2,3]]", want: []string{"{a={b=1,c=2}}", "[1,[2,3]]"}},
		{in: "{a=1", err: "missing }"},
		{in: "[1,2}", err: "unexpected } at character 5"},
		{in: `"open`, err: `unclosed "`},
	} {
		got, err := splitValues(c.in)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v, want %q", c.in, err, c.err)
		case c.err == "" && (err != nil || !reflect.DeepEqual(got, c.want)):
			t.Errorf("%s: got %q, %v, want %q", c.in, got, err, c.want)
		}
	}
}

func TestParseAxisRejects(t *testing.T) {
	for in, want := range map[string]string{
		"timeout":          "want KEY=VALUE",
		"timeout=1s,,2s":   "value 2 is empty",
		"timeout=1s,1s":    "value 1s is given twice",
		"budget={kind=1,2": "missing }",
	} {
		if _, err := ParseAxis(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", in, err, want)
		}
	}
}

func TestPointsVaryTheFirstAxisSlowest(t *testing.T) {
	got := points([]Axis{{"a", []string{"1", "2"}}, {"b", []string{"x"}}, {"c", []string{"p", "q"}}})
	want := [][]string{{"1", "x", "p"}, {"1", "x", "q"}, {"2", "x", "p"}, {"2", "x", "q"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
}

func TestAxisNames(t *testing.T) {
	got := AxisNames([]Axis{{Key: "client.users.timeout"}, {Key: "load_balancer.lb.timeout"}})
	if want := []string{"client.users.timeout", "load_balancer.lb.timeout"}; !reflect.DeepEqual(got, want) {
		t.Errorf("two timeouts: got %q, want whole keys", got)
	}
	got = AxisNames([]Axis{{Key: "client.users.timeout"}, {Key: "client.users.retry.max_attempts"}, {Key: "fault[0].for"}, {Key: "service.api.call[0].timeout"}})
	if want := []string{"timeout", "max_attempts", "fault[0].for", "service.api.call[0].timeout"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestParseShard(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	for _, c := range []struct {
		spec string
		env  map[string]string
		want Shard
		err  string
	}{
		{spec: "1/3", want: Shard{1, 3}},
		{spec: "/4", env: map[string]string{"JOB_COMPLETION_INDEX": "3"}, want: Shard{3, 4}},
		{spec: "/4", env: map[string]string{"SLURM_ARRAY_TASK_ID": "0"}, want: Shard{0, 4}},
		{spec: "/4", err: "neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set"},
		{spec: "/2", env: map[string]string{"SLURM_ARRAY_TASK_ID": "2"}, err: `shard index "2" (from SLURM_ARRAY_TASK_ID) must be a number from 0 to 1`},
		{spec: "3", err: "want I/N"},
		{spec: "0/0", err: "want I/N"},
	} {
		got, err := ParseShard(c.spec, env(c.env))
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v, want %q", c.spec, err, c.err)
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("%s: got %v, %v, want %v", c.spec, got, err, c.want)
		}
	}
}

// FuzzParseAxis: never a panic; what it accepts it reads back the same from
// its own values joined by commas.
func FuzzParseAxis(f *testing.F) {
	for _, s := range []string{"client.users.timeout=2s,4s", `k={a=[1,2]}, "x,y", 'z'`, "k=[1,2}", `k="open`, "=1", "k=1,,2", "k=1,1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAxis(s)
		if err != nil {
			if _, ok := err.(InputError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		again, err := ParseAxis(a.Key + "=" + strings.Join(a.Values, ","))
		if err != nil || !reflect.DeepEqual(again, a) {
			t.Fatalf("%q read as %#v, its values rejoined as %#v (%v)", s, a, again, err)
		}
	})
}
