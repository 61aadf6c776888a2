package check

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/failsim/failsim/topology/human"
)

// dur writes a limit as a scenario file would ("2s", "1m30s"), or "no
// limit".
func dur(d time.Duration) string {
	if d == forever {
		return "no limit"
	}
	return human.Duration(d)
}

// rate writes a rate per second with the precision a reader needs: "900
// queries/s", "77.4 calls/s".
func rate(x float64, unit string) string {
	switch {
	case x >= 100:
		return fmt.Sprintf("%.0f %s/s", x, unit)
	}
	return fmt.Sprintf("%.3g %s/s", x, unit)
}

func percent(x float64) string { return fmt.Sprintf("%.0f%%", 100*x) }

// num writes a count or a factor without needless decimals.
func num(x float64) string {
	if x == math.Trunc(x) {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.2g", x)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// and joins words as a sentence does: "a", "a and b", "a, b and c".
func and(words []string) string { return join(words, " and ") }

// or is and with "or".
func or(words []string) string { return join(words, " or ") }

func join(words []string, last string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + last + words[len(words)-1]
}

// possessive is "users'" or "api's".
func possessive(name string) string {
	if strings.HasSuffix(name, "s") {
		return name + "'"
	}
	return name + "'s"
}

// wrap breaks text into lines of at most width columns, each after indent.
func wrap(text, indent string, width int) string {
	var b strings.Builder
	n := 0
	for _, w := range strings.Fields(text) {
		switch {
		case n == 0:
			b.WriteString(indent)
			n = len(indent)
		case n+1+len(w) > width:
			b.WriteString("\n" + indent)
			n = len(indent)
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}
