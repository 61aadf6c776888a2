package experiment

import (
	"fmt"
	"strings"

	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology/scenariofile"
)

// ParseAxis reads KEY=V1,V2,...; values are split at commas that are not
// inside brackets, braces or quotes, so TOML arrays and inline tables are
// single values: budget={kind="grpc", max_tokens=10}.
func ParseAxis(s string) (results.Axis, error) {
	set, err := scenariofile.ParseSetting(s)
	if err != nil {
		return results.Axis{}, results.InputError(err.Error())
	}
	vals, err := splitValues(set.Value)
	if err != nil {
		return results.Axis{}, results.InputError(fmt.Sprintf("%s: %v", s, err))
	}
	seen := make(map[string]bool, len(vals)) // a map: a list of 100,000 values is no reason to take minutes
	for i, v := range vals {
		if v == "" {
			return results.Axis{}, results.InputError(fmt.Sprintf("%s: value %d is empty", s, i+1))
		}
		if seen[v] {
			return results.Axis{}, results.InputError(fmt.Sprintf("%s: value %s is given twice", s, v))
		}
		seen[v] = true
	}
	return results.Axis{Key: set.Key, Values: vals}, nil
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

// settings turns a point's values into settings, leaving out the kept keys.
func settings(axes []results.Axis, values []string) []scenariofile.Setting {
	var sets []scenariofile.Setting
	for i, a := range axes {
		if values[i] != results.Keep {
			sets = append(sets, scenariofile.Setting{Key: a.Key, Value: values[i]})
		}
	}
	return sets
}
