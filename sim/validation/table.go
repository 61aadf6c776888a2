package validation

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

// Markdown writes the rows as the table of docs/validation.md.
func Markdown(w io.Writer, rows []Row) {
	fmt.Fprintln(w, "| model | quantity | closed form | theory | simulated, 95% CI | error | tolerance | theory in CI | verdict |")
	fmt.Fprintln(w, "|---|---|---|---:|---:|---:|---:|:-:|:-:|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(r.cells(), " | "))
	}
}

// Text writes the rows as an aligned table for a terminal.
func Text(w io.Writer, rows []Row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "model\tquantity\tclosed form\ttheory\tsimulated, 95% CI\terror\ttolerance\tin CI\tverdict")
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r.cells(), "\t"))
	}
	tw.Flush()
}

func (r *Row) cells() []string {
	verdict, covered := "ok", "yes"
	if !r.Pass {
		verdict = "FAIL"
	}
	if !r.Covered() {
		covered = "no"
	}
	sim := r.Unit.format(r.Simulated.Mean)
	if hw := r.Simulated.HalfWidth(); !math.IsNaN(hw) {
		sim += " ± " + r.Unit.amount(hw)
	}
	tol := "±" + r.Unit.amount(r.Tolerance)
	switch {
	case r.Tolerance == 0:
		tol = "exact"
	case r.Relative:
		tol = fmt.Sprintf("±%g%%", 100*r.Tolerance)
	}
	return []string{r.Model, r.Quantity, r.Formula, r.Unit.format(r.Theory), sim,
		fmt.Sprintf("%+.2f%%", 100*r.Error()), tol, covered, verdict}
}

// format prints a value with its unit.
func (u Unit) format(v float64) string {
	switch u {
	case Seconds:
		return fmt.Sprintf("%.3f ms", 1e3*v)
	case Fraction:
		return fmt.Sprintf("%.2f%%", 100*v)
	case PerSecond:
		return fmt.Sprintf("%.1f/s", v)
	default:
		return fmt.Sprintf("%.3f×", v)
	}
}

// amount prints a difference of values: a half-width or a tolerance.
func (u Unit) amount(v float64) string {
	switch u {
	case Seconds:
		return fmt.Sprintf("%.3f ms", 1e3*v)
	case Fraction:
		return fmt.Sprintf("%.2f pp", 100*v)
	case PerSecond:
		return fmt.Sprintf("%.1f/s", v)
	default:
		return fmt.Sprintf("%.3f", v)
	}
}
