// The failsim playground. One page for two engines: the server of
// `simulate serve` (POST api/METHOD, answered with lines of JSON) or the
// engine compiled to WebAssembly in a Web Worker (the static build). Both
// answer the same methods with the same messages (package playground,
// Config.Call). Every name and text that comes from a scenario is shown
// with textContent, never parsed as HTML.
"use strict";

const $ = (id) => document.getElementById(id);

// el makes an element: attributes from an object, children from strings
// (as text) or nodes.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// ---- engines -------------------------------------------------------------

// ServerEngine calls `simulate serve`.
class ServerEngine {
  // call posts a call and hands each line to onMessage; aborting signal
  // ends it, and the server stops the work it was doing for it.
  async call(method, arg, onMessage, signal) {
    let resp;
    try {
      resp = await fetch("api/" + method, { method: "POST", body: JSON.stringify(arg), signal });
    } catch (e) {
      if (e.name === "AbortError") return;
      throw e;
    }
    if (!resp.ok) {
      onMessage({ type: "error", problems: [{ text: (await resp.text()).trim() || resp.statusText }] });
      return;
    }
    const reader = resp.body.getReader();
    const decoder = new TextDecoder();
    let buf = "";
    for (;;) {
      let chunk;
      try {
        chunk = await reader.read();
      } catch (e) {
        if (e.name === "AbortError") return;
        throw e;
      }
      const { value, done } = chunk;
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line) onMessage(JSON.parse(line));
      }
    }
    if (buf.trim()) onMessage(JSON.parse(buf));
  }
}

// WasmEngine runs the engine in a Web Worker: worker.js loads the module
// and answers the same calls.
class WasmEngine {
  constructor(wasm) {
    this.worker = new Worker("worker.js?wasm=" + encodeURIComponent(wasm));
    this.calls = new Map();
    this.next = 1;
    this.worker.onmessage = (e) => {
      const { id, line, end } = e.data;
      const c = this.calls.get(id);
      if (!c) return;
      if (end) {
        this.calls.delete(id);
        c.resolve();
      } else {
        try { c.onMessage(JSON.parse(line)); } catch (err) { console.error(err); }
      }
    };
    this.worker.onerror = (e) => {
      for (const c of this.calls.values()) {
        c.onMessage({ type: "error", problems: [{ text: "the engine failed: " + (e.message || e) }] });
        c.resolve();
      }
      this.calls.clear();
    };
  }
  call(method, arg, onMessage) {
    const id = this.next++;
    return new Promise((resolve) => {
      this.calls.set(id, { onMessage, resolve });
      this.worker.postMessage({ id, method, arg: JSON.stringify(arg) });
    });
  }
}

const MODE = document.querySelector('meta[name="failsim-engine"]').content;
const engine = MODE === "wasm" ? new WasmEngine("failsim.wasm") : new ServerEngine();
let reportEngine = null; // the static build draws report.html with a second module, loaded when asked
function reporter() {
  if (MODE !== "wasm") return engine;
  if (!reportEngine) reportEngine = new WasmEngine("report.wasm");
  return reportEngine;
}

// call answers with the one message of a method that sends one, or throws
// its problems.
async function call(method, arg, eng) {
  let answer = null;
  await (eng || engine).call(method, arg, (m) => { answer = m; });
  if (!answer) throw new Error("no answer to " + method);
  if (answer.type === "error") throw new Problems(answer.problems);
  return answer;
}

class Problems extends Error {
  constructor(problems) {
    super(problems.map((p) => p.text).join("\n"));
    this.problems = problems;
  }
}

// ---- state ---------------------------------------------------------------

const S = {
  library: [],
  name: "",        // the library's scenario, "" for a text of one's own
  original: "",    // the library's text of name
  variant: "",
  seed: null,      // null: the scenario's
  sets: new Map(), // key -> value, for controls moved from their base
  inspection: null,
  pinned: null,    // side A once kept: { spec, view }
  current: null,   // the run going on: { spec, view, id, superseded }
};

// Measurements the browser test reads, and the engine's calls, for it to
// compare the engine's bytes with the command line's.
window.failsimStats = { runs: [] };
window.failsimCall = async (method, arg) => {
  const out = [];
  await engine.call(method, arg, (m) => out.push(m));
  return out;
};

