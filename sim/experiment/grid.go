package experiment

import (
	"fmt"
	"strings"

	"github.com/failsim/failsim/topology/scenariofile"
)

// Axis is one --set of a sweep: a key and the values it takes.
type Axis struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

// Keep is the value that leaves a key as the file (or variant) has it:
// "with or without a retry budget" is budget=-,{kind="grpc"}.
const Keep = "-"

// ParseAxis reads KEY=V1,V2,...; values are split at commas that are not
// inside brackets, braces or quotes, so TOML arrays and inline tables are
// single values: budget={kind="grpc", max_tokens=10}.
func ParseAxis(s string) (Axis, error) {
	set, err := scenariofile.ParseSetting(s)
	if err != nil {
		return Axis{}, InputError(err.Error())
	}
	vals, err := splitValues(set.Value)
	if err != nil {
		return Axis{}, InputError(fmt.Sprintf("--set %s: %v", s, err))
	}
	for i, v := range vals {
		if v == "" {
			return Axis{}, InputError(fmt.Sprintf("--set %s: value %d is empty", s, i+1))
		}
		for _, w := range vals[:i] {
			if w == v {
				return Axis{}, InputError(fmt.Sprintf("--set %s: value %s is given twice", s, v))
			}
		}
	}
	return Axis{Key: set.Key, Values: vals}, nil
}

// splitValues splits at top-level commas and trims each value.
func splitValues(s string) ([]string, error) {
	var vals []string
	var closers []byte // expected closing brackets, innermost last
	var quote byte     // the open quote, 0 outside strings
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[':
			closers = append(closers, ']')
		case c == '{':
			closers = append(closers, '}')
		case c == ']' || c == '}':
			if len(closers) == 0 || closers[len(closers)-1] != c {
				return nil, fmt.Errorf("unexpected %c at character %d", c, i+1)
			}
			closers = closers[:len(closers)-1]
		case c == ',' && len(closers) == 0:
			vals = append(vals, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	switch {
	case quote != 0:
		return nil, fmt.Errorf("unclosed %c", quote)
	case len(closers) > 0:
		return nil, fmt.Errorf("missing %c", closers[len(closers)-1])
	}
	return append(vals, strings.TrimSpace(s[start:])), nil
}

// points returns the grid: every combination of the axes' values, the
// first axis varying slowest.
func points(axes []Axis) [][]string {
	ps := [][]string{{}}
	for _, a := range axes {
		var next [][]string
		for _, p := range ps {
			for _, v := range a.Values {
				next = append(next, append(append([]string(nil), p...), v))
			}
		}
		ps = next
	}
	return ps
}

// settings turns a point's values into settings, leaving out the kept keys.
func settings(axes []Axis, values []string) []scenariofile.Setting {
	var sets []scenariofile.Setting
	for i, a := range axes {
		if values[i] != Keep {
			sets = append(sets, scenariofile.Setting{Key: a.Key, Value: values[i]})
		}
	}
	return sets
}

// Dimensions returns the indices of the axes with more than one value: the
// dimensions of the grid. The others are fixed settings.
func Dimensions(axes []Axis) []int {
	var dims []int
	for i, a := range axes {
		if len(a.Values) > 1 {
			dims = append(dims, i)
		}
	}
	return dims
}
