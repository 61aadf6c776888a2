package human

import (
	"fmt"
	"strings"
)

// Names lists names for a reader: all of them when they are few, else the
// first three and how many more ("pods-1, pods-2, pods-3 and 9997 more"),
// so that a fault on a fleet of ten thousand fits on a line.
func Names(names []string) string {
	const few = 6
	if len(names) <= few {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:3], ", "), len(names)-3)
}