function spec() {
  const text = $("text").value;
  const s = { name: S.name, variant: S.variant, sets: [...S.sets].map(([key, value]) => ({ key, value })) };
  if (!S.name || text !== S.original) s.text = text;
  if (S.seed !== null) s.seed = S.seed;
  return s;
}

function status(msg) { $("status").textContent = msg; }

function notice(msg) {
  $("notice").hidden = !msg;
  $("notice").textContent = msg || "";
}

// ---- editor --------------------------------------------------------------

function renderGutter() {
  const n = $("text").value.split("\n").length;
  const bad = new Map(), found = new Map();
  for (const p of (S.inspection && S.inspection.problems) || []) if (p.line) bad.set(p.line, p.msg);
  for (const f of (S.inspection && S.inspection.findings) || []) if (f.line) found.set(f.line, f.summary);
  const g = $("gutter");
  g.replaceChildren();
  for (let i = 1; i <= n; i++) {
    const span = el("span", {}, String(i));
    if (bad.has(i)) { span.className = "bad"; span.title = bad.get(i); }
    else if (found.has(i)) { span.className = "finding"; span.title = found.get(i); }
    g.append(span, "\n");
  }
  g.scrollTop = $("text").scrollTop;
}

// goToLine selects a line of the editor and scrolls to it.
function goToLine(line) {
  if (!line) return;
  const ta = $("text");
  const lines = ta.value.split("\n");
  let start = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
  const end = start + (lines[line - 1] || "").length;
  $("editor-box").open = true;
  ta.focus();
  ta.setSelectionRange(start, end);
  const lh = parseFloat(getComputedStyle(ta).lineHeight) || 18;
  ta.scrollTop = Math.max(0, (line - 4) * lh);
  renderGutter();
}

function lineLink(line, label) {
  return el("a", { class: "line", onclick: () => goToLine(line), title: "show line " + line }, label || "line " + line);
}

// ---- inspection: problems, controls, findings, topology -------------------

let inspectSeq = 0;
async function inspect() {
  const seq = ++inspectSeq;
  let ins;
  try {
    ins = await call("inspect", spec());
  } catch (e) {
    ins = { problems: e.problems || [{ text: String(e) }], controls: [], findings: [], topology: { nodes: [], edges: [] }, variants: [] };
  }
  if (seq !== inspectSeq) return null;
  S.inspection = ins;
  renderProblems();
  if (!ins.problems.length) {
    $("description").textContent = ins.description ? "— " + ins.description : "";
    $("seed").placeholder = String(ins.seed);
    if (S.seed === null) $("seed").value = String(ins.seed);
    renderVariants(ins.variants);
    renderControls();
    renderFindings();
    renderTopology();
    $("command").textContent = ins.command;
  }
  renderGutter();
  $("run").disabled = ins.problems.length > 0;
  return ins;
}

function renderProblems() {
  const ul = $("problems");
  ul.replaceChildren();
  for (const p of S.inspection.problems) {
    const li = el("li", {}, p.line ? lineLink(p.line, "line " + p.line + ":" + p.col) : "", p.line ? " " + p.msg : p.text);
    ul.append(li);
  }
}

function renderVariants(variants) {
  const sel = $("variant");
  const want = S.variant;
  sel.replaceChildren(el("option", { value: "" }, "base"));
  for (const v of variants) sel.append(el("option", { value: v }, v));
  sel.value = variants.includes(want) ? want : "";
  S.variant = sel.value;
}

function renderControls() {
  const box = $("controls");
  box.replaceChildren();
  let group = null, groupName = null;
  for (const c of S.inspection.controls) {
    if (c.component !== groupName) {
      groupName = c.component;
      group = el("div", { class: "group" }, el("h3", {}, c.component));
      box.append(group);
    }
    const value = S.sets.has(c.key) ? S.sets.get(c.key) : c.base;
    let choices = c.choices.slice(), names = c.names.slice();
    if (!choices.includes(value)) { choices.unshift(value); names.unshift(value.replace(/^"|"$/g, "")); }
    const input = el("input", { type: "range", min: "0", max: String(choices.length - 1), step: "1", value: String(choices.indexOf(value)), "aria-label": c.component + " " + c.label, "data-key": c.key });
    const shown = el("span", { class: "value" }, names[choices.indexOf(value)]);
    const row = el("div", { class: "control" + (value !== c.base ? " changed" : "") },
      c.line ? lineLink(c.line, c.label) : el("span", {}, c.label), input, shown,
      el("span", { class: "key" }, c.key));
    input.addEventListener("input", () => {
      const v = choices[+input.value];
      shown.textContent = names[+input.value];
      if (v === c.base) S.sets.delete(c.key); else S.sets.set(c.key, v);
      // Jitter applies to exponential backoff only: leaving it drops the
      // jitter's setting, which the loader would refuse.
      if (c.key.endsWith(".retry.backoff") && v !== '"exponential"') S.sets.delete(c.key.replace(/backoff$/, "jitter"));
      row.classList.toggle("changed", v !== c.base);
      settingsChanged();
    });
    group.append(row);
  }
}

