package cluster

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// shellWords splits one command line into its words as a POSIX shell
// would, without expanding anything: quotes and backslashes are removed,
// $VAR and ${VAR:-x} are kept as they are written. The recipes' commands
// are simple commands, so an unquoted operator (; & | < > ( )), a command
// substitution or a comment-less backtick is an error rather than a guess.
func shellWords(line string) ([]string, error) {
	var words []string
	var word strings.Builder
	inWord := false
	end := func() {
		if inWord {
			words = append(words, word.String())
			word.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			end()
		case c == '#' && !inWord:
			return words, nil
		case c == '\\':
			if i+1 < len(line) && line[i+1] != '\n' {
				word.WriteByte(line[i+1])
				inWord = true
			}
			i++
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated ' in %q", line)
			}
			word.WriteString(line[i+1 : i+1+j])
			inWord = true
			i += j + 1
		case c == '"':
			inWord = true
			for i++; ; i++ {
				if i >= len(line) {
					return nil, fmt.Errorf("unterminated \" in %q", line)
				}
				if line[i] == '"' {
					break
				}
				if line[i] == '`' || strings.HasPrefix(line[i:], "$(") {
					return nil, fmt.Errorf("command substitution in %q", line)
				}
				if line[i] == '\\' && i+1 < len(line) && strings.IndexByte("$`\"\\\n", line[i+1]) >= 0 {
					i++
					if line[i] == '\n' {
						continue
					}
				}
				word.WriteByte(line[i])
			}
		case strings.IndexByte(";&|<>()`", c) >= 0 || strings.HasPrefix(line[i:], "$("):
			return nil, fmt.Errorf("%q is more than a simple command (%q at %d)", line, c, i)
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	end()
	return words, nil
}

// scriptCommands returns the words of each command of a shell script that
// runs program (its first word), lines continued with a backslash joined.
func scriptCommands(t *testing.T, file, program string) [][]string {
	t.Helper()
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var commands [][]string
	for _, line := range strings.Split(strings.ReplaceAll(string(text), "\\\n", " "), "\n") {
		if f := strings.Fields(line); len(f) == 0 || f[0] != program {
			continue
		}
		words, err := shellWords(line)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		commands = append(commands, words)
	}
	return commands
}

// scriptCommand is the one command of file that runs program.
func scriptCommand(t *testing.T, file, program string) []string {
	t.Helper()
	commands := scriptCommands(t, file, program)
	if len(commands) != 1 {
		t.Fatalf("%s runs %s %d times, want once: %q", file, program, len(commands), commands)
	}
	return commands[0]
}

// sbatchOptions reads the #SBATCH lines of a batch script: --array=0-2 is
// "array": "0-2".
func sbatchOptions(t *testing.T, file string) map[string]string {
	t.Helper()
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	options := map[string]string{}
	for _, line := range strings.Split(string(text), "\n") {
		rest, ok := strings.CutPrefix(line, "#SBATCH --")
		if !ok {
			continue
		}
		key, value, _ := strings.Cut(strings.TrimSpace(rest), "=")
		options[key] = value
	}
	return options
}

// flagValue is the value that follows flag in a command's words.
func flagValue(words []string, flag string) (string, bool) {
	i := slices.Index(words, flag)
	if i < 0 || i+1 >= len(words) {
		return "", false
	}
	return words[i+1], true
}

// site is where a recipe's command runs: what it calls the program, where
// the scenarios and the results are, and how it writes the shard count and
// the workers per shard.
type site struct {
	name                string
	program             string
	scenarios, results  string // prefixes of paths: "scenarios/", "/scenarios/"
	shardCount, workers string // the values of --shard and --jobs
}

// canonical rewrites a command of s into words that do not depend on the
// site: the program is "simulate", paths are relative to a root holding
// scenarios/ and results/, --shard is "/N" and --jobs is "J". A --shard or
// --jobs value other than s's is an error.
func (s site) canonical(words []string) ([]string, error) {
	if len(words) == 0 || words[0] != s.program {
		return nil, fmt.Errorf("%s: %q does not start with %s", s.name, words, s.program)
	}
	out := []string{"simulate"}
	for i := 1; i < len(words); i++ {
		w := words[i]
		switch {
		case words[i-1] == "--shard":
			if w != s.shardCount {
				return nil, fmt.Errorf("%s: --shard %s, want %s", s.name, w, s.shardCount)
			}
			w = "/N"
		case words[i-1] == "--jobs":
			if w != s.workers {
				return nil, fmt.Errorf("%s: --jobs %s, want %s", s.name, w, s.workers)
			}
			w = "J"
		case strings.HasPrefix(w, s.scenarios):
			w = "scenarios/" + strings.TrimPrefix(w, s.scenarios)
		case strings.HasPrefix(w, s.results):
			w = "results/" + strings.TrimPrefix(w, s.results)
		}
		out = append(out, w)
	}
	return out, nil
}

// slurm is where sweep.slurm and merge.slurm run: the repository root,
// simulate built there, the shard count from the array's size and the
// workers from the CPUs Slurm gave the task.
var slurm = site{
	name:       "Slurm",
	program:    "./simulate",
	scenarios:  "scenarios/",
	results:    "results/",
	shardCount: "/$SLURM_ARRAY_TASK_COUNT",
	workers:    "${SLURM_CPUS_PER_TASK:-1}",
}

func TestShellWords(t *testing.T) {
	for _, c := range []struct {
		line string
		want []string
		err  string
	}{
		{line: `./simulate sweep a.toml --set 'k=-,{kind="grpc"}' --jobs "${N:-1}"`,
			want: []string{"./simulate", "sweep", "a.toml", "--set", `k=-,{kind="grpc"}`, "--jobs", "${N:-1}"}},
		{line: `a "b c"d\ e "\"\$x\\" # comment`, want: []string{"a", "b cd e", `"$x\`}},
		{line: `a b*.jsonl ''`, want: []string{"a", "b*.jsonl", ""}},
		{line: `a; b`, err: "more than a simple command"},
		{line: `a "$(b)"`, err: "command substitution"},
		{line: `a 'b`, err: "unterminated"},
	} {
		got, err := shellWords(c.line)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.line, err, c.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, %v; want %q", c.line, got, err, c.want)
		}
	}
}
