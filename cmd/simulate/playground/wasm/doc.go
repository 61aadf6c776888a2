// Package wasm runs the playground in the browser: compiled with
// GOOS=js GOARCH=wasm, Serve answers the page's calls from a Web Worker
// (assets/worker.js) with the same Config.Call the server uses. The two
// modules of the static build are its commands: engine (failsim.wasm: the
// library, runs, checks, comparisons, share links) and report
// (report.wasm: report.html, which needs the plotting library and is
// loaded only when a report is asked for).
package wasm