let settingsTimer = null;
function settingsChanged() {
  clearTimeout(settingsTimer);
  settingsTimer = setTimeout(async () => {
    const ins = await inspect();
    if (ins && !ins.problems.length) run();
  }, 200);
}

function renderFindings() {
  const ul = $("findings");
  ul.replaceChildren();
  const fs = S.inspection.findings;
  if (!fs.length) ul.append(el("li", {}, "The check finds no mismatch in this design."));
  for (const f of fs) {
    ul.append(el("li", { class: f.severity },
      el("span", { class: "sev" }, f.severity), f.line ? lineLink(f.line) : "", " ", f.summary, " ",
      el("details", {}, el("summary", {}, "why, and the fix"), el("p", {}, f.explanation), el("p", {}, "Fix: " + f.fix), el("p", {}, "Rule " + f.rule))));
  }
}

// renderTopology draws the tiers left to right, callers before callees.
function renderTopology() {
  const { nodes, edges } = S.inspection.topology;
  const depth = new Map(nodes.map((n) => [n.name, 0]));
  for (let pass = 0; pass < nodes.length; pass++) {
    for (const e of edges) {
      if (e.from !== e.to && depth.get(e.to) <= depth.get(e.from)) depth.set(e.to, depth.get(e.from) + 1);
    }
  }
  const columns = [];
  for (const n of nodes) {
    const d = Math.min(depth.get(n.name), nodes.length);
    (columns[d] = columns[d] || []).push(n);
  }
  const W = 150, H = 64, gx = 70, gy = 22;
  const pos = new Map();
  columns.forEach((col, d) => col.forEach((n, i) => pos.set(n.name, { x: 10 + d * (W + gx), y: 10 + i * (H + gy) })));
  const width = 20 + columns.length * (W + gx) - gx, height = 20 + Math.max(1, ...columns.map((c) => (c || []).length)) * (H + gy) - gy;
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "topology" });
  const defs = svg("defs");
  const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" });
  marker.append(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#666" }));
  defs.append(marker);
  root.append(defs);
  for (const e of edges) {
    const a = pos.get(e.from), b = pos.get(e.to);
    if (!a || !b) continue;
    const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2;
    root.append(svg("path", { class: "edge", d: `M ${x1} ${y1} C ${x1 + 30} ${y1}, ${x2 - 30} ${y2}, ${x2} ${y2}`, "marker-end": "url(#arrow)" }));
    if (e.label) root.append(svg("text", { class: "edge-label", x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 4, "text-anchor": "middle" }, e.label));
  }
  for (const n of nodes) {
    const p = pos.get(n.name);
    const g = svg("g", { class: "node", transform: `translate(${p.x},${p.y})` });
    g.append(svg("rect", { width: W, height: H, rx: 6 }));
    g.append(svg("text", { x: W / 2, y: 26, "text-anchor": "middle", "font-weight": "bold" }, n.name.length > 20 ? n.name.slice(0, 19) + "…" : n.name));
    g.append(svg("text", { x: W / 2, y: 45, "text-anchor": "middle" }, n.kind.replace("_", " ") + (n.instances > 1 ? " ×" + n.instances : "")));
    g.append(svg("title", {}, n.name + (n.line ? " (line " + n.line + ")" : "")));
    g.addEventListener("click", () => goToLine(n.line));
    root.append(g);
  }
  $("topology").replaceChildren(root);
}

// ---- runs ----------------------------------------------------------------

const FAULT = "rgba(225, 87, 89, 0.13)";
const AXIS_FONT = "11px Liberation Sans, Arial, sans-serif";

// RunView shows one run: its verdict, numbers, live charts and downloads.
class RunView {
  constructor(box, label) {
    this.box = box;
    this.label = label;
  }

