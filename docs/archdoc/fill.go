package archdoc

import (
	"bytes"
	"fmt"
)

// Fill replaces the generated section name of page with text.
func Fill(page []byte, name, text string) ([]byte, error) {
	begin := []byte("<!-- BEGIN GENERATED " + name + ": go test ./docs/archdoc -update rewrites this -->\n")
	end := []byte("<!-- END GENERATED " + name + " -->")
	i := bytes.Index(page, begin)
	j := bytes.Index(page, end)
	if i < 0 || j < i {
		return nil, fmt.Errorf("no section %q: write %q and %q around it", name, begin, end)
	}
	var out bytes.Buffer
	out.Write(page[:i+len(begin)])
	out.WriteString(text)
	out.Write(page[j:])
	return out.Bytes(), nil
}
