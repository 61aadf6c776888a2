package check

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// sarifText is a SARIF message or multiformatMessageString: text is required.
type sarifTextDoc struct {
	Text *string `json:"text"`
}

// sarifDoc is what a SARIF 2.1.0 consumer reads, written from the
// specification (sections 3.13 sarifLog, 3.14 run, 3.18 tool, 3.19
// toolComponent, 3.49 reportingDescriptor, 3.27 result, 3.28 location, 3.29
// physicalLocation, 3.4 artifactLocation, 3.30 region), independently of
// the writer's own types. Unknown properties are refused, so a misspelt
// property name fails the test.
type sarifDoc struct {
	Schema  *string `json:"$schema"`
	Version *string `json:"version"`
	Runs    []struct {
		Tool *struct {
			Driver *struct {
				Name           *string `json:"name"`
				InformationURI string  `json:"informationUri"`
				Rules          []struct {
					ID                   *string       `json:"id"`
					ShortDescription     *sarifTextDoc `json:"shortDescription"`
					FullDescription      *sarifTextDoc `json:"fullDescription"`
					Help                 *sarifTextDoc `json:"help"`
					HelpURI              string        `json:"helpUri"`
					DefaultConfiguration *struct {
						Level string `json:"level"`
					} `json:"defaultConfiguration"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results *[]struct {
			RuleID    *string       `json:"ruleId"`
			RuleIndex *int          `json:"ruleIndex"`
			Level     *string       `json:"level"`
			Message   *sarifTextDoc `json:"message"`
			Locations []struct {
				PhysicalLocation *struct {
					ArtifactLocation *struct {
						URI *string `json:"uri"`
					} `json:"artifactLocation"`
					Region *struct {
						StartLine   *int `json:"startLine"`
						StartColumn *int `json:"startColumn"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

var sarifLevels = []string{"none", "note", "warning", "error"}

// The SARIF log has the structure SARIF 2.1.0 requires: its version and
// schema, one run with the tool's driver and rules, and for each finding a
// result with its rule, level, message and location.
func TestSARIFStructure(t *testing.T) {
	for _, path := range []string{"../../scenarios/timeout-mismatch.toml", "testdata/capacity.toml"} {
		r := checkFile(t, path, "")
		var b bytes.Buffer
		if err := r.WriteSARIF(&b); err != nil {
			t.Fatal(err)
		}
		var doc sarifDoc
		dec := json.NewDecoder(&b)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&doc); err != nil {
			t.Fatalf("%s: %v", path, err)
		}

		if doc.Version == nil || *doc.Version != "2.1.0" {
			t.Fatalf("version %v, want \"2.1.0\"", doc.Version)
		}
		if doc.Schema == nil || !absoluteURI(*doc.Schema) {
			t.Errorf("$schema %v is not an absolute URI", doc.Schema)
		}
		if len(doc.Runs) != 1 {
			t.Fatalf("%d runs, want 1", len(doc.Runs))
		}
		run := doc.Runs[0]
		if run.Tool == nil || run.Tool.Driver == nil || run.Tool.Driver.Name == nil || *run.Tool.Driver.Name == "" {
			t.Fatal("run.tool.driver.name is missing")
		}
		d := run.Tool.Driver
		if !absoluteURI(d.InformationURI) {
			t.Errorf("informationUri %q is not an absolute URI", d.InformationURI)
		}
		var ids []string
		for i, rule := range d.Rules {
			switch {
			case rule.ID == nil || *rule.ID == "":
				t.Fatalf("rules[%d] has no id", i)
			case slices.Contains(ids, *rule.ID):
				t.Errorf("rule %s listed twice", *rule.ID)
			case !hasText(rule.ShortDescription) || !hasText(rule.FullDescription) || !hasText(rule.Help):
				t.Errorf("rule %s lacks shortDescription, fullDescription or help text", *rule.ID)
			case rule.DefaultConfiguration == nil || !slices.Contains(sarifLevels, rule.DefaultConfiguration.Level):
				t.Errorf("rule %s: defaultConfiguration.level is not a SARIF level", *rule.ID)
			case !absoluteURI(rule.HelpURI):
				t.Errorf("rule %s: helpUri %q", *rule.ID, rule.HelpURI)
			}
			ids = append(ids, *rule.ID)
		}
		if len(ids) != len(Rules()) {
			t.Errorf("%d rules, want every rule (%d)", len(ids), len(Rules()))
		}

		if run.Results == nil || len(*run.Results) != len(r.Findings) {
			t.Fatalf("%s: results missing, or not one per finding", path)
		}
		for i, res := range *run.Results {
			f := r.Findings[i]
			switch {
			case res.RuleID == nil || *res.RuleID != f.Rule || !slices.Contains(ids, *res.RuleID):
				t.Errorf("result %d: ruleId %v, want %s, one of the driver's rules", i, res.RuleID, f.Rule)
			case res.RuleIndex == nil || *res.RuleIndex < 0 || *res.RuleIndex >= len(ids) || ids[*res.RuleIndex] != f.Rule:
				t.Errorf("result %d: ruleIndex does not point at rule %s", i, f.Rule)
			case res.Level == nil || !slices.Contains(sarifLevels, *res.Level) || *res.Level != f.Severity.String():
				t.Errorf("result %d: level %v, want %s", i, res.Level, f.Severity)
			case !hasText(res.Message):
				t.Errorf("result %d: no message.text", i)
			case len(res.Locations) == 0:
				t.Errorf("result %d: no locations", i)
			}
			for _, loc := range res.Locations {
				pl := loc.PhysicalLocation
				if pl == nil || pl.ArtifactLocation == nil || pl.ArtifactLocation.URI == nil {
					t.Fatalf("result %d: no physicalLocation.artifactLocation.uri", i)
				}
				if _, err := url.Parse(*pl.ArtifactLocation.URI); err != nil || *pl.ArtifactLocation.URI != strings.TrimPrefix(path, "../../") {
					t.Errorf("result %d: uri %q, want the scenario's path", i, *pl.ArtifactLocation.URI)
				}
				if pl.Region == nil || pl.Region.StartLine == nil || *pl.Region.StartLine != f.Pos.Line ||
					pl.Region.StartColumn == nil || *pl.Region.StartColumn != f.Pos.Col || f.Pos.Line < 1 {
					t.Errorf("result %d: region does not hold the finding's line and column %d:%d", i, f.Pos.Line, f.Pos.Col)
				}
			}
		}
	}
}

func hasText(t *sarifTextDoc) bool { return t != nil && t.Text != nil && *t.Text != "" }

func absoluteURI(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.IsAbs()
}

// An absolute scenario path becomes a file URI, a relative one stays a
// relative reference.
func TestArtifactURI(t *testing.T) {
	for in, want := range map[string]string{
		"scenarios/a b.toml": "scenarios/a%20b.toml",
		"/tmp/x.toml":        "file:///tmp/x.toml",
	} {
		if got := artifactURI(in); got != want {
			t.Errorf("artifactURI(%q) = %q, want %q", in, got, want)
		}
	}
}
