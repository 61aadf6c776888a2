//go:build js && wasm

package main

import (
	"github.com/failsim/failsim/cmd/simulate/playground"
	"github.com/failsim/failsim/cmd/simulate/playground/wasm"
	"github.com/failsim/failsim/scenarios"
)

func main() {
	lib, err := playground.NewLibrary(scenarios.FS, "scenarios/")
	if err != nil {
		panic(err) // the shipped scenarios are tested to load
	}
	wasm.Serve(&playground.Config{Library: lib})
}
