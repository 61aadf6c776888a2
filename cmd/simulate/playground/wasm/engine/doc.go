// Command engine is the playground's engine compiled to WebAssembly
// (failsim.wasm of the static build): the shipped scenarios, runs, the
// check, comparisons and share links, answered from a Web Worker. Build it
// with `simulate serve --static DIR`, which runs
// GOOS=js GOARCH=wasm go build for it.
package main
