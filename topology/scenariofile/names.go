package scenariofile

import (
	"strings"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/scenariofile/tomlpos"
)

// nameRule says validName in words, for every name a file gives: of a
// component, an operation, the scenario and its variants. The last two
// name folders (a run is written into out/NAME/VARIANT), so that no name
// can lead a write out of the output folder ("../../x") or into a hidden
// one.
const nameRule = "use letters, digits, '-', '_' and '.', starting with a letter or digit"

// scenarioName reads the scenario's name, by default its file's name
// without the extension.
func (d *decoder) scenarioName(o *object, defaultName string) string {
	n := o.get("name")
	if n == nil {
		if !validName.MatchString(defaultName) {
			d.at(tomlpos.Pos{}, "the scenario is named after its file, %q, which cannot name its output folder (%s): add name = %q at the top",
				defaultName, nameRule, suggestName(defaultName))
			return "scenario"
		}
		return defaultName
	}
	name := o.str("name", defaultName)
	if _, ok := n.v.(string); ok && !validName.MatchString(name) {
		d.errorf(n, "name %q: %s; it names the output folder out/NAME", name, nameRule)
		return "scenario"
	}
	return name
}

// checkVariantName reports a [variant.NAME] whose name could not name a
// folder.
func (d *decoder) checkVariantName(name string, n *node) bool {
	if validName.MatchString(name) {
		return true
	}
	d.keyErrorf(n, "variant name %q: %s; it names the output folder out/NAME/VARIANT", name, nameRule)
	return false
}

// suggestName turns a file name into a valid scenario name: every run of
// other characters becomes one '-'.
func suggestName(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		ok := r < 128 && (r == '_' || r == '.' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
		switch {
		case ok && (b.Len() > 0 || r != '.' && r != '-' && r != '_'):
			b.WriteRune(r)
			dash = false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if out == "" {
		return "scenario"
	}
	return out
}

// checkNotEmpty reports a scenario in which nothing would happen: without
// a client nobody sends a request, and a run would simulate its whole
// duration of nothing.
func (d *decoder) checkNotEmpty(sc *topology.Scenario) {
	for _, c := range sc.Components {
		if c.Kind == topology.KindClient {
			return
		}
	}
	if len(sc.Components) == 0 {
		d.at(tomlpos.Pos{}, "the scenario defines no components: add at least a [client.NAME] and the [service.NAME] it calls (docs/scenario-format.md)")
		return
	}
	d.at(tomlpos.Pos{}, "the scenario has no client, so nothing would send a request: add a [client.NAME] with a target")
}