  reset(spec) {
    this.spec = spec;
    this.meta = null;
    this.summary = null;
    this.x = [];
    this.ys = [];
    this.plots = [];
    this.pending = false;
    this.lastDraw = 0;
    this.stats = { t0: performance.now(), firstDraw: null, draws: [], done: null, verdict: null, sha256: null, stopped: null, label: this.label };
    window.failsimStats.runs.push(this.stats);
    this.title = el("h2", {}, this.label + "running…");
    this.verdict = el("div", { class: "verdict" }, "");
    this.numbers = el("div", {});
    this.charts = el("div", {});
    this.downloads = el("div", { class: "downloads" });
    this.cmd = el("div", { class: "command" });
    this.box.replaceChildren(this.title, this.verdict, this.numbers, this.downloads, this.cmd, this.charts);
    this.box.hidden = false;
  }

  start(m) {
    this.meta = m;
    this.title.textContent = this.label + m.title + ", seed " + m.seed + ", " + m.sim_seconds + "s simulated";
    this.cmd.textContent = m.command;
    this.ys = m.charts.map((c) => c.lines.map(() => []));
    const width = Math.max(300, this.charts.clientWidth || this.box.clientWidth - 20);
    for (const [i, c] of m.charts.entries()) {
      const holder = el("div", { class: "chart" }, el("h4", { title: c.about }, c.title));
      this.charts.append(holder);
      if (!c.lines.length) {
        holder.append(el("p", { class: "hint" }, "nothing to draw: the run has none of this chart's metrics"));
        this.plots.push(null);
        continue;
      }
      const opts = {
        width, height: 200,
        scales: { x: { time: false, range: [0, m.sim_seconds] }, y: c.log ? { distr: 3, log: 10 } : { range: (u, lo, hi) => [Math.min(0, lo ?? 0), Math.max(hi ?? 1, c.rule ? c.rule * 1.2 : 1)] } },
        axes: [{ label: "simulated time (s)", size: 36, labelSize: 18, labelFont: AXIS_FONT },
          { label: c.ylabel, size: 56, labelSize: 18, labelFont: AXIS_FONT, values: c.log ? (u, vals) => vals.map(seconds) : undefined }],
        series: [{ label: "t (s)" }, ...c.lines.map((l) => ({ label: l.label, stroke: l.color, width: Math.min(l.width, 6), dash: l.dash ? [7, 4] : undefined, spanGaps: false, points: { show: false } }))],
        legend: { live: true },
        cursor: { drag: { x: false, y: false } },
        // The hooks hold the run's faults, not the view: a chart kept as A
        // goes on drawing its own.
        hooks: { drawClear: [(u) => drawBands(u, m.faults)], draw: [(u) => c.rule && drawRule(u, c.rule)] },
      };
      this.plots.push(new uPlot(opts, [this.x, ...this.ys[i]], holder));
    }
  }

  points(m) {
    for (const x of m.x) this.x.push(x);
    m.y.forEach((lines, c) => lines.forEach((vals, l) => { for (const v of vals) this.ys[c][l].push(v); }));
    this.schedule();
  }

  // schedule redraws at most every 100ms: ten frames a second while data
  // comes, none when it does not.
  schedule() {
    if (this.pending) return;
    this.pending = true;
    setTimeout(() => { this.pending = false; this.draw(); }, Math.max(0, 100 - (performance.now() - this.lastDraw)));
  }

  draw() {
    this.lastDraw = performance.now();
    this.plots.forEach((p, i) => p && p.setData([this.x, ...this.ys[i]]));
    if (this.stats.firstDraw === null && this.x.length) this.stats.firstDraw = this.lastDraw - this.stats.t0;
    this.stats.draws.push(this.lastDraw - this.stats.t0);
    this.stats.buckets = this.x.length;
  }

