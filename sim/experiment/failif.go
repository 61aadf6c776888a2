package experiment

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology/human"
)

// Condition is a --fail-if clause: METRIC OP EXPR, where OP is <, <=, > or
// >= and EXPR is arithmetic (+ - * / and parentheses) over numbers, numbers
// with a unit (2s, 150ms, 1%) and base, the metric's mean on the reference
// side. It holds, and the gate fails, when it is true of the mean of any
// other side: "p99 > 1.2*base", "success_rate < base - 1%".
type Condition struct {
	Text   string
	metric string
	op     string
	rhs    expr
}

// ParseCondition reads a condition over the given metrics. Mistakes come
// back as InputError saying where, with a did-you-mean for metric names.
func ParseCondition(text string, metrics []results.Metric) (*Condition, error) {
	bad := func(format string, args ...any) error {
		return results.InputError(fmt.Sprintf("%q: ", text) + fmt.Sprintf(format, args...))
	}
	at := strings.IndexAny(text, "<>")
	if at < 0 {
		return nil, bad("no comparison; write METRIC OP EXPR with OP one of < <= > >=, e.g. \"p99 > 1.2*base\"")
	}
	op := text[at : at+1]
	rest := text[at+1:]
	if strings.HasPrefix(rest, "=") {
		op, rest = op+"=", rest[1:]
	}
	name := strings.TrimSpace(text[:at])
	if name == "" {
		return nil, bad("no metric before %s; metrics are %s", op, strings.Join(results.MetricNames(metrics), ", "))
	}
	if err := results.CheckMetric(metrics, name); err != nil {
		return nil, bad("%v", err)
	}
	p := &exprParser{src: rest, offset: at + len(op)}
	e, err := p.parse()
	if err != nil {
		return nil, bad("%v", err)
	}
	return &Condition{Text: text, metric: name, op: op, rhs: e}, nil
}

// Check evaluates the condition on the means of every side but the
// reference, and says why for each side where it holds; a side where it
// cannot be evaluated (the metric has no value there) fails too, since a
// gate that cannot look must not pass.
func (c *Condition) Check(r *results.CompareResult) []string {
	var m *results.MetricResult
	for i := range r.Metrics {
		if r.Metrics[i].Name == c.metric {
			m = &r.Metrics[i]
		}
	}
	var fails []string
	for g := 1; g < len(r.Sides); g++ {
		side := r.Sides[g].Label
		if m == nil || m.Estimates[g] == nil || m.Estimates[0] == nil {
			fails = append(fails, fmt.Sprintf("%s: %s has no value on %s or on %s", c.Text, c.metric, side, r.Sides[0].Label))
			continue
		}
		v, base := m.Estimates[g].Center(), m.Estimates[0].Center()
		limit := c.rhs.eval(base)
		if math.IsNaN(limit) || math.IsInf(limit, 0) {
			// base/base with base 0, say: a gate that cannot compare fails.
			fails = append(fails, fmt.Sprintf("%s: the limit is %v for %s (base %s), which nothing can be compared with",
				c.Text, limit, side, m.Scale().Format(base)))
			continue
		}
		var holds bool
		switch c.op {
		case "<":
			holds = v < limit
		case "<=":
			holds = v <= limit
		case ">":
			holds = v > limit
		case ">=":
			holds = v >= limit
		}
		if holds {
			fails = append(fails, fmt.Sprintf("%s: %s has %s %s, against %s (base %s)",
				c.Text, side, c.metric, m.Scale().Format(v), m.Scale().Format(limit), m.Scale().Format(base)))
		}
	}
	return fails
}

type expr interface{ eval(base float64) float64 }

type (
	number  float64
	baseRef struct{}
	negate  struct{ x expr }
	binary  struct {
		op   byte
		l, r expr
	}
)

func (n number) eval(float64) float64 { return float64(n) }

func (baseRef) eval(b float64) float64 { return b }

func (n negate) eval(b float64) float64 { return -n.x.eval(b) }

func (e binary) eval(b float64) float64 {
	l, r := e.l.eval(b), e.r.eval(b)
	switch e.op {
	case '+':
		return l + r
	case '-':
		return l - r
	case '*':
		return l * r
	}
	return l / r
}

// constant says whether e does not depend on base.
func constant(e expr) bool {
	switch e := e.(type) {
	case baseRef:
		return false
	case negate:
		return constant(e.x)
	case binary:
		return constant(e.l) && constant(e.r)
	}
	return true
}

