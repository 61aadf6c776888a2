//go:build js && wasm

package main

import (
	"github.com/failsim/failsim/cmd/simulate/playground"
	"github.com/failsim/failsim/cmd/simulate/playground/wasm"
	"github.com/failsim/failsim/plots/report"
)

func main() {
	lib, _ := playground.NewLibrary(nil, "") // report.wasm draws reports only
	wasm.Serve(&playground.Config{Library: lib, Report: func(summary, timeseries, scenario []byte) ([]byte, error) {
		return report.Page(summary, timeseries, report.Design{Text: scenario})
	}})
}