  done(m) {
    this.draw();
    const s = m.summary;
    this.summary = s;
    this.stats.done = performance.now() - this.stats.t0;
    this.stats.sha256 = m.sha256;
    this.stats.verdict = s.recovery.verdict;
    this.stats.stopped = m.stopped || null;
    const rec = s.recovery;
    this.verdict.textContent = "Recovery: " + rec.verdict + (rec.restored_by ? ", after intervention " + rec.restored_by : "");
    this.verdict.className = "verdict " + (rec.recovered === false ? "bad" : rec.recovered ? "good" : "");
    if (m.stopped) this.numbers.append(el("p", { class: "stopped" }, "Stopped: " + m.stopped));
    const c = s.clients, amp = c.logical_requests ? c.attempts / c.logical_requests : NaN;
    this.numbers.append(el("table", { class: "stats" },
      el("tr", {}, ...["logical", "success", "goodput", "attempts per request", "p50", "p99", "p99.9"].map((h) => el("th", {}, h))),
      el("tr", {}, ...[String(c.logical_requests), pct(c.success_rate), c.goodput_rps.toFixed(1) + "/s", isNaN(amp) ? "-" : amp.toFixed(2),
        seconds(c.latency_s.p50), seconds(c.latency_s.p99), seconds(c.latency_s.p999)].map((v) => el("td", {}, v)))));
    this.numbers.append(el("div", { class: "hint" }, "summary.json sha256 " + m.sha256.slice(0, 16) + "…"));
    this.title.textContent = this.title.textContent.replace(/ running…$/, "");
    for (const name of ["summary.json", "timeseries.csv", "scenario.toml", "report.html"]) {
      this.downloads.append(el("button", { class: "small", onclick: (e) => this.download(name, e.target) }, name));
    }
  }

  // resize fits the charts to their column.
  resize() {
    const width = Math.max(300, this.charts ? this.charts.clientWidth : 0);
    for (const p of this.plots || []) if (p) p.setSize({ width, height: 200 });
  }

  fail(problems) {
    this.title.textContent = this.label + "did not run";
    this.numbers.replaceChildren(...problems.map((p) => el("p", { class: "stopped" }, p.text)));
  }

  async download(name, button) {
    button.disabled = true;
    const was = button.textContent;
    button.textContent = name + " …";
    try {
      let text, type = name.endsWith(".json") ? "application/json" : "text/plain";
      if (name === "report.html") {
        text = (await call("report", this.spec, reporter())).html;
        type = "text/html";
      } else {
        text = (await call("files", this.spec)).files[name];
      }
      (window.failsimStats.downloads = window.failsimStats.downloads || []).push({ name, bytes: text.length, head: text.slice(0, 200) });
      const a = el("a", { href: URL.createObjectURL(new Blob([text], { type })), download: name });
      document.body.append(a);
      a.click();
      a.remove();
    } catch (e) {
      notice(String(e.message || e));
    } finally {
      button.disabled = false;
      button.textContent = was;
    }
  }
}

// drawBands shades each fault's window and names it.
function drawBands(u, faults) {
  const ctx = u.ctx;
  ctx.save();
  ctx.fillStyle = FAULT;
  ctx.font = `${11 * devicePixelRatio}px sans-serif`;
  for (const f of faults) {
    const x0 = u.valToPos(f.at_s, "x", true), x1 = u.valToPos(f.end_s, "x", true);
    ctx.fillRect(x0, u.bbox.top, Math.max(1, x1 - x0), u.bbox.height);
    ctx.fillStyle = "#b3261e";
    ctx.fillText(f.name, x0 + 3, u.bbox.top + 12 * devicePixelRatio);
    ctx.fillStyle = FAULT;
  }
  ctx.restore();
}

function drawRule(u, v) {
  const ctx = u.ctx, y = u.valToPos(v, "y", true);
  ctx.save();
  ctx.strokeStyle = "#666";
  ctx.setLineDash([4, 4]);
  ctx.beginPath();
  ctx.moveTo(u.bbox.left, y);
  ctx.lineTo(u.bbox.left + u.bbox.width, y);
  ctx.stroke();
  ctx.restore();
}

function pct(f) { return (100 * f).toFixed(1) + "%"; }
function seconds(s) {
  if (s == null || isNaN(s)) return "-";
  return s >= 1 ? +s.toFixed(2) + "s" : +(1000 * s).toPrecision(3) + "ms";
}

const views = { a: new RunView($("run-a"), "A: "), b: new RunView($("run-b"), "") };

// run runs the editor's scenario with the controls' settings, streaming
// into the current view; a run in progress is replaced.
async function run() {
  const prev = S.current;
  if (prev) {
    prev.superseded = true;
    prev.abort.abort(); // the server stops a run whose page went away
    if (prev.id && MODE === "wasm") engine.call("stop", { id: prev.id }, () => {});
  }
  notice("");
  const s = spec();
  const cur = { spec: s, view: views.b, id: null, superseded: false, abort: new AbortController() };
  S.current = cur;
  cur.view.reset(s);
  $("stop").disabled = false;
  status("running…");
  await streamInto(cur, s);
  if (S.current === cur) {
    S.current = null;
    $("stop").disabled = true;
    const st = cur.view.stats;
    status(st.stopped ? "stopped" : st.done !== null ? "done in " + (st.done / 1000).toFixed(2) + "s" : "");
  }
}

