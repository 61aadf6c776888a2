package results

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
)

// Key names one time series: a metric of a component.
type Key struct {
	Component string
	Metric    string
}

// Series holds per-bucket metrics column-wise: Values[k][b] is key k in
// bucket b. A run's columns are read-only: they may share memory. NaN marks
// "no value" (a ratio with nothing to divide by); such points are left out
// of the CSV.
type Series struct {
	BucketS float64   // bucket width in seconds
	EndS    float64   // end of the run; the last bucket may be shorter
	Times   []float64 // start of each bucket, seconds
	Keys    []Key
	Values  [][]float64
	index   map[Key]int
}

// NewSeries returns an empty series for the given keys.
func NewSeries(bucketS float64, keys []Key) *Series {
	s := &Series{BucketS: bucketS, Keys: keys, Values: make([][]float64, len(keys))}
	s.reindex()
	return s
}

// Block is a run's series as it is written: every key's column for every
// bucket of the run, each value stored where the series will read it, so
// that the end has nothing to copy. A column takes memory only once it holds
// a value other than zero: most counts of most components stay zero (errors,
// retries, rejections of a healthy service), and a thousand services would
// otherwise write tens of megabytes of zeros, one cache line each.
//
// A bucket's row reaches the columns recentBuckets buckets at a time. Until
// then it is written key after key into recent, whose line for a key holds
// its latest buckets: a row fills consecutive lines, where written straight
// into the columns each value was a cache miss, a column apart.
type Block struct {
	cols       [][]float64 // key k's values, nil while they are all zero
	zeros      []float64   // the values of every column still nil, shared
	spare      []float64   // storage not yet given to a column
	recent     []float64   // key k's values from bucket recentFrom on, at k*span
	span       int         // buckets recent holds a key: recentBuckets, or n if fewer
	recentFrom int
	n          int // buckets per column
	b          int // buckets closed
}

// recentBuckets is how many buckets recent holds: a cache line of each key.
const recentBuckets = 8

// NewBlock holds keys columns of n buckets each. Its recent buckets take no
// more than its columns would: a run of a bucket or two may have millions of
// keys.
func NewBlock(keys, n int) *Block {
	span := min(recentBuckets, n)
	return &Block{cols: make([][]float64, keys), zeros: make([]float64, n),
		recent: make([]float64, keys*span), span: span, n: n}
}

// Next opens the next bucket's row; it panics past the n buckets planned.
func (bl *Block) Next() Row {
	if bl.b == bl.n {
		panic("results: a bucket past the block's end")
	}
	if bl.b-bl.recentFrom == bl.span {
		bl.settle()
		clear(bl.recent)
		bl.recentFrom = bl.b
	}
	bl.b++
	return Row{bl: bl, b: bl.b - 1}
}

// Last is the row of the bucket opened last.
func (bl *Block) Last() Row { return Row{bl: bl, b: bl.b - 1} }

// settle copies the recent buckets into the columns.
func (bl *Block) settle() {
	m := bl.b - bl.recentFrom
	for k, c := range bl.cols {
		vals := bl.recent[k*bl.span:][:m]
		if c == nil {
			if !hasNonZero(vals) {
				continue
			}
			c = bl.column(k)
		}
		copy(c[bl.recentFrom:], vals)
	}
}

// hasNonZero reports whether vals holds a value other than +0 (-0 prints
// apart from 0).
func hasNonZero(vals []float64) bool {
	for _, v := range vals {
		if math.Float64bits(v) != 0 {
			return true
		}
	}
	return false
}

// column gives key k its own storage, zero so far. Columns are cut from
// chunks of at least 4 MB, backed by 2 MB pages where Linux allows: a
// settle writes a line in each column, and small pages made most of them a
// TLB miss.
func (bl *Block) column(k int) []float64 {
	if len(bl.spare) < bl.n {
		bl.spare = make([]float64, max(bl.n, 1<<19))
		adviseHugePages(bl.spare)
	}
	c := bl.spare[:bl.n:bl.n]
	bl.spare = bl.spare[bl.n:]
	bl.cols[k] = c
	return c
}

// Show makes s's columns the block's, up to the buckets closed. They share
// the block's memory, and the columns of zeros share one array: a run shows
// them as it goes, and once at the end; they are read, never written.
func (s *Series) Show(bl *Block) {
	bl.settle()
	for k, c := range bl.cols {
		if c == nil {
			c = bl.zeros
		}
		s.Values[k] = c[:bl.b:bl.b]
	}
}

// Row is one bucket's values, a value per key in key order. It is written
// until the next row opens.
type Row struct {
	bl *Block
	b  int
}

