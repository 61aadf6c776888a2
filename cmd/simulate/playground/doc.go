// Package playground is the simulator in a browser page: the scenario
// library, a TOML editor with the loader's errors at their line, controls
// bound to the --set keys that matter, the dashboard's charts drawn live
// while a run goes, the check's findings beside a drawing of the topology,
// two settings side by side and a comparison over seeds, share links that
// reproduce a run byte for byte, and the run's files to download.
//
// The page (assets/) is the same whether the engine runs on a server
// (`simulate serve`, Handler) or in the browser itself, compiled to
// WebAssembly and run in a Web Worker (the static build, package
// playground/wasm): both answer the page through Config.Call, one method
// and a JSON argument in, lines of JSON out, so both give the same numbers.
//
// What it runs is the engine's, unchanged: a run is sim.Run with the
// scenario and the seed, the charts are package plots/live's, summary.json
// is the bytes the command line writes. Everything a request carries is
// bounded (Limits), and the runaway guard (sim.Options.MaxInFlight) stops
// a run that diverges, with its reason shown on the page.
package playground