async function streamInto(cur, s) {
  await engine.call("run", s, (m) => {
    if (cur.superseded) {
      // Replaced before it said its id: stop it now that it has.
      if (m.type === "start" && MODE === "wasm") engine.call("stop", { id: m.id }, () => {});
      return;
    }
    switch (m.type) {
      case "start": cur.id = m.id; cur.view.start(m); break;
      case "points": cur.view.points(m); break;
      case "done": cur.view.done(m); break;
      case "error": cur.view.fail(m.problems); notice(m.problems.map((p) => p.text).join("\n")); break;
    }
  }, cur.abort.signal);
}

// stop asks the run in progress to stop: it ends where it is, with its
// results so far, marked incomplete.
function stop() {
  const cur = S.current;
  if (cur && cur.id) engine.call("stop", { id: cur.id }, () => {});
}

// ---- side by side, and over seeds ------------------------------------------

// pin keeps the run on screen as A and runs the same settings as B, to be
// moved from there.
function pin() {
  if (!views.b.summary) { notice("Run first: A is the run on screen."); return; }
  keepA();
  return run();
}

function keepA() {
  const a = views.a, b = views.b;
  S.pinned = { spec: b.spec };
  // The finished run moves to the left as A, charts and all; B starts from
  // the same settings on the right.
  a.box.replaceChildren(...b.box.childNodes);
  for (const k of ["spec", "summary", "meta", "plots", "x", "ys", "stats", "title", "charts"]) a[k] = b[k];
  b.plots = [];
  a.box.hidden = false;
  a.title.textContent = "A (today): " + a.title.textContent;
  $("runs").classList.add("two");
  for (const id of ["unpin", "seeds-label", "compare"]) $(id).hidden = false;
  $("pin").hidden = true;
  b.label = "B (the proposal): ";
  requestAnimationFrame(() => a.resize());
}

function unpin() {
  S.pinned = null;
  views.a.box.hidden = true;
  views.b.label = "";
  $("runs").classList.remove("two");
  requestAnimationFrame(() => views.b.resize());
  for (const id of ["unpin", "seeds-label", "compare"]) $(id).hidden = true;
  $("pin").hidden = false;
  $("compare-result").replaceChildren();
}

async function compare() {
  if (!S.pinned) return;
  const seeds = Math.max(2, Math.min(30, +$("seeds").value || 5));
  const bar = $("compare-progress");
  bar.hidden = false;
  bar.value = 0;
  $("compare").disabled = true;
  let result = null;
  await engine.call("compare", { a: S.pinned.spec, b: spec(), seeds }, (m) => {
    if (m.type === "progress") { bar.max = m.total; bar.value = m.done; status(`comparing: ${m.done} of ${m.total} runs`); }
    if (m.type === "compare") result = m.result;
    if (m.type === "error") notice(m.problems.map((p) => p.text).join("\n"));
  });
  bar.hidden = true;
  $("compare").disabled = false;
  if (result) { renderCompare(result); status("compared over " + seeds + " seeds"); }
}

function interval(e) {
  if (!e) return "-";
  const f = (v) => +v.toPrecision(3);
  return e.lo == null ? String(f(e.mean)) : `${f(e.mean)} [${f(e.lo)}, ${f(e.hi)}]`;
}

function renderCompare(r) {
  const table = el("table", {},
    el("caption", {}, `A against B over seeds ${r.seeds[0]}–${r.seeds[r.seeds.length - 1]}: mean [95% interval]`),
    el("tr", {}, ...["metric", "A", "B", "B − A", ""].map((h) => el("th", {}, h))));
  for (const m of r.metrics) {
    const d = m.differences[1];
    let cls = "", word = d && d.significant ? "significant" : "";
    if (d && d.significant) {
      const up = d.mean > 0;
      cls = (m.better === "higher") === up ? "better" : "worse";
      word = cls === "better" ? "B better" : "B worse";
    }
    table.append(el("tr", { class: cls }, el("td", {}, m.name + (m.unit ? " (" + m.unit + ")" : "")),
      el("td", {}, interval(m.estimates[0])), el("td", {}, interval(m.estimates[1])), el("td", {}, interval(d)), el("td", {}, word)));
  }
  const v = r.verdicts[0];
  const verdict = el("p", {}, v ? `B is better on ${v.better.length ? v.better.join(", ") : "nothing"}; worse on ${v.worse.length ? v.worse.join(", ") : "nothing"}.` : "");
  $("compare-result").replaceChildren(verdict, table);
}

