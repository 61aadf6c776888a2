package experiment

import (
	"math"
	"strings"
	"testing"

	"github.com/failsim/failsim/sim/results"
)

func TestParseCondition(t *testing.T) {
	ms := results.Catalogue([]results.Tier{{Name: "db", Kind: "database"}}, true, false, false)
	for _, c := range []struct {
		text       string
		base, want float64 // the right-hand side at this base
	}{
		{"p99 > 1.2*base", 2, 2.4},
		{"success_rate < base - 1%", 0.9, 0.89},
		{"p99>=250ms", 0, 0.25},
		{"wasted_work.db <= (base + 10) / 2", 30, 20},
		{"recovered < 1", 0, 1},
		{"p50 > -base + 2.5e-1s", 0.1, 0.15},
	} {
		cond, err := ParseCondition(c.text, ms)
		if err != nil {
			t.Errorf("%s: %v", c.text, err)
			continue
		}
		if got := cond.rhs.eval(c.base); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s at base %g: %g, want %g", c.text, c.base, got, c.want)
		}
	}
	for text, want := range map[string]string{
		"sucess_rate < base":  `unknown metric "sucess_rate"; did you mean "success_rate"?; metrics are success_rate, goodput, p50,`,
		"p99 = base":          "no comparison",
		"p99 > 1.2*bse":       `column 11: unknown name "bse"; did you mean "base"?`,
		"p99 > 2 sec":         `column 9: unexpected "sec"`,
		"p99 > 2sec":          `column 8: unknown unit "sec"`,
		"p99 > (base":         "missing )",
		"p99 >":               "expression ends too soon",
		"> base":              "no metric before >",
		"p99 > base base":     `unexpected "base"`,
		"amplification.dbb>1": `did you mean "amplification.db"?`,
		"p99 > base/0":        "column 12: divides by zero",
		"p99 > base/(1-100%)": "divides by zero",
	} {
		_, err := ParseCondition(text, ms)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", text, err, want)
		}
	}
}

func TestConditionCheck(t *testing.T) {
	est := func(m float64) *results.Estimate { return &results.Estimate{N: 3, Mean: m} }
	r := &results.CompareResult{
		Sides: []results.SideResult{{Label: "base"}, {Label: "a"}, {Label: "b"}},
		Metrics: []results.MetricResult{{Metric: results.Catalogue(nil, false, false, false)[3], // p99
			Estimates: []*results.Estimate{est(2), est(2.3), est(2.5)}}},
	}
	cond, err := ParseCondition("p99 > 1.2*base", results.Catalogue(nil, false, false, false))
	if err != nil {
		t.Fatal(err)
	}
	fails := cond.Check(r)
	if len(fails) != 1 || fails[0] != "p99 > 1.2*base: b has p99 2.50s, against 2.40s (base 2.00s)" {
		t.Fatalf("got %q", fails)
	}
	// A limit that is not a number (base/base with base 0) cannot pass.
	r.Metrics[0].Estimates[0] = est(0)
	cond, err = ParseCondition("p99 > base/base", results.Catalogue(nil, false, false, false))
	if err != nil {
		t.Fatal(err)
	}
	if fails := cond.Check(r); len(fails) != 2 || !strings.Contains(fails[0], "the limit is NaN for a (base 0.00s), which nothing can be compared with") {
		t.Fatalf("got %q", fails)
	}
}

// FuzzParseCondition: never a panic, errors are input errors, and an
// accepted condition evaluates.
func FuzzParseCondition(f *testing.F) {
	ms := results.Catalogue([]results.Tier{{Name: "db", Kind: "database"}}, true, false, false)
	for _, s := range []string{"p99 > 1.2*base", "success_rate < base - 1%", "wasted_work.db <= (base + 10) / 2",
		"p50 > -base + 2.5e-1s", "p99 > (base", "p99 > 2sec", "recovered < 1", "p99 > base/0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCondition(s, ms)
		if err != nil {
			if _, ok := err.(results.InputError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		c.rhs.eval(1)
	})
}
