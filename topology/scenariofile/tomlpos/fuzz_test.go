package tomlpos

import "testing"

// FuzzScan checks that Scan survives any input, returns positions inside it,
// and finds every key and element that BurntSushi/toml decodes from it.
// Every key can be expressed as a path; checkDecoded skips only paths longer
// than Scan records (maxPath) and documents with empty keys, whose decoded
// tree BurntSushi/toml v1.6.0 can get wrong.
func FuzzScan(f *testing.F) {
	for _, tt := range scanTests {
		f.Add([]byte(tt.src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		got := Scan(src)
		lines := splitLines(src)
		for path, e := range got {
			for _, p := range []Pos{e.Key, e.Value} {
				// A value may be missing, leaving its position at the end of a line.
				if p.Line < 1 || p.Line > len(lines) || p.Col < 1 || p.Col > len(lines[p.Line-1])+1 {
					t.Fatalf("%s: position %v is outside the source", path, p)
				}
			}
		}
		checkDecoded(t, src, got)
	})
}
