package archdoc_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every file, folder and Go identifier that docs/architecture.md names in
// backquotes exists: a recipe that sends a reader to a function renamed
// since fails here.
func TestRecipesNameRealCode(t *testing.T) {
	page, err := os.ReadFile(filepath.Join(root, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	code := goSource(t)
	ident := regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$`)
	for _, m := range regexp.MustCompile("`([^`\n]+)`").FindAllStringSubmatch(string(page), -1) {
		tok := m[1]
		switch {
		case strings.Contains(tok, "/") && !strings.ContainsAny(tok, " =.") || strings.HasSuffix(tok, ".go") && strings.Contains(tok, "/") || strings.HasSuffix(tok, ".md"):
			path := strings.TrimSuffix(tok, "/")
			if _, err := os.Stat(filepath.Join(root, path)); err != nil && !strings.HasPrefix(path, "docs/scenarios/NAME") && !strings.HasPrefix(path, "scenarios/NAME") {
				t.Errorf("docs/architecture.md names %s, which does not exist", tok)
			}
		case ident.MatchString(tok):
			if !regexp.MustCompile(`\b` + regexp.QuoteMeta(lastPart(tok)) + `\b`).MatchString(code) {
				t.Errorf("docs/architecture.md names %s, which no Go file declares or uses", tok)
			}
		}
	}
}

func lastPart(s string) string { return s[strings.LastIndexByte(s, '.')+1:] }

// goSource is the text of every Go file of the module.
func goSource(t *testing.T) string {
	var b strings.Builder
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != root {
			return filepath.SkipDir
		}
		if strings.HasSuffix(p, ".go") {
			src, err := os.ReadFile(p)
			b.Write(src)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
