// Package reportpage draws the playground's report.html as `simulate run
// --plot` draws it: the run's figures and tables with the scenario's text,
// its topology drawn and the design check's findings. It is a package of
// its own because it links the plotting library, which the engine built
// for the browser leaves out: `simulate serve` and the static build's
// report.wasm use it, failsim.wasm does not.
package reportpage

import (
	"bytes"

	"github.com/failsim/failsim/plots"
	"github.com/failsim/failsim/plots/report"
	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/check"
)

// Page draws report.html from a run's summary.json and timeseries.csv and
// the scenario it ran (variant and settings applied).
func Page(sc *topology.Scenario, summary, timeseries []byte) ([]byte, error) {
	var checked bytes.Buffer
	if err := check.Run(sc).WriteJSON(&checked); err != nil {
		return nil, err
	}
	design, err := report.ParseDesign(sc.Source, plots.Topology(sc), checked.Bytes())
	if err != nil {
		return nil, err
	}
	return report.Page(summary, timeseries, design)
}
