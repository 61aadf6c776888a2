// Command report draws report.html in the browser (report.wasm of the
// static build): it links the plotting library, which the engine's module
// leaves out, and is loaded only when the page asks for a report.
package main
