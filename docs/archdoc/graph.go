package archdoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// Load lists the module's packages as `go list` reports them, run in dir
// (any folder of the module): the imports of their non-test files, in the
// module and outside it. It needs the go command.
func Load(dir string) ([]Package, error) {
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports", "./...")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v: %s", err, stderr.Bytes())
	}
	std, err := standard(dir)
	if err != nil {
		return nil, err
	}
	var graph []Package
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return graph, nil
		} else if err != nil {
			return nil, err
		}
		pkg := Package{Path: relative(p.ImportPath)}
		for _, imp := range p.Imports {
			switch {
			case strings.HasPrefix(imp, Module+"/"):
				pkg.Imports = append(pkg.Imports, relative(imp))
			case !std[imp]:
				pkg.External = append(pkg.External, imp)
			}
		}
		graph = append(graph, pkg)
	}
}

// Deps lists what pkg links, transitively, as `go list -deps` reports it:
// module packages relative, others in full, the standard library left out.
func Deps(dir, pkg string) ([]string, error) {
	cmd := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./"+pkg)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -deps %s: %v", pkg, err)
	}
	var deps []string
	for _, line := range strings.Fields(string(out)) {
		if p := relative(line); p != relative(Module+"/"+pkg) {
			deps = append(deps, p)
		}
	}
	return deps, nil
}

func relative(path string) string { return strings.TrimPrefix(path, Module+"/") }

// standard is the set of the standard library's packages.
func standard(dir string) (map[string]bool, error) {
	cmd := exec.Command("go", "list", "std")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list std: %v", err)
	}
	std := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		std[p] = true
	}
	return std, nil
}
