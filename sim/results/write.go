package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Run is everything one run produces.
type Run struct {
	Summary Summary
	Series  *Series
}

// File names inside an output directory.
const (
	SummaryFile    = "summary.json"
	TimeseriesFile = "timeseries.csv"
)

// Write writes summary.json and timeseries.csv into dir, creating it. Each
// file appears whole or not at all: it is written to a temporary file in dir
// and renamed into place.
func (r *Run) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	sum, err := json.MarshalIndent(r.Summary, "", "  ")
	if err != nil {
		return err
	}
	if err := WriteFileAtomic(filepath.Join(dir, SummaryFile), append(sum, '\n')); err != nil {
		return err
	}
	var csv bytes.Buffer
	if err := r.Series.WriteCSV(&csv); err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, TimeseriesFile), csv.Bytes())
}

// Read loads a run written by Write.
func Read(dir string) (*Run, error) {
	b, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	if err != nil {
		return nil, err
	}
	var r Run
	if err := json.Unmarshal(b, &r.Summary); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, SummaryFile), err)
	}
	f, err := os.Open(filepath.Join(dir, TimeseriesFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r.Series, err = ReadCSV(f, r.Summary.BucketSeconds, r.Summary.SimSeconds)
	return &r, err
}

// WriteFileAtomic replaces path with data so that a reader, or a crash,
// sees either the old file or the whole new one.
func WriteFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
