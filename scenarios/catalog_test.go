package scenarios

import (
	"strings"
	"testing"

	"github.com/failsim/failsim/topology/scenariofile"
)

func TestLookupAcceptsNamesAndPaths(t *testing.T) {
	for _, tc := range []struct {
		arg, want string // want: the file reported, "" when not found
	}{
		{"retry-storm", "scenarios/retry-storm.toml"},
		{"retry-storm.toml", "scenarios/retry-storm.toml"},
		{"scenarios/retry-storm.toml", "scenarios/retry-storm.toml"},
		{"validation/mm1", "scenarios/validation/mm1.toml"},
		{"./retry-storm", "scenarios/retry-storm.toml"},
		{"retry-strom", ""},
		{"../go.mod", ""},
		{"embed.go", ""},
	} {
		_, file, ok := Lookup(tc.arg)
		if file != tc.want || ok != (tc.want != "") {
			t.Errorf("Lookup(%q) = %q, %v; want %q", tc.arg, file, ok, tc.want)
		}
	}
}

// Every shipped file parses, has a description and belongs to a section.
func TestListParsesEveryFile(t *testing.T) {
	entries, err := List()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(Names()) {
		t.Fatalf("List has %d entries, Names %d", len(entries), len(Names()))
	}
	for _, e := range entries {
		if e.Description == "" {
			t.Errorf("%s has no description", e.Path)
		}
		if e.Section != "" && !strings.HasPrefix(e.Name, e.Section+"/") {
			t.Errorf("%s is in section %q", e.Name, e.Section)
		}
	}
}

func TestReadSuggestsAShippedName(t *testing.T) {
	_, _, _, err := Read("thundering-hed")
	if err == nil || !strings.Contains(err.Error(), `did you mean "thundering-herd"?`) {
		t.Errorf("Read of a typo: %v", err)
	}
	file, src, _, err := Read("catalog.go") // a file on disk wins
	if err != nil || file != "catalog.go" || !strings.HasPrefix(string(src), "package scenarios") {
		t.Errorf("Read(catalog.go) = %q, %v", file, err)
	}
}

// A shipped scenario read by name finds the files it imports in the
// binary, wherever it runs from.
func TestReadByNameFindsImports(t *testing.T) {
	file, src, dir, err := Read("grpc-config")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := scenariofile.ParseFS(dir, file, src, "throttled"); err != nil {
		t.Error(err)
	}
}

// Lookup never panics, and finds only files of the embedded set.
func FuzzLookup(f *testing.F) {
	for _, s := range []string{"retry-storm", "validation/mm1.toml", "../x", `a\b`, "", "/", "scenarios/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		src, file, ok := Lookup(name)
		if ok && (len(src) == 0 || !strings.HasPrefix(file, "scenarios/") || !strings.HasSuffix(file, ".toml")) {
			t.Fatalf("Lookup(%q) = %d bytes from %q", name, len(src), file)
		}
	})
}
