package main

import (
	"encoding/json"
	"strings"
	"testing"
)

const seedScenario = "../../scenarios/timeout-mismatch.toml"

func TestCheckPrintsFindingsAndExitsZeroOnWarnings(t *testing.T) {
	code, out, errOut := simulate(t, "check", seedScenario)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		seedScenario + " (base): 9 findings: 8 warnings, 1 note",
		"warning[orphaned-work]: " + seedScenario + ":20:1: users gives up on lb after 2s, but lb keeps the call for up to 5s",
		"warning[overlapping-attempts]: " + seedScenario + ":21:1:",
		"fix: ",
		"shown by: simulate run scenarios/timeout-mismatch.toml; fixed by --variant aligned",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	_, out, _ = simulate(t, "check", seedScenario, "--variant", "aligned")
	if strings.Contains(out, "orphaned-work") || !strings.Contains(out, "(variant aligned)") {
		t.Errorf("aligned variant:\n%s", out)
	}
	_, out, _ = simulate(t, "check", seedScenario, "--set", "client.users.retry.backoff=exponential")
	if strings.Contains(out, "retry-no-backoff") {
		t.Errorf("--set did not apply:\n%s", out)
	}
}

func TestCheckFormats(t *testing.T) {
	_, out, _ := simulate(t, "check", seedScenario, "--format", "json")
	var rep struct {
		Counts   map[string]int `json:"counts"`
		Findings []struct {
			Rule string `json:"rule"`
			Line int    `json:"line"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if rep.Counts["warning"] != 8 || rep.Findings[0].Rule != "orphaned-work" || rep.Findings[0].Line != 20 {
		t.Errorf("json report: %+v", rep)
	}

	_, out, _ = simulate(t, "check", seedScenario, "--format", "sarif")
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil || log.Version != "2.1.0" || len(log.Runs[0].Results) != 9 {
		t.Errorf("sarif: %v %+v", err, log)
	}
}

// An error-level finding fails the command, so that the check can gate CI;
// the report is still written.
func TestCheckErrorFindingExitsOne(t *testing.T) {
	code, out, errOut := simulate(t, "check", "../../topology/check/testdata/capacity.toml")
	if code != exitFailure || !strings.Contains(out, "error[capacity]") ||
		!strings.Contains(errOut, "capacity.toml: 1 error-level finding(s)") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

func TestCheckBadInputExitsTwo(t *testing.T) {
	for _, args := range [][]string{
		{"check", seedScenario, "--format", "xml"},
		{"check", seedScenario, "--set", "nokey"},
		{"check", seedScenario, "--variant", "alinged"},
		{"check", "no-such.toml"},
		{"check"},
	} {
		if code, _, errOut := simulate(t, args...); code != exitInput {
			t.Errorf("%v: exit %d, want %d\n%s", args, code, exitInput, errOut)
		}
	}
}

// run counts the check's findings in one line before it runs, and
// --findings full lists them, one line each.
func TestRunCountsFindingsFirst(t *testing.T) {
	code, _, errOut := simulate(t, "run", seedScenario, "--duration", "2s", "--out", t.TempDir())
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := "check: 9 findings: 8 warnings, 1 note; 'simulate check " + seedScenario + "' explains them (--findings full lists them here)\n"
	if !strings.Contains(errOut, want) || strings.Contains(errOut, "warning[") {
		t.Errorf("stderr lacks the count alone, %q:\n%s", want, errOut)
	}
	if _, _, errOut := simulate(t, "run", seedScenario, "--duration", "2s", "--out", t.TempDir(), "--findings", "none"); strings.Contains(errOut, "finding") {
		t.Errorf("--findings none still prints them:\n%s", errOut)
	}
	code, _, errOut = simulate(t, "run", seedScenario, "--duration", "2s", "--out", t.TempDir(), "--findings", "full")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"warning[orphaned-work]: " + seedScenario + ":20:1: users gives up on lb after 2s",
		"note[retry-unsafe-outcome]: ",
		"run 'simulate check " + seedScenario + "' for what each finding means and how to fix it",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if n := strings.Count(errOut, "]: "+seedScenario+":"); n != 9 {
		t.Errorf("%d findings on stderr, want 9, one line each:\n%s", n, errOut)
	}
}
