package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Run is everything one run produces. ClientLatency, the latency of every
// logical request (microseconds, 3 significant digits), is kept in memory
// for those who merge runs exactly (sweeps, shards); Write does not write it.
type Run struct {
	Summary       Summary
	Series        *Series
	ClientLatency *hdrhistogram.Snapshot
	Fingerprint   string // hex hash of every event, when asked for; empty otherwise
}

// File names inside an output directory.
const (
	SummaryFile    = "summary.json"
	TimeseriesFile = "timeseries.csv"
)

// Write writes summary.json and timeseries.csv into dir, creating it. Both
// are written in full to temporary files before either is renamed into
// place, so an interrupted run leaves the previous pair or the new one, never
// half a file.
func (r *Run) Write(dir string) error {
	sum, csv, err := r.Encode()
	if err != nil {
		return err
	}
	return WriteDir(dir, map[string][]byte{SummaryFile: sum, TimeseriesFile: csv})
}

// Encode returns the bytes of summary.json and timeseries.csv.
func (r *Run) Encode() (summary, timeseries []byte, err error) {
	summary, err = json.MarshalIndent(r.Summary, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	var csv bytes.Buffer
	if err := r.Series.WriteCSV(&csv); err != nil {
		return nil, nil, err
	}
	return append(summary, '\n'), csv.Bytes(), nil
}

// Read loads a run written by Write.
func Read(dir string) (*Run, error) {
	b, err := readLimited(filepath.Join(dir, SummaryFile), maxSummarySize)
	if err != nil {
		return nil, err
	}
	r, err := decodeSummary(filepath.Join(dir, SummaryFile), b)
	if err != nil {
		return nil, err
	}
	f, err := openRegular(filepath.Join(dir, TimeseriesFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r.Series, err = ReadCSV(f, r.Summary.BucketSeconds, r.Summary.SimSeconds)
	return r, err
}

// openRegular opens the file at path if it is a regular file: a named pipe
// would block the open, a device never end.
func openRegular(path string) (*os.File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return os.Open(path)
}

// Decode reads a run back from the bytes of its summary.json and
// timeseries.csv, as Read does from its folder: what a run's plots are
// drawn from, so that they are the same bytes whenever they are drawn.
func Decode(summary, timeseries []byte) (*Run, error) {
	r, err := decodeSummary(SummaryFile, summary)
	if err != nil {
		return nil, err
	}
	r.Series, err = ReadCSV(bytes.NewReader(timeseries), r.Summary.BucketSeconds, r.Summary.SimSeconds)
	return r, err
}

func decodeSummary(name string, b []byte) (*Run, error) {
	var r Run
	if err := json.Unmarshal(b, &r.Summary); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := checkSummary(name, &r.Summary); err != nil {
		return nil, err
	}
	return &r, nil
}

// readLimited reads the regular file at path, refusing it past limit
// bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > limit {
		return nil, fmt.Errorf("%s is larger than %d MB: the file is corrupt or was edited", path, limit>>20)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d MB: the file is corrupt or was edited", path, limit>>20)
	}
	return b, nil
}

// WriteDir writes files, by name, into dir, creating it; every file is
// written in full before any is renamed into place.
func WriteDir(dir string, files map[string][]byte) error {
	if err := checkLocal(dir, files); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	paths := make(map[string][]byte, len(files))
	for name, b := range files {
		paths[filepath.Join(dir, name)] = b
	}
	return WriteFilesAtomic(paths)
}

// WriteFilesAtomic replaces each path with its data so that a reader, or a
// crash, sees either the old file or the whole new one. Every file is
// written and synced before the first is renamed into place.
func WriteFilesAtomic(files map[string][]byte) error {
	paths := slices.Sorted(maps.Keys(files))
	tmps := make([]string, 0, len(paths))
	defer func() {
		for _, t := range tmps {
			os.Remove(t) // no-op once renamed
		}
	}()
	for _, path := range paths {
		tmp, err := writeTemp(path, files[path])
		if tmp != "" {
			tmps = append(tmps, tmp)
			if !pending.add(tmp) {
				return errAbandoned
			}
			defer pending.remove(tmp)
		}
		if err != nil {
			return err
		}
	}
	return pending.commit(func() error {
		for i, path := range paths {
			if err := os.Rename(tmps[i], path); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeTemp writes data to a synced temporary file beside path.
func writeTemp(path string, data []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	return f.Name(), err
}

// checkLocal refuses a file name that would lead out of dir: every path
// written lies inside the folder it is written into.
func checkLocal(dir string, files map[string][]byte) error {
	for name := range files {
		if !filepath.IsLocal(name) {
			return fmt.Errorf("%q is not a path inside %s: nothing was written", name, dir)
		}
	}
	return nil
}
