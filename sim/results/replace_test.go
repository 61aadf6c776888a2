package results

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A run's folder is replaced whole: whatever happens, it holds the
// previous run untouched or the new one complete, never files of both.
func TestReplaceDirReplacesAFolderWhole(t *testing.T) {
	older := map[string][]byte{"summary.json": []byte("old"), "timeseries.csv": []byte("old"), "report.html": []byte("old"), "latency.png": []byte("old")}
	newer := map[string][]byte{"summary.json": []byte("new"), "timeseries.csv": []byte("new")}
	for _, tc := range []struct {
		name    string
		before  func(t *testing.T, dir string) // after the old run is written
		files   map[string][]byte
		during  func(tmp string) // once the new run is written in full, before it moves
		wantErr string
		want    map[string]string // the folder afterwards; "" for absent
	}{
		{name: "the new run's files, not the old plots", files: newer,
			want: map[string]string{"summary.json": "new", "timeseries.csv": "new", "report.html": "", "latency.png": ""}},
		{name: "the user's own files are kept", files: newer,
			before: func(t *testing.T, dir string) { write(t, dir, "notes.txt", "mine"); write(t, dir, "cpu.prof", "prof") },
			want:   map[string]string{"summary.json": "new", "notes.txt": "mine", "cpu.prof": "prof", "report.html": ""}},
		{name: "a write that fails half-way changes nothing", files: map[string][]byte{"summary.json": []byte("new"), "z\x00.png": nil},
			wantErr: "invalid argument", want: map[string]string{"summary.json": "old", "report.html": "old", "latency.png": "old"}},
		{name: "a folder where a file goes changes nothing", files: newer,
			before: func(t *testing.T, dir string) {
				os.Remove(filepath.Join(dir, "timeseries.csv"))
				os.Mkdir(filepath.Join(dir, "timeseries.csv"), 0o755)
			},
			wantErr: "holds the folder timeseries.csv", want: map[string]string{"summary.json": "old", "report.html": "old"}},
		{name: "abandoned before it moves, it changes nothing", files: newer, during: func(string) { Abandon() },
			wantErr: "abandoned", want: map[string]string{"summary.json": "old", "report.html": "old", "latency.png": "old"}},
		{name: "a path out of the folder is refused", files: map[string][]byte{"../x": nil},
			wantErr: "is not a path inside", want: map[string]string{"summary.json": "old"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func(p *pendingWrites, s func(string)) { pending, staged = p, s }(pending, staged)
			pending = &pendingWrites{paths: map[string]bool{}}
			parent := t.TempDir()
			dir := filepath.Join(parent, "run")
			if err := ReplaceDir(dir, older, "old.toml"); err != nil {
				t.Fatal(err)
			}
			if tc.before != nil {
				tc.before(t, dir)
			}
			if tc.during != nil {
				staged = tc.during
			}
			err := ReplaceDir(dir, tc.files, "new.toml")
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("got %v, want %q", err, tc.wantErr)
			}
			for name, want := range tc.want {
				b, err := os.ReadFile(filepath.Join(dir, name))
				if got := string(b); got != want || want == "" && !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s holds %q (%v), want %q", name, got, err, want)
				}
			}
			if entries, _ := os.ReadDir(parent); len(entries) != 1 {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("beside the folder: %v, want nothing left over", names)
			}
			wantSource := "new.toml"
			if tc.wantErr != "" {
				wantSource = "old.toml"
			}
			if got := PreviousSource(dir); got != wantSource {
				t.Errorf("the folder's source is %q, want %q", got, wantSource)
			}
		})
	}
}

// A folder that holds folders (out/, with every scenario's runs) is not a
// run's folder, and is not replaced.
func TestReplaceDirRefusesAFolderOfFolders(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "retry-storm"), 0o755)
	err := ReplaceDir(dir, map[string][]byte{"summary.json": nil}, "")
	if err == nil || !strings.Contains(err.Error(), "holds the folder retry-storm") {
		t.Fatalf("got %v", err)
	}
	if entries, _ := os.ReadDir(dir); !slices.ContainsFunc(entries, func(e os.DirEntry) bool { return e.Name() == "retry-storm" }) || len(entries) != 1 {
		t.Fatalf("the folder changed: %v", entries)
	}
}

// The folder one works in, or one that holds it, is not replaced: the
// shell would be left in a deleted folder.
func TestReplaceDirRefusesTheWorkingFolder(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, d := range []string{".", dir, filepath.Dir(dir), "/"} {
		err := ReplaceDir(d, map[string][]byte{"summary.json": nil}, "")
		if err == nil || !strings.Contains(err.Error(), "is the folder you are in, or holds it") {
			t.Errorf("%s: got %v", d, err)
		}
	}
}

func write(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
