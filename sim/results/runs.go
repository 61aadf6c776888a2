package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
)

// Runs is a runs file as read.
type Runs struct {
	Header  *Header // nil when the file is empty or its first line is partial
	Records []lineRecord
	Partial bool  // the last line has no newline: cut off in a crash
	Size    int64 // bytes up to the end of the last whole line
}

type lineRecord struct {
	Record
	Line int
}

// ReadRuns reads a runs file. A last line without its newline is reported
// as partial, not as an error: appending was interrupted.
func ReadRuns(path string) (*Runs, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rf := &Runs{}
	r := bufio.NewReader(f)
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			rf.Partial = len(line) > 0
			return rf, nil
		}
		if err != nil {
			return nil, err
		}
		rf.Size += int64(len(line))
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
			if points, ok := GridSize(h.Axes); !ok || h.Seeds < 1 || points > math.MaxInt/h.Seeds || h.Runs != points*h.Seeds {
				return nil, InputError(fmt.Sprintf("%s:1: the header's %d runs are not its grid's points times its %d seeds: the file is corrupt or was edited", path, h.Runs, h.Seeds))
			}
			rf.Header = &h
			continue
		}
		var rec Record
		if err := dec.Decode(&rec); err != nil {
			return nil, InputError(fmt.Sprintf("%s:%d: not a run: %v", path, n, err))
		}
		rf.Records = append(rf.Records, lineRecord{Record: rec, Line: n})
	}
}

// Header is the first line of a runs file: what the runs are of, so that
// resuming or merging files of another sweep, scenario text or build is
// refused.
type Header struct {
	Format   int    `json:"failsim_runs"`
	Engine   string `json:"engine"` // the build of simulate that ran them
	Scenario string `json:"scenario"`
	SHA256   string `json:"scenario_sha256"` // of the file's text
	Variant  string `json:"variant"`
	Axes     []Axis `json:"axes"`
	Seed     uint64 `json:"seed"` // the first seed
	Seeds    int    `json:"seeds"`
	Runs     int    `json:"runs"`
	Shard    string `json:"shard,omitempty"` // "i/n" for a shard's file
}

// Mismatch says how header o differs from h, "" when they describe the
// same sweep (shards aside).
func (h Header) Mismatch(o Header) string {
	a, b := h, o
	a.Shard, b.Shard = "", ""
	switch {
	case a.Format != b.Format:
		return fmt.Sprintf("format %d, not %d", b.Format, a.Format)
	case a.Engine != b.Engine:
		return fmt.Sprintf("made by another build of simulate (%s, not %s)", b.Engine, a.Engine)
	case a.SHA256 != b.SHA256:
		return fmt.Sprintf("of another scenario text (%s %.12s, not %s %.12s)", b.Scenario, b.SHA256, a.Scenario, a.SHA256)
	case a.Variant != b.Variant:
		return fmt.Sprintf("of variant %q, not %q", b.Variant, a.Variant)
	case a.Seed != b.Seed || a.Seeds != b.Seeds:
		return fmt.Sprintf("of %d seeds from %d, not %d from %d", b.Seeds, b.Seed, a.Seeds, a.Seed)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		return fmt.Sprintf("of other settings (%s, not %s)", axesString(b.Axes), axesString(a.Axes))
	}
	return ""
}

func axesString(axes []Axis) string {
	parts := make([]string, len(axes))
	for i, a := range axes {
		parts[i] = a.Key + "=" + strings.Join(a.Values, ",")
	}
	return strings.Join(parts, " ")
}

// Record is one finished run, a line of a runs file.
type Record struct {
	Run   int    `json:"run"`   // index in the run list
	Point int    `json:"point"` // grid point
	Seed  uint64 `json:"seed"`
	ID    string `json:"id"` // hash of the format, scenario text, variant, point's settings and seed
	Outcome
}
