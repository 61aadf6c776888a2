package results

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func sample() *Run {
	s := NewSeries(10, []Key{{"db", "arrivals"}, {"db", "amplification"}})
	s.EndS = 25
	s.Times = []float64{0, 10, 20}
	s.Values[0] = []float64{5, 7, 2}
	s.Values[1] = []float64{1.5, math.NaN(), 0.25}
	recovered, at := true, 20.0
	return &Run{
		Summary: Summary{Scenario: "s", Seed: 3, SimSeconds: 25, BucketSeconds: 10,
			Components: map[string]Component{"db": {Kind: "database", Arrivals: 14}},
			Recovery:   Recovery{Recovered: &recovered, RecoveredAtS: &at}},
		Series: s,
	}
}

func TestCSVIsLongFormatWithoutMissingPoints(t *testing.T) {
	var b bytes.Buffer
	if err := sample().Series.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	want := `t,component,metric,value
0,db,arrivals,5
0,db,amplification,1.5
10,db,arrivals,7
20,db,arrivals,2
20,db,amplification,0.25
`
	if b.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestWriteThenReadGivesTheSameRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	in := sample()
	if err := in.Write(dir); err != nil {
		t.Fatal(err)
	}
	out, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in.Summary, out.Summary) {
		t.Fatalf("summary changed:\n%+v\n%+v", in.Summary, out.Summary)
	}
	if got := out.Series.Get("db", "arrivals"); !reflect.DeepEqual(got, []float64{5, 7, 2}) {
		t.Fatalf("arrivals %v", got)
	}
	if got := out.Series.Get("db", "amplification"); got[0] != 1.5 || !math.IsNaN(got[1]) || got[2] != 0.25 {
		t.Fatalf("amplification %v, want the missing point back as NaN", got)
	}
	if w := out.Series.Width(2); w != 5 {
		t.Fatalf("last bucket width %g, want 5 (the run ends at 25s)", w)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Fatalf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestReadRejectsAForeignCSV(t *testing.T) {
	for _, bad := range []string{"a,b,c,d\n", "t,component,metric,value\nx,db,arrivals,1\n", "t,component,metric,value\n0,db,arrivals\n"} {
		if _, err := ReadCSV(strings.NewReader(bad), 1, 1); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
