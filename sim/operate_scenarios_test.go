package sim_test

import (
	"fmt"
	"testing"
)

// scenarios/metastable-recovery.toml: the storm outlives its trigger, and
// each operator action at 90s ends it: the summary credits the action.
func TestMetastableRecovery(t *testing.T) {
	slow(t)
	const file = "../scenarios/metastable-recovery.toml"
	base := runFile(t, file, "").Summary
	if r := base.Recovery.Recovered; r == nil || *r {
		t.Fatalf("base: %s; the storm should not end by itself", base.Recovery.Verdict)
	}
	for _, v := range []struct{ variant, action string }{
		{"shed-load", "shed load"},
		{"retries-off", "retry kill switch"},
		{"scale-up", "add an instance"},
	} {
		s := runFile(t, file, v.variant).Summary
		rec := s.Recovery
		if rec.Recovered == nil || !*rec.Recovered {
			t.Errorf("%s: %s; want recovered after the intervention", v.variant, rec.Verdict)
			continue
		}
		if rec.RestoredBy != v.action || !s.Interventions[0].RestoredGoodput || *rec.RecoveredAtS < s.Interventions[0].AtS {
			t.Errorf("%s: recovered at %gs, restored by %q; want %q, at 90s or later", v.variant, *rec.RecoveredAtS, rec.RestoredBy, v.action)
		}
		if s.Clients.Succeeded <= base.Clients.Succeeded {
			t.Errorf("%s: %d requests succeeded, the base %d", v.variant, s.Clients.Succeeded, base.Clients.Succeeded)
		}
	}
}

// scenarios/autoscaling.toml: with client retries, the autoscaler sizes the
// service for the attempts, not the requests, and asks for more instances
// than without them, while fewer requests succeed.
func TestAutoscalerChasesRetries(t *testing.T) {
	slow(t)
	const file = "../scenarios/autoscaling.toml"
	with := runFile(t, file, "").Summary
	without := runFile(t, file, "no-retries").Summary
	w, wo := with.Autoscaling[0], without.Autoscaling[0]
	if w.Peak <= wo.Peak {
		t.Errorf("peak instances requested: %d with retries, %d without; want more with", w.Peak, wo.Peak)
	}
	if wo.Peak < 4 {
		t.Errorf("without retries the autoscaler asked for %d instances at most; 450 calls/s need 4 at 60%%", wo.Peak)
	}
	if with.Clients.SuccessRate >= without.Clients.SuccessRate {
		t.Errorf("success %.3f with retries, %.3f without; want retries to fail more", with.Clients.SuccessRate, without.Clients.SuccessRate)
	}
	if amp := with.Components["lb"].Amplification; amp < 2 {
		t.Errorf("with retries the service got %.2f calls per request; want more than 2", amp)
	}
}

// scenarios/metastable-recovery.toml, variant on-alert: the kill switch is
// thrown 30s after the burn-rate alert pages, and that ends the storm. The
// alert needs the storm's failures, so it fires after the fault began.
func TestMetastableRecoveryOnAlert(t *testing.T) {
	s := runFile(t, "../scenarios/metastable-recovery.toml", "on-alert").Summary
	if len(s.Alerts) == 0 || len(s.Interventions) == 0 {
		t.Fatalf("alerts %+v, interventions %+v: want the alert to fire and the kill switch to follow", s.Alerts, s.Interventions)
	}
	fired, iv := s.Alerts[0], s.Interventions[0]
	if fired.Name != "budget-burn" || fired.FiredAtS <= s.Faults[0].AtS {
		t.Errorf("first alert %s at %gs; want budget-burn, after the fault began at %gs", fired.Name, fired.FiredAtS, s.Faults[0].AtS)
	}
	trigger := fmt.Sprintf("alert budget-burn fired at %gs + 30s", fired.FiredAtS)
	if iv.AtS != fired.FiredAtS+30 || iv.Trigger != trigger {
		t.Errorf("kill switch at %gs, trigger %q; want %gs, %q", iv.AtS, iv.Trigger, fired.FiredAtS+30, trigger)
	}
	rec := s.Recovery
	if rec.Recovered == nil || !*rec.Recovered || rec.RestoredBy != "retry kill switch" || *rec.RecoveredAtS < iv.AtS {
		t.Fatalf("%s, restored by %q; want recovered after the kill switch at %gs", rec.Verdict, rec.RestoredBy, iv.AtS)
	}
	t.Logf("alert at %gs, kill switch at %gs, goodput back from %gs", fired.FiredAtS, iv.AtS, *rec.RecoveredAtS)
}
