package results

import (
	"bytes"
	"fmt"
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

// A CSV whose every row is a new time and a new metric is refused before
// its table outgrows the file.
func TestReadRefusesATableFarLargerThanItsRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("t,component,metric,value\n")
	for i := range 3000 {
		fmt.Fprintf(&b, "%d,c,m%d,1\n", i, i)
	}
	_, err := ReadCSV(strings.NewReader(b.String()), 1, 3000)
	if err == nil || !strings.Contains(err.Error(), "is not a table of buckets by metrics") {
		t.Fatalf("got %v", err)
	}
}

// FuzzReadCSV reads arbitrary bytes as timeseries.csv: never a panic, a
// series that writes back to what it read, or an error that names the file.
func FuzzReadCSV(f *testing.F) {
	var good bytes.Buffer
	if err := sample().Series.WriteCSV(&good); err != nil {
		f.Fatal(err)
	}
	f.Add(good.Bytes())
	f.Add([]byte("t,component,metric,value\n0,db,arrivals,1\n10,db,arrivals,NaN\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := ReadCSV(bytes.NewReader(in), 10, 25)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "timeseries.csv") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		var out bytes.Buffer
		if err := s.WriteCSV(&out); err != nil {
			t.Fatal(err)
		}
		again, err := ReadCSV(bytes.NewReader(out.Bytes()), 10, 25)
		if err != nil {
			t.Fatalf("cannot read what it wrote: %v", err)
		}
		var twice bytes.Buffer
		again.WriteCSV(&twice)
		if !bytes.Equal(out.Bytes(), twice.Bytes()) {
			t.Fatalf("write, read, write differs:\n%s\n%s", out.Bytes(), twice.Bytes())
		}
	})
}

// The collapse is the first bucket after the first fault began in which
// more than the recovery tolerance of the requests that ended failed.
func TestCollapse(t *testing.T) {
	ser := NewSeries(10, []Key{{"users", "succeeded"}, {"users", "failed"}})
	ser.Times, ser.EndS = []float64{0, 10, 20, 30, 40}, 50
	ser.Values = [][]float64{{100, 100, 95, 80, 0}, {0, 20, 5, 20, 100}}
	r := &Run{Series: ser, Summary: Summary{
		Order:      []string{"users"},
		Components: map[string]Component{"users": {Kind: "client"}},
		Faults:     []Fault{{AtS: 20}},
		Recovery:   Recovery{Tolerance: 0.1},
	}}
	// 20% failed at 10s, before the fault; 5% at 20s is within tolerance.
	if at, ok := r.Collapse(); !ok || at != 30 {
		t.Errorf("collapse at %g (%v), want 30", at, ok)
	}
	r.Summary.Faults = nil
	if _, ok := r.Collapse(); ok {
		t.Error("a run without a fault has no collapse")
	}
}