// unitScales scale a number to the metrics' units: seconds and fractions.
var unitScales = map[string]float64{"": 1, "%": 0.01, "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}

// exprParser is a recursive-descent parser of the right-hand side:
//
//	expr   = term { ("+" | "-") term }
//	term   = unary { ("*" | "/") unary }
//	unary  = "-" unary | number [unit] | "base" | "(" expr ")"
type exprParser struct {
	src    string
	pos    int
	offset int // of src in the whole condition, for columns
}

func (p *exprParser) parse() (expr, error) {
	e, err := p.expr()
	if err != nil {
		return nil, err
	}
	if p.skip(); p.pos < len(p.src) {
		return nil, p.errorf("unexpected %q", p.src[p.pos:])
	}
	return e, nil
}

func (p *exprParser) errorf(format string, args ...any) error {
	return fmt.Errorf("column %d: %s", p.offset+p.pos+1, fmt.Sprintf(format, args...))
}

func (p *exprParser) skip() {
	for p.pos < len(p.src) && p.src[p.pos] == ' ' {
		p.pos++
	}
}

// peek returns the next character that is not a space, 0 at the end.
func (p *exprParser) peek() byte {
	if p.skip(); p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *exprParser) expr() (expr, error) {
	l, err := p.term()
	for err == nil && (p.peek() == '+' || p.peek() == '-') {
		op := p.src[p.pos]
		p.pos++
		var r expr
		r, err = p.term()
		l = binary{op: op, l: l, r: r}
	}
	return l, err
}

func (p *exprParser) term() (expr, error) {
	l, err := p.unary()
	for err == nil && (p.peek() == '*' || p.peek() == '/') {
		op := p.src[p.pos]
		p.pos++
		var r expr
		at := p.pos
		r, err = p.unary()
		if err == nil && op == '/' && constant(r) && r.eval(0) == 0 {
			p.pos = at
			return nil, p.errorf("divides by zero")
		}
		l = binary{op: op, l: l, r: r}
	}
	return l, err
}

func (p *exprParser) unary() (expr, error) {
	switch c := p.peek(); {
	case c == 0:
		return nil, p.errorf("expression ends too soon; write a number, a number with a unit (2s, 1%%) or base")
	case c == '-':
		p.pos++
		x, err := p.unary()
		return negate{x}, err
	case c == '(':
		p.pos++
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		if p.peek() != ')' {
			return nil, p.errorf("missing )")
		}
		p.pos++
		return x, nil
	case c == '.' || (c >= '0' && c <= '9'):
		return p.number()
	case unicode.IsLetter(rune(c)):
		start := p.pos
		for p.pos < len(p.src) && (unicode.IsLetter(rune(p.src[p.pos])) || p.src[p.pos] == '_') {
			p.pos++
		}
		if word := p.src[start:p.pos]; word != "base" {
			p.pos = start
			return nil, p.errorf("unknown name %q%s; the right-hand side knows only base, numbers and units", word, human.DidYouMean(word, []string{"base"}))
		}
		return baseRef{}, nil
	default:
		return nil, p.errorf("unexpected %q", string(c))
	}
}

// number reads digits, a fraction, an exponent and a unit.
func (p *exprParser) number() (expr, error) {
	start := p.pos
	digits := func() {
		for p.pos < len(p.src) && (p.src[p.pos] >= '0' && p.src[p.pos] <= '9' || p.src[p.pos] == '.') {
			p.pos++
		}
	}
	digits()
	if p.pos+1 < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		next := p.pos + 1
		if p.src[next] == '+' || p.src[next] == '-' {
			next++
		}
		if next < len(p.src) && p.src[next] >= '0' && p.src[next] <= '9' {
			p.pos = next
			digits()
		}
	}
	v, err := strconv.ParseFloat(p.src[start:p.pos], 64)
	if err != nil {
		p.pos = start
		return nil, p.errorf("%q is not a number", p.src[start:p.pos])
	}
	ustart := p.pos
	for p.pos < len(p.src) && (unicode.IsLetter(rune(p.src[p.pos])) || p.src[p.pos] == '%' || p.src[p.pos] >= 0x80) {
		p.pos++
	}
	unit := p.src[ustart:p.pos]
	scale, ok := unitScales[unit]
	if !ok {
		p.pos = ustart
		return nil, p.errorf("unknown unit %q; units are %% (of 1), ns, us, ms, s, m and h", unit)
	}
	return number(v * scale), nil
}
