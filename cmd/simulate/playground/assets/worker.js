// The engine in a Web Worker: Go compiled to WebAssembly (failsim.wasm, or
// report.wasm for report.html), answering the page's calls as the server
// does. Each call gets lines of JSON, then an end.
"use strict";
importScripts("wasm_exec.js");

const file = new URL(self.location.href).searchParams.get("wasm") || "failsim.wasm";

const ready = (async () => {
  if (file !== "failsim.wasm" && file !== "report.wasm") throw new Error("unknown module " + file);
  const go = new Go();
  let result;
  try {
    result = await WebAssembly.instantiateStreaming(fetch(file), go.importObject);
  } catch (e) {
    // A host that does not serve .wasm as application/wasm.
    const bytes = await (await fetch(file)).arrayBuffer();
    result = await WebAssembly.instantiate(bytes, go.importObject);
  }
  go.run(result.instance); // main registers failsimCall, then waits for calls
  if (typeof self.failsimCall !== "function") throw new Error(file + " did not start");
})();

self.onmessage = async (e) => {
  const { id, method, arg } = e.data;
  try {
    await ready;
  } catch (err) {
    self.postMessage({ id, line: JSON.stringify({ type: "error", problems: [{ text: "the engine did not load: " + err }] }) });
    self.postMessage({ id, end: true });
    return;
  }
  self.failsimCall(method, arg, (line) => {
    if (line === null || line === undefined) self.postMessage({ id, end: true });
    else self.postMessage({ id, line });
  });
};
