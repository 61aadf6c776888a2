package scenarios

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
	"github.com/failsim/failsim/topology/scenariofile"
)

// Entry is one shipped scenario as the catalogue lists it.
type Entry struct {
	Name        string   // how to run it by name: "retry-storm", "validation/mm1"
	Path        string   // its path below scenarios/: "retry-storm.toml"
	Section     string   // "" for the teaching library, else its folder: "validation", "perf"
	Description string   // the file's description
	Variants    []string // sorted
}

// Sections are the folders of the catalogue in the order it lists them,
// with what each holds. The top level, the library of failures that each
// have a docs page, comes first.
var Sections = []struct{ Name, Title string }{
	{"", "Failures and their fixes (docs/scenarios/NAME.md explains each)"},
	{"validation", "Checked against queueing theory by 'simulate validate'"},
	{"perf", "Performance"},
}

// List returns every shipped scenario, the top level first, then each
// section's, each group in name order. A file that does not parse is an
// error: the tests keep that from shipping.
func List() ([]Entry, error) {
	var out []Entry
	for _, sec := range Sections {
		dir := sec.Name
		if dir == "" {
			dir = "."
		}
		files, err := fs.Glob(FS, path.Join(dir, "*.toml"))
		if err != nil {
			return nil, err
		}
		for _, p := range files { // Glob returns them sorted
			src, err := FS.ReadFile(p)
			if err != nil {
				return nil, err
			}
			sc, err := scenariofile.ParseFS(Dir(p), "scenarios/"+p, src, "")
			if err != nil {
				return nil, err
			}
			out = append(out, Entry{
				Name:        strings.TrimSuffix(p, ".toml"),
				Path:        p,
				Section:     sec.Name,
				Description: sc.Description,
				Variants:    sc.Variants,
			})
		}
	}
	return out, nil
}

// Names lists the names of every shipped scenario, for suggestions.
func Names() []string {
	var names []string
	for _, sec := range Sections {
		dir := sec.Name
		if dir == "" {
			dir = "."
		}
		files, _ := fs.Glob(FS, path.Join(dir, "*.toml"))
		for _, p := range files {
			names = append(names, strings.TrimSuffix(p, ".toml"))
		}
	}
	return names
}

// Lookup returns the text of the shipped scenario called name. It accepts
// the name ("retry-storm", "validation/mm1"), with or without ".toml", and
// the path in the repository ("scenarios/retry-storm.toml"). The second
// result is the path it is reported under in messages.
func Lookup(name string) (src []byte, file string, ok bool) {
	p := strings.TrimPrefix(path.Clean(strings.ReplaceAll(name, `\`, "/")), "scenarios/")
	if !strings.HasSuffix(p, ".toml") {
		p += ".toml"
	}
	src, err := FS.ReadFile(p)
	if err != nil {
		return nil, "", false
	}
	return src, "scenarios/" + p, true
}

// Parse loads the shipped scenario called name (as Lookup finds it) with
// its variant.
func Parse(name, variant string) (*topology.Scenario, error) {
	src, file, ok := Lookup(name)
	if !ok {
		return nil, fmt.Errorf("no shipped scenario %q", name)
	}
	return scenariofile.ParseFS(Dir(strings.TrimPrefix(file, "scenarios/")), file, src, variant)
}

// Dir is the directory of the shipped file p ("grpc-config.toml"), from
// which the files it imports are read.
func Dir(p string) fs.FS {
	sub, err := fs.Sub(FS, path.Dir(p))
	if err != nil {
		panic(err) // path.Dir of a clean path is always valid
	}
	return sub
}

// Read returns the scenario that a command-line argument names: a file on
// disk when there is one, else a shipped scenario of that name, with the
// directory its imports are read from (scenariofile.ParseFS). When neither
// exists the error is a scenariofile.Errors, reported as a bad scenario is,
// with a suggestion among the shipped names.
func Read(arg string) (file string, src []byte, dir fs.FS, err error) {
	src, err = scenariofile.ReadScenario(arg)
	if err == nil {
		return arg, src, scenariofile.DirFS(filepath.Dir(arg)), nil
	}
	if src, file, ok := Lookup(arg); ok {
		return file, src, Dir(strings.TrimPrefix(file, "scenarios/")), nil
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path is already in the message
	}
	msg := "cannot read the scenario: " + err.Error()
	if !errors.Is(err, fs.ErrNotExist) {
		return "", nil, nil, scenariofile.Errors{{Pos: topology.Pos{File: arg}, Msg: msg}}
	}
	name := strings.TrimSuffix(strings.TrimPrefix(arg, "scenarios/"), ".toml")
	if hint := human.DidYouMean(name, Names()); hint != "" {
		msg += ", and no shipped scenario has that name" + hint
	} else {
		msg += ", and no shipped scenario has that name ('simulate scenarios' lists them)"
	}
	return "", nil, nil, scenariofile.Errors{{Pos: topology.Pos{File: arg}, Msg: msg}}
}
