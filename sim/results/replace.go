package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// ManifestFile, in a folder ReplaceDir wrote, lists the files it wrote and
// the source they came from (for a run, its scenario file): the next
// replacement drops exactly those, keeps any other file, and can say when
// it replaces the results of another source.
const ManifestFile = ".failsim-run"

// manifest is ManifestFile.
type manifest struct {
	Source string   `json:"source"`
	Files  []string `json:"files"`
}

// ReplaceDir makes dir hold files, by name, as one unit: every file is
// written and synced into a temporary folder beside dir, which then takes
// dir's place in one rename (an exchange, on Linux, when dir exists). A
// reader, a crash or a kill sees the previous folder untouched or the new
// one complete, never a mix of two runs. The files an earlier ReplaceDir
// wrote there go with the old folder; anything else in dir (a scenario, a
// profile, notes) is kept, as a hard link into the new folder. source names
// where the files came from (see PreviousSource). dir must pass
// CheckReplaceable.
func ReplaceDir(dir string, files map[string][]byte, source string) error {
	if err := checkLocal(dir, files); err != nil {
		return err
	}
	if _, ok := files[ManifestFile]; ok {
		return fmt.Errorf("%s is written by ReplaceDir itself", ManifestFile)
	}
	if err := CheckReplaceable(dir); err != nil {
		return err
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+base+".tmp-")
	if err != nil {
		return err
	}
	if !pending.add(tmp) {
		os.RemoveAll(tmp)
		return errAbandoned
	}
	defer func() {
		os.RemoveAll(tmp) // the new folder if it was not moved, the old one if it was exchanged
		pending.remove(tmp)
	}()
	names := slices.Sorted(maps.Keys(files))
	man, err := json.MarshalIndent(manifest{Source: source, Files: names}, "", "  ")
	if err != nil {
		return err
	}
	files = maps.Clone(files)
	files[ManifestFile] = append(man, '\n')
	for _, name := range slices.Sorted(maps.Keys(files)) {
		p := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := writeSynced(p, files[name]); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	staged(tmp)
	return pending.commit(func() error {
		if err := keepOthers(dir, tmp, files); err != nil {
			return err
		}
		if err := syncDir(tmp); err != nil {
			return err
		}
		if err := swapInto(tmp, dir); err != nil {
			return err
		}
		return syncDir(parent)
	})
}

// keepOthers links into tmp every entry of dir that is not one of the
// files an earlier ReplaceDir wrote there (or, with no manifest, one a run
// writes) and that files does not replace.
func keepOthers(dir, tmp string, files map[string][]byte) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	prev, hasManifest := readManifest(dir)
	for _, e := range entries {
		name := e.Name()
		if _, replaced := files[name]; replaced || name == ManifestFile || isTemp(name) {
			continue
		}
		if hasManifest && slices.Contains(prev.Files, name) || !hasManifest && runFile(name) {
			continue
		}
		if e.IsDir() {
			return fmt.Errorf("%s holds the folder %s: a run replaces its folder whole, so write it into a folder of its own (--out)", dir, name)
		}
		if err := os.Link(filepath.Join(dir, name), filepath.Join(tmp, name)); err != nil {
			return fmt.Errorf("keeping %s, which is not a file of the run: %w", filepath.Join(dir, name), err)
		}
	}
	return nil
}

// PreviousSource is the source of the files an earlier ReplaceDir wrote
// into dir, "" when it wrote none or did not say.
func PreviousSource(dir string) string {
	m, _ := readManifest(dir)
	return m.Source
}

