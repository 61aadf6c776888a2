package experiment

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/failsim/failsim/sim/results"
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

// FuzzParseAxis: never a panic; what it accepts it reads back the same from
// its own values joined by commas.
func FuzzParseAxis(f *testing.F) {
	for _, s := range []string{"client.users.timeout=2s,4s", `k={a=[1,2]}, "x,y", 'z'`, "k=[1,2}", `k="open`, "=1", "k=1,,2", "k=1,1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAxis(s)
		if err != nil {
			if _, ok := err.(results.InputError); !ok {
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
