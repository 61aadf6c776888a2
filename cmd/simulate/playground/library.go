package playground

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/scenariofile"
)

// Library is the folder of scenarios the page offers: the shipped ones
// (embedded in the binary) or a folder given to `simulate serve`. Nothing
// outside it is read: names are looked up in its listing, never joined to
// a path.
type Library struct {
	fsys    fs.FS
	prefix  string // what file names start with in messages: "scenarios/"
	entries []Entry
}

// Entry is one scenario of the library.
type Entry struct {
	Name        string   `json:"name"` // its path without .toml: "retry-storm", "validation/mm1"
	Path        string   `json:"-"`
	Section     string   `json:"section"` // its folder, "" at the top
	Description string   `json:"description"`
	Variants    []string `json:"variants"`
	Problem     string   `json:"problem,omitempty"` // why it does not load, when it does not
}

// NewLibrary lists every .toml file of fsys, the top level first, then each
// folder's, each in name order. prefix is how file names start in messages
// (the shipped scenarios are "scenarios/NAME.toml", as the command line
// names them); a nil fsys is an empty library. A file that does not load is listed with its problem, to be
// fixed in the editor.
func NewLibrary(fsys fs.FS, prefix string) (*Library, error) {
	l := &Library{fsys: fsys, prefix: prefix}
	if fsys == nil {
		return l, nil
	}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".toml") {
			return nil
		}
		e := Entry{Name: strings.TrimSuffix(p, ".toml"), Path: p}
		if dir := path.Dir(p); dir != "." {
			e.Section = dir
		}
		text, err := l.Text(e)
		if err == nil {
			var sc *topology.Scenario
			if sc, err = scenariofile.ParseFS(l.Dir(e), prefix+p, text, ""); err == nil {
				e.Description, e.Variants = sc.Description, sc.Variants
			}
		}
		if err != nil {
			e.Problem = firstLine(err.Error())
		}
		l.entries = append(l.entries, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(l.entries, func(a, b Entry) int {
		switch {
		case a.Section == b.Section:
			return strings.Compare(a.Name, b.Name)
		case a.Section == "":
			return -1
		case b.Section == "":
			return 1
		}
		return strings.Compare(a.Section, b.Section)
	})
	return l, nil
}

// Entries lists the library.
func (l *Library) Entries() []Entry { return l.entries }

// Names lists the names of the library's scenarios.
func (l *Library) Names() []string {
	var names []string
	for _, e := range l.entries {
		names = append(names, e.Name)
	}
	return names
}

// Lookup finds a scenario by name.
func (l *Library) Lookup(name string) (Entry, bool) {
	i := slices.IndexFunc(l.entries, func(e Entry) bool { return e.Name == name })
	if i < 0 {
		return Entry{}, false
	}
	return l.entries[i], true
}

// Text reads a scenario's text, refusing one over MaxText.
func (l *Library) Text(e Entry) ([]byte, error) {
	f, err := l.fsys.Open(e.Path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > MaxText {
		return nil, fmt.Errorf("%s%s is %d KB, more than the playground's limit of %d KB", l.prefix, e.Path, st.Size()>>10, MaxText>>10)
	}
	return fs.ReadFile(l.fsys, e.Path)
}

// Dir is the folder a scenario's imports are read from.
func (l *Library) Dir(e Entry) fs.FS {
	sub, err := fs.Sub(l.fsys, path.Dir(e.Path))
	if err != nil {
		return nil // path.Dir of a listed path is always valid
	}
	return sub
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