// Set sets key k's value.
func (r Row) Set(k int, v float64) { r.bl.recent[k*r.bl.span+r.b-r.bl.recentFrom] = v }

// Get is key k's value.
func (r Row) Get(k int) float64 { return r.bl.recent[k*r.bl.span+r.b-r.bl.recentFrom] }

func (s *Series) reindex() {
	s.index = make(map[Key]int, len(s.Keys))
	for i, k := range s.Keys {
		s.index[k] = i
	}
}

// Get returns the values of one metric of one component, or nil.
func (s *Series) Get(component, metric string) []float64 {
	if i, ok := s.index[Key{component, metric}]; ok {
		return s.Values[i]
	}
	return nil
}

// Width returns the width of bucket b in seconds.
func (s *Series) Width(b int) float64 {
	return math.Min(s.BucketS, s.EndS-s.Times[b])
}

// WriteCSV writes the series in long format: t,component,metric,value, one
// row per point, buckets in time order and keys in their order within one.
func (s *Series) WriteCSV(w io.Writer) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	if err := cw.Write([]string{"t", "component", "metric", "value"}); err != nil {
		return err
	}
	row := make([]string, 4)
	for b, t := range s.Times {
		row[0] = formatFloat(t)
		for k, key := range s.Keys {
			v := s.Values[k][b]
			if math.IsNaN(v) {
				continue
			}
			row[1], row[2], row[3] = key.Component, key.Metric, formatFloat(v)
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// ReadCSV reads what WriteCSV wrote. bucketS and endS come from the summary
// (the CSV does not repeat them).
func ReadCSV(r io.Reader, bucketS, endS float64) (*Series, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = 4
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("timeseries.csv: %w", err)
	}
	if head[0] != "t" || head[1] != "component" || head[2] != "metric" || head[3] != "value" {
		return nil, fmt.Errorf("timeseries.csv: header is %q, want t,component,metric,value", head)
	}
	s := &Series{BucketS: bucketS, EndS: endS, index: map[Key]int{}}
	bucket := map[float64]int{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("timeseries.csv: %w", err)
		}
		t, err1 := strconv.ParseFloat(rec[0], 64)
		v, err2 := strconv.ParseFloat(rec[3], 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("timeseries.csv:%d: t and value must be numbers, got %q and %q", line, rec[0], rec[3])
		}
		if line-1 > MaxSeriesValues {
			return nil, fmt.Errorf("timeseries.csv:%d: more than %d values, more than a run writes: the file is corrupt or was edited", line, MaxSeriesValues)
		}
		if math.IsInf(v, 0) || math.IsNaN(t) || t < 0 || t > endS && endS > 0 {
			return nil, fmt.Errorf("timeseries.csv:%d: t %s and value %s: t must be a time within the run (0 to %gs) and value a finite number", line, rec[0], rec[3], endS)
		}
		b, ok := bucket[t]
		if !ok && bucketS > 0 && endS > 0 && float64(len(s.Times)) >= math.Ceil(endS/bucketS) {
			return nil, fmt.Errorf("timeseries.csv:%d: more than the %g buckets of %gs in %gs: the file is corrupt or was edited", line, math.Ceil(endS/bucketS), bucketS, endS)
		}
		if !ok {
			if sparse(len(s.Times)+1, len(s.Keys), line) {
				return nil, fmt.Errorf("timeseries.csv:%d: %d buckets of %d metrics in %d rows is not a table of buckets by metrics", line, len(s.Times)+1, len(s.Keys), line-1)
			}
			b = len(s.Times)
			bucket[t] = b
			s.Times = append(s.Times, t)
			for k := range s.Values {
				s.Values[k] = append(s.Values[k], math.NaN())
			}
		}
		key := Key{rec[1], rec[2]}
		k, ok := s.index[key]
		if !ok {
			if sparse(len(s.Times), len(s.Keys)+1, line) {
				return nil, fmt.Errorf("timeseries.csv:%d: %d buckets of %d metrics in %d rows is not a table of buckets by metrics", line, len(s.Times), len(s.Keys)+1, line-1)
			}
			k = len(s.Keys)
			s.index[key] = k
			s.Keys = append(s.Keys, key)
			col := make([]float64, len(s.Times))
			for i := range col {
				col[i] = math.NaN()
			}
			s.Values = append(s.Values, col)
		}
		s.Values[k][b] = v
	}
	return s, nil
}

// sparse reports whether a table of buckets by keys would hold far more
// cells than the rows read so far fill: a file whose times or names are
// mostly distinct is not a series, and reading it as one would take memory
// quadratic in its size. Written series leave out only NaN values.
func sparse(buckets, keys, rows int) bool {
	return buckets*keys > 16*rows+1<<20
}
