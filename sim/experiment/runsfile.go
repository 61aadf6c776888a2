package experiment

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/failsim/failsim/sim/results"
)

// Shard is one part of a sweep's run list: the runs whose index % Count ==
// Index. Count 0 is the whole list.
type Shard struct {
	Index, Count int
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
func createRuns(path string, h results.Header) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	line, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(line, '\n'), 0o644)
}
