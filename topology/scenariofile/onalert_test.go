package scenariofile

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// onAlert has an intervention at a fixed time and one triggered by an alert.
const onAlert = `duration = "10m"

[client.users]
target = "api"
rate = 100
retry = { max_attempts = 3 }

[service.api]
workers = 4
service_time = "20ms"

[[slo]]
target = "users"
objective = 0.99

[[alert]]
name = "high-burn"
slo = "users"

[[intervention]]
target = "users"
kind = "retries-off"
on_alert = "high-burn"
reaction_delay = "30s"

[[intervention]]
target = "users"
kind = "shed-load"
fraction = 0.5
at = "2m"
`

func TestInterventionOnAlert(t *testing.T) {
	sc, err := Parse("t.toml", []byte(onAlert), "")
	if err != nil {
		t.Fatal(err.(Errors).Pretty())
	}
	var got []string
	for _, iv := range sc.Interventions {
		got = append(got, iv.Name+": "+iv.String())
	}
	want := "shed-load users: shed-load 50% at 2m0s; retries-off users: retries-off 30s after alert high-burn fires"
	if s := strings.Join(got, "; "); s != want {
		t.Errorf("interventions %q,\nwant %q (fixed times first, then those an alert triggers)", s, want)
	}
	if iv := sc.Interventions[1]; iv.OnAlert != "high-burn" || iv.ReactionDelay != 30*time.Second || iv.At != 0 {
		t.Errorf("on_alert %q, reaction_delay %s, at %s; want high-burn, 30s, 0", iv.OnAlert, iv.ReactionDelay, iv.At)
	}
}

func TestBrokenOnAlert(t *testing.T) {
	for _, tt := range []struct {
		name, old, new string
		want           string // "line:col: message fragment"
	}{
		{"unknown alert", `on_alert = "high-burn"`, `on_alert = "high-brun"`, `23:12: intervention[0]: no [[alert]] named "high-brun"; did you mean "high-burn"?`},
		{"no alerts at all", "[[alert]]\nname = \"high-burn\"\nslo = \"users\"\n", "", `20:12: intervention[0]: no [[alert]] named "high-burn": the scenario has no alerts`},
		{"at and on_alert", `on_alert = "high-burn"`, "on_alert = \"high-burn\"\nat = \"1m\"", `23:12: intervention[0]: give at or on_alert, not both`},
		{"neither at nor on_alert", `on_alert = "high-burn"`, ``, `20:3: intervention[0]: missing "at" (when the operator acts, or on_alert = "NAME" to act when that alert fires)`},
		{"reaction delay with at", `fraction = 0.5`, "fraction = 0.5\nreaction_delay = \"5s\"", `30:18: intervention[1]: reaction_delay applies to an intervention with on_alert`},
		{"on_alert not a string", `on_alert = "high-burn"`, `on_alert = 3`, `23:12: intervention[0]: on_alert must be a string, got`},
		{"negative reaction delay", `reaction_delay = "30s"`, `reaction_delay = "-30s"`, `24:18: reaction_delay: must not be negative, got -30s`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(onAlert, tt.old) {
				t.Fatalf("test bug: %q not in the scenario", tt.old)
			}
			src := strings.Replace(onAlert, tt.old, tt.new, 1)
			_, err := Parse("t.toml", []byte(src), "")
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("got %v, want Errors", err)
			}
			if all := errs.Error(); !strings.Contains(all, "t.toml:"+tt.want) {
				t.Fatalf("errors:\n%s\nwant one containing:\nt.toml:%s", all, tt.want)
			}
		})
	}
}
