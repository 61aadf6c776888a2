package main

import (
	"fmt"
	"path/filepath"
	"strings"
)

// outRoot is where commands write when --out is not given.
const outRoot = "out"

// defaultOut is the folder out/PART/PART...: each part is a name that comes
// from a scenario (its name, a variant's) or a fixed word, and must be one
// folder inside the last, so that no scenario can lead a write out of the
// output folder. The loader already holds names to the rule of component
// names; this is the check at the point of writing.
func defaultOut(parts ...string) (string, error) {
	for _, p := range parts {
		if p == "" || p == "." || p == ".." || strings.ContainsAny(p, `/\`) || !filepath.IsLocal(p) {
			return "", fmt.Errorf("cannot write into %s: %q is not a folder name (the output stays inside %s/)",
				filepath.Join(append([]string{outRoot}, parts...)...), p, outRoot)
		}
	}
	return filepath.Join(append([]string{outRoot}, parts...)...), nil
}
