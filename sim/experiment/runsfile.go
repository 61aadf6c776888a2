package experiment

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Shard is one part of a sweep's run list: the runs whose index % Count ==
// Index. Count 0 is the whole list.
type Shard struct {
	Index, Count int
}

// ParseShard reads --shard I/N, or /N with I taken from the environment:
// JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID (a
// Slurm job array). getenv is os.Getenv outside tests.
func ParseShard(spec string, getenv func(string) string) (Shard, error) {
	bad := func(format string, args ...any) (Shard, error) {
		return Shard{}, InputError(fmt.Sprintf("--shard %s: ", spec) + fmt.Sprintf(format, args...))
	}
	is, ns, ok := strings.Cut(spec, "/")
	n, err := strconv.Atoi(ns)
	if !ok || err != nil || n < 1 {
		return bad("want I/N with N at least 1, e.g. 0/3, or /N to read I from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID")
	}
	from := "--shard"
	if is == "" {
		for _, name := range []string{"JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"} {
			if v := getenv(name); v != "" {
				is, from = v, name
				break
			}
		}
		if is == "" {
			return bad("no shard index: neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set")
		}
	}
	i, err := strconv.Atoi(is)
	if err != nil || i < 0 || i >= n {
		return bad("shard index %q (from %s) must be a number from 0 to %d", is, from, n-1)
	}
	return Shard{Index: i, Count: n}, nil
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Has reports whether run i belongs to the shard.
func (s Shard) Has(i int) bool { return s.Count == 0 || i%s.Count == s.Index }

// RunsFile names the runs file of a shard: runs.jsonl for a whole sweep,
// runs-2-of-3.jsonl for the third of three shards (shards numbered from 0,
// so that they can share a directory).
func RunsFile(s Shard) string {
	if s.Count == 0 {
		return "runs.jsonl"
	}
	return fmt.Sprintf("runs-%d-of-%d.jsonl", s.Index, s.Count)
}

// createRuns starts a runs file with its header.
func createRuns(path string, h Header) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	line, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(line, '\n'), 0o644)
}

// runsFile is a runs file as read.
type runsFile struct {
	header  *Header // nil when the file is empty or its first line is partial
	records []lineRecord
	partial bool  // the last line has no newline: cut off in a crash
	size    int64 // bytes up to the end of the last whole line
}

type lineRecord struct {
	Record
	line int
}

// readRuns reads a runs file. A last line without its newline is reported
// as partial, not as an error: appending was interrupted.
func readRuns(path string) (*runsFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rf := &runsFile{}
	r := bufio.NewReader(f)
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			rf.partial = len(line) > 0
			return rf, nil
		}
		if err != nil {
			return nil, err
		}
		rf.size += int64(len(line))
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if n == 1 {
			var h Header
			if err := dec.Decode(&h); err != nil || h.Format == 0 {
				return nil, InputError(fmt.Sprintf("%s:1: not a runs file written by simulate sweep", path))
			}
			if h.Format != FormatVersion {
				return nil, InputError(fmt.Sprintf("%s: runs file format %d; this simulate reads format %d", path, h.Format, FormatVersion))
			}
			rf.header = &h
			continue
		}
		var rec Record
		if err := dec.Decode(&rec); err != nil {
			return nil, InputError(fmt.Sprintf("%s:%d: not a run: %v", path, n, err))
		}
		rf.records = append(rf.records, lineRecord{Record: rec, line: n})
	}
}