// ---- share links -----------------------------------------------------------

async function share() {
  const st = S.pinned ? { a: S.pinned.spec, b: spec() } : { a: spec() };
  try {
    const { link } = await call("share", st);
    history.replaceState(null, "", "#" + link);
    const url = location.href;
    try { await navigator.clipboard.writeText(url); status("link copied"); } catch { status("link in the address bar"); }
    window.failsimStats.shared = url;
  } catch (e) {
    notice(String(e.message || e));
  }
}

// applySpec puts a spec into the page: scenario, text, variant, settings, seed.
async function applySpec(s) {
  S.name = s.name || "";
  S.original = "";
  if (S.name) S.original = (await call("scenario", { name: S.name })).text;
  $("scenario").value = S.name;
  $("text").value = s.text || S.original;
  S.variant = s.variant || "";
  S.sets = new Map((s.sets || []).map((x) => [x.key, x.value]));
  S.seed = s.seed === undefined || s.seed === null ? null : s.seed;
  $("seed").value = S.seed === null ? "" : String(S.seed);
  renderVariants(S.variant ? [S.variant] : []);
}

async function openLink(link) {
  let st;
  try {
    st = (await call("unshare", { link })).state;
  } catch (e) {
    notice("This link cannot be opened: " + (e.message || e));
    return false;
  }
  if (st.b) {
    await applySpec(st.a);
    await inspect();
    await run();
    keepA();
    await applySpec(st.b);
    if ((await inspect()).problems.length === 0) await run();
  } else {
    await applySpec(st.a);
    if ((await inspect()).problems.length === 0) await run();
  }
  return true;
}

// ---- start -----------------------------------------------------------------

async function loadScenario(name) {
  await applySpec({ name });
  await inspect();
}

async function main() {
  status(MODE === "wasm" ? "loading the engine…" : "");
  const lib = (await call("library", {})).scenarios;
  S.library = lib;
  const sel = $("scenario");
  const groups = new Map();
  for (const e of lib) {
    const label = e.section ? e.section : "Failures and their fixes";
    if (!groups.has(label)) { groups.set(label, el("optgroup", { label })); sel.append(groups.get(label)); }
    groups.get(label).append(el("option", { value: e.name, title: e.description || e.problem || "" }, e.name));
  }
  sel.append(el("option", { value: "" }, "(my own text)"));
  sel.addEventListener("change", () => { if (sel.value) loadScenario(sel.value); else { S.name = ""; inspect(); } });
  // A variant or a seed reruns at once, as the controls do.
  const rerun = async () => { const ins = await inspect(); if (ins && !ins.problems.length) run(); };
  $("variant").addEventListener("change", () => { S.variant = $("variant").value; S.sets.clear(); rerun(); });
  $("seed").addEventListener("change", () => { const v = $("seed").value.trim(); S.seed = v === "" ? null : Math.max(0, Math.floor(+v)); rerun(); });
  let editTimer = null;
  $("text").addEventListener("input", () => { renderGutter(); clearTimeout(editTimer); editTimer = setTimeout(inspect, 350); });
  $("text").addEventListener("scroll", () => { $("gutter").scrollTop = $("text").scrollTop; });
  $("run").addEventListener("click", run);
  $("stop").addEventListener("click", stop);
  $("share").addEventListener("click", share);
  $("pin").addEventListener("click", pin);
  $("unpin").addEventListener("click", unpin);
  $("compare").addEventListener("click", compare);
  window.addEventListener("resize", () => { views.a.resize(); views.b.resize(); });
  $("reset").addEventListener("click", (e) => { e.preventDefault(); S.sets.clear(); settingsChanged(); });
  const link = location.hash.slice(1);
  window.failsimStats.ready = true;
  if (!(link && (await openLink(link)))) {
    await loadScenario(lib.some((e) => e.name === "timeout-mismatch") ? "timeout-mismatch" : (lib[0] || {}).name);
    if (S.inspection && !S.inspection.problems.length) await run();
  }
}

main().catch((e) => { notice(String(e.stack || e)); });