func readManifest(dir string) (manifest, bool) {
	var m manifest
	f, err := os.Open(filepath.Join(dir, ManifestFile))
	if err != nil {
		return m, false
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil || json.Unmarshal(b, &m) != nil {
		return manifest{}, false
	}
	return m, true
}

// staged is called once a replacement is written in full, before it is
// moved into place; tests interrupt it there.
var staged = func(tmp string) {}

// swapInto moves the folder tmp to dir. When dir exists the two trade
// places, so that tmp then holds the old folder, for the caller to remove.
func swapInto(tmp, dir string) error {
	err := os.Rename(tmp, dir)
	if err == nil || !isNotEmpty(err) {
		return err
	}
	if err := exchange(tmp, dir); !errors.Is(err, errNoExchange) {
		return err
	}
	// No atomic exchange here: move the old folder aside first. A crash
	// between the two renames leaves it beside dir, whole.
	old, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".old-")
	if err != nil {
		return err
	}
	if err := os.Remove(old); err != nil {
		return err
	}
	if err := os.Rename(dir, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.Rename(old, dir) // put it back
		return err
	}
	return os.Rename(old, tmp) // for the caller to remove
}

func isNotEmpty(err error) bool {
	var le *os.LinkError
	return errors.As(err, &le) && (errors.Is(le.Err, fs.ErrExist) || strings.Contains(le.Err.Error(), "not empty") || strings.Contains(le.Err.Error(), "exists"))
}

// CheckReplaceable says whether ReplaceDir may replace dir: it does not
// exist, or it is a folder without folders in it. A folder of other
// folders (out/, which holds every scenario's runs) is refused rather than
// replaced.
func CheckReplaceable(dir string) error {
	if abs, err := filepath.Abs(dir); err == nil {
		if wd, err := os.Getwd(); err == nil && (abs == wd || strings.HasPrefix(wd, abs+string(filepath.Separator)) || abs == filepath.Dir(abs)) {
			return fmt.Errorf("%s is the folder you are in, or holds it: a run replaces its folder whole, so write it into a folder of its own (--out)", dir)
		}
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("%s: %w", dir, err)
	}
	for _, e := range entries {
		if e.IsDir() && !isTemp(e.Name()) {
			return fmt.Errorf("%s holds the folder %s: a run replaces its folder whole, so write it into a folder of its own (--out)", dir, e.Name())
		}
	}
	return nil
}

// runFile says whether a run (its results, plots and report) writes a file
// of that name.
func runFile(name string) bool {
	switch name {
	case SummaryFile, TimeseriesFile, "report.html", "scenario.toml":
		return true
	}
	ext := filepath.Ext(name)
	return ext == ".png" || ext == ".svg"
}

// isTemp says whether name is a temporary file or folder that a write
// left, interrupted.
func isTemp(name string) bool {
	return strings.HasPrefix(name, ".") && (filepath.Ext(name) == ".tmp" || strings.Contains(name, ".tmp-") || strings.Contains(name, ".old-"))
}

// writeSynced writes data to a new file at path and syncs it.
func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes a folder's entries durable; where folders cannot be
// synced it does nothing.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) && !strings.Contains(err.Error(), "invalid argument") {
		return err
	}
	return nil
}

// pending holds the temporary files and folders of writes in progress,
// so that a process that must stop at once can remove them (Abandon).
var pending = &pendingWrites{paths: map[string]bool{}}

type pendingWrites struct {
	mu        sync.Mutex
	paths     map[string]bool
	abandoned bool
}

var errAbandoned = errors.New("the write was abandoned: the process is stopping")

// add registers a temporary path; false once writes are abandoned.
func (p *pendingWrites) add(path string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.abandoned {
		return false
	}
	p.paths[path] = true
	return true
}

func (p *pendingWrites) remove(path string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.paths, path)
}

// commit moves a write into place, unless writes were abandoned: Abandon
// waits for a commit in progress, so a write is either all in place or not
// at all.
func (p *pendingWrites) commit(move func() error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.abandoned {
		return errAbandoned
	}
	return move()
}

// Abandon removes the temporary files and folders of every write not yet
// moved into place, and makes those still in progress fail rather than
// move theirs. A process that must stop at once (Ctrl-C while it loads or
// writes, or a second Ctrl-C) calls it just before it exits: every output
// folder then holds its previous contents or a complete new write.
func Abandon() {
	p := pending
	p.mu.Lock()
	defer p.mu.Unlock()
	p.abandoned = true
	for path := range p.paths {
		os.RemoveAll(path)
	}
}

// errNoExchange says the system cannot swap two paths in one step.
var errNoExchange = errors.New("no atomic exchange")
