package playground

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
	"github.com/failsim/failsim/topology/scenariofile"
)

// Limits on what one request may carry.
const (
	MaxText  = 256 << 10 // bytes of scenario text
	MaxSets  = 64        // settings on one side
	MaxSeeds = 30        // seeds of one comparison
	MaxBody  = 2*MaxText + 64<<10
)

// Set is one --set KEY=VALUE.
type Set struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Spec is what to run: a scenario of the library, or a text, with a
// variant, settings and a seed.
type Spec struct {
	Name    string  `json:"name,omitempty"`    // the library's scenario ("retry-storm"); "" for a text of one's own
	Text    string  `json:"text,omitempty"`    // the scenario's text; "" for the library's text of Name
	Variant string  `json:"variant,omitempty"` // "" for the base
	Sets    []Set   `json:"sets,omitempty"`
	Seed    *uint64 `json:"seed,omitempty"` // nil for the scenario's own
}

// Problem is one reason a spec does not load: a line of the text when it
// has one (Line > 0), else about a setting or the request.
type Problem struct {
	Line int    `json:"line"`
	Col  int    `json:"col"`
	Msg  string `json:"msg"`
	Text string `json:"text"` // the whole message, file:line:col included
}

// InputError is a spec that cannot load, with every problem found.
type InputError struct{ Problems []Problem }

func (e *InputError) Error() string {
	var msgs []string
	for _, p := range e.Problems {
		msgs = append(msgs, p.Text)
	}
	return strings.Join(msgs, "; ")
}

func inputErrorf(format string, args ...any) *InputError {
	msg := fmt.Sprintf(format, args...)
	return &InputError{Problems: []Problem{{Msg: msg, Text: msg}}}
}

// source is a spec resolved against the library: the text, the name it is
// reported under and where its imports are read from.
type source struct {
	file string
	text []byte
	dir  fs.FS
	// shipped is true when the text is the library's, unedited: the
	// command line can run it by name.
	shipped bool
}

func (c *Config) source(spec Spec) (source, error) {
	if len(spec.Text) > MaxText {
		return source{}, inputErrorf("the scenario text is %d KB, more than the playground's limit of %d KB", len(spec.Text)>>10, MaxText>>10)
	}
	if len(spec.Sets) > MaxSets {
		return source{}, inputErrorf("%d settings, more than the playground's limit of %d", len(spec.Sets), MaxSets)
	}
	if spec.Name == "" {
		if spec.Text == "" {
			return source{}, inputErrorf("no scenario: give a name from the library or a text")
		}
		return source{file: "scenario.toml", text: []byte(spec.Text)}, nil
	}
	e, ok := c.Library.Lookup(spec.Name)
	if !ok {
		return source{}, inputErrorf("no scenario %q in the library%s", spec.Name, human.DidYouMean(spec.Name, c.Library.Names()))
	}
	text, err := c.Library.Text(e)
	if err != nil {
		return source{}, err
	}
	src := source{file: c.Library.prefix + e.Path, text: text, dir: c.Library.Dir(e), shipped: true}
	if spec.Text != "" && spec.Text != string(text) {
		src.text, src.shipped = []byte(spec.Text), false
	}
	return src, nil
}

func settings(sets []Set) []scenariofile.Setting {
	out := make([]scenariofile.Setting, len(sets))
	for i, s := range sets {
		out[i] = scenariofile.Setting{Key: strings.TrimSpace(s.Key), Value: strings.TrimSpace(s.Value)}
	}
	return out
}

// load parses a spec into a scenario, its variant and settings applied.
func (c *Config) load(spec Spec) (*topology.Scenario, source, error) {
	src, err := c.source(spec)
	if err != nil {
		return nil, src, err
	}
	sc, err := scenariofile.ParseFS(src.dir, src.file, src.text, spec.Variant, settings(spec.Sets)...)
	if err != nil {
		return nil, src, problems(src.file, err)
	}
	return sc, src, nil
}

// problems turns the loader's errors into problems, at their line when they
// are in the scenario's own text.
func problems(file string, err error) error {
	var es scenariofile.Errors
	if !errors.As(err, &es) {
		return err
	}
	out := &InputError{}
	for _, e := range es {
		p := Problem{Msg: e.Msg, Text: e.Error()}
		if e.Pos.File == file {
			p.Line, p.Col = e.Pos.Line, e.Pos.Col
		}
		out.Problems = append(out.Problems, p)
	}
	return out
}

// seedOf is the seed a spec runs with.
func seedOf(spec Spec, sc *topology.Scenario) uint64 {
	if spec.Seed != nil {
		return *spec.Seed
	}
	return sc.Seed
}

// Command is the command line that makes the same run: by name when the
// text is the library's, else from a file the page offers to download.
func Command(spec Spec, src source, seed uint64) string {
	arg := "scenario.toml"
	if src.shipped {
		arg = spec.Name
	}
	parts := []string{"simulate", "run", shellQuote(arg)}
	if spec.Variant != "" {
		parts = append(parts, "--variant", shellQuote(spec.Variant))
	}
	for _, s := range settings(spec.Sets) {
		parts = append(parts, "--set", shellQuote(s.Key+"="+s.Value))
	}
	parts = append(parts, "--seed", strconv.FormatUint(seed, 10))
	return strings.Join(parts, " ")
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,@%+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
