package traces

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"
)

// Model is what the traces say about a system: its services, their
// operations and the calls between them.
type Model struct {
	Files   []string
	Formats []string // per file: otlp, otlp lines, jaeger, es lines

	Spans, Traces  int
	Roots          int           // requests: operations entered from nowhere
	Window         time.Duration // from the first request's start to the last's
	MissingParents int           // spans whose parent is not in the files: taken as entered from nowhere, not as requests
	ClockSkews     int           // children that start before their parent (by less than MaxSkew)

	Services []*Service   // by name
	Ops      []*Operation // by service, then name
	Notes    []string     // what the reader should know: little evidence, guesses, skipped spans
}

// Service is a service.name, with the operations others call on it.
type Service struct {
	Name           string
	Instances      int  // distinct service.instance.id (or host.name); at least 1
	DB             bool // its spans, or the calls to it, carry db.system
	Proxy          bool // its spans carry Envoy's component=proxy
	Uninstrumented bool // known only from client spans that call it
	MaxConcurrent  int  // most of its operations in progress at once on one instance
	Ops            []*Operation
}

// Operation is a span name of a service entered from another service or
// from nowhere.
type Operation struct {
	Service *Service
	Name    string

	Count  int // entry spans
	Roots  int // of which entered from nowhere: requests
	Errors int // that failed with no failed call to blame: its own errors
	Server int // with kind SERVER or CONSUMER

	Durations []float64 // entry span durations, seconds, sorted
	Self      []float64 // own time: duration minus the time waiting on calls, seconds, sorted

	Calls   []*Edge        // by the mean time into the operation they start
	Groups  [][]int        // indices of Calls that run in parallel, in order: a group of one is sequential
	Callers map[string]int // calling operations' keys -> calls

	ownCalls int // spans of its own that called no one known (client spans without a peer)
	edges    map[*Operation]*Edge
	pairs    map[[2]*Operation]int // runs in which calls to two callees overlapped
}

// Key names an operation as "service/name".
func (o *Operation) Key() string { return o.Service.Name + "/" + o.Name }

// Edge is the calls of one operation to another.
type Edge struct {
	To       *Operation
	Logical  int   // calls, retries not counted
	Runs     int   // runs of the caller that made at least one
	Tries    []int // Tries[n]: logical calls that took n tries
	Retries  int
	Hedges   int
	Failed   int       // logical calls that failed after their tries
	Timeouts []float64 // how long tries that timed out waited, seconds, sorted
	Gaps     []float64 // waits between a failed try and its retry, seconds, sorted
	Overlap  int       // logical calls that overlapped another call to the same callee in the same run
	offset   float64   // sum of first-call start offsets, for the order

	Durations []float64 // per try, as the caller saw it, seconds, sorted
}

// PerRun is how many calls a run of the caller makes, on average.
func (e *Edge) PerRun(caller *Operation) float64 { return float64(e.Logical) / float64(caller.Count) }

// MaxTries is the most tries one logical call took.
func (e *Edge) MaxTries() int { return len(e.Tries) - 1 }

// MaxSkew is how far before its parent a child may start before the trace
// counts as broken: more than any caller-callee clock difference explains.
const MaxSkew = 10 * time.Millisecond

// Infer reads the spans and builds the model. It fails when the spans
// cannot make one: no span entered from another service in some file,
// most parents missing, a clock that goes backwards.
func (r *Reader) Infer() (*Model, error) {
	if len(r.spans) == 0 {
		return nil, &Error{File: "(input)", Msg: "no spans"}
	}
	m := &Model{Files: r.files, Formats: r.formats, Spans: len(r.spans)}
	sort.Slice(r.spans, func(i, j int) bool {
		a, b := &r.spans[i], &r.spans[j]
		if a.trace != b.trace {
			return a.trace < b.trace
		}
		if a.start != b.start {
			return a.start < b.start
		}
		return a.id < b.id
	})
	a := &analysis{r: r, m: m, ops: map[[2]uint32]*Operation{}, svcs: map[uint32]*Service{},
		insts: map[uint32]map[uint32]bool{}, busy: map[[2]uint32][]int64{}, serverish: make([]int, len(r.files))}
	a.learnAddresses()
	first, last := int64(math.MaxInt64), int64(math.MinInt64)
	for i := 0; i < len(r.spans); {
		j := i
		for j < len(r.spans) && r.spans[j].trace == r.spans[i].trace {
			j++
		}
		if err := a.trace(r.spans[i:j], &first, &last); err != nil {
			return nil, err
		}
		m.Traces++
		i = j
	}
	for f, n := range a.serverish {
		if n == 0 {
			return nil, &Error{File: r.files[f], Msg: "no server spans: no span has kind SERVER or CONSUMER, or is entered from another service; the import needs the spans of the services that handle calls, not only of their callers"}
		}
	}
	if m.MissingParents*2 > m.Spans {
		return nil, &Error{File: r.files[0], Msg: fmt.Sprintf("%d of %d spans name a parent that is in none of the files: this is not whole traces (a sampled or partial export?)", m.MissingParents, m.Spans)}
	}
	if m.Roots > 1 {
		m.Window = time.Duration(last - first)
	}
	a.finish()
	return m, nil
}

type analysis struct {
	r         *Reader
	m         *Model
	ops       map[[2]uint32]*Operation
	svcs      map[uint32]*Service
	insts     map[uint32]map[uint32]bool
	busy      map[[2]uint32][]int64 // (service, instance) -> starts and -ends of entries
	serverish []int

	addrOp map[[2]uint32]*Operation // (caller service, peer address) -> the operation its calls there reach
	idx    map[uint64]int32
	parent []int32
	kids   [][]int32
	entry  []bool
}

// learnAddresses finds, for the client spans whose callee's span is in
// the files, which operation each (caller service, peer address) reaches:
// a try that failed before it reached its callee (refused, reset, timed
// out connecting) has no child, and is a failed try to that operation, not
// a call to an uninstrumented peer.
func (a *analysis) learnAddresses() {
	sp := a.r.spans
	votes := map[[4]uint32]int{}
	for i := 0; i < len(sp); {
		j := i
		ids := map[uint64]int{}
		for j < len(sp) && sp[j].trace == sp[i].trace {
			ids[sp[j].id] = j
			j++
		}
		for k := i; k < j; k++ {
			c := &sp[k]
			if pi, ok := ids[c.parent]; ok && c.parent != 0 {
				p := &sp[pi]
				if p.kind == kindClient && p.peer != 0 && p.svc != c.svc {
					votes[[4]uint32{p.svc, p.peer, c.svc, c.name}]++
				}
			}
		}
		i = j
	}
	best := map[[2]uint32][3]uint32{} // -> callee service, name, votes
	for k, n := range votes {
		key := [2]uint32{k[0], k[1]}
		b, ok := best[key]
		if !ok || uint32(n) > b[2] || uint32(n) == b[2] && a.r.strs[k[2]]+"/"+a.r.strs[k[3]] < a.r.strs[b[0]]+"/"+a.r.strs[b[1]] {
			best[key] = [3]uint32{k[2], k[3], uint32(n)}
		}
	}
	a.addrOp = map[[2]uint32]*Operation{}
	for k, b := range best {
		a.addrOp[k] = a.op(b[0], b[1])
	}
}

func (a *analysis) service(svc uint32) *Service {
	s := a.svcs[svc]
	if s == nil {
		s = &Service{Name: a.r.strs[svc]}
		a.svcs[svc] = s
		a.insts[svc] = map[uint32]bool{}
	}
	return s
}

func (a *analysis) op(svc, name uint32) *Operation {
	k := [2]uint32{svc, name}
	o := a.ops[k]
	if o == nil {
		s := a.service(svc)
		o = &Operation{Service: s, Name: a.r.strs[name], Callers: map[string]int{}, edges: map[*Operation]*Edge{}, pairs: map[[2]*Operation]int{}}
		a.ops[k] = o
		s.Ops = append(s.Ops, o)
	}
	return o
}

// call is one try as its caller saw it.
type call struct {
	start, end       int64
	to               *Operation
	failed, timedOut bool
	hedge, resend    bool
	logical          int // index into the run's logical calls
	continued        bool
}

type logical struct {
	start, end int64
	to         *Operation
	tries      int
	failed     bool
	hedges     int
}

func (a *analysis) trace(sp []span, first, last *int64) error {
	n := len(sp)
	if a.idx == nil {
		a.idx = map[uint64]int32{}
	}
	clear(a.idx)
	for i := range sp {
		a.idx[sp[i].id] = int32(i)
	}
	a.parent = slices.Grow(a.parent[:0], n)[:n]
	a.entry = slices.Grow(a.entry[:0], n)[:n]
	for len(a.kids) < n {
		a.kids = append(a.kids, nil)
	}
	for i := 0; i < n; i++ {
		a.kids[i] = a.kids[i][:0]
	}
	for i := range sp {
		s := &sp[i]
		p := int32(-1)
		if s.parent != 0 {
			if q, ok := a.idx[s.parent]; ok && q != int32(i) {
				p = q
			} else {
				a.m.MissingParents++
			}
		}
		a.parent[i] = p
		if p >= 0 {
			a.kids[p] = append(a.kids[p], int32(i))
			ps := &sp[p]
			if skew := ps.start - s.start; skew > 0 {
				if skew > int64(MaxSkew) {
					return &Error{File: a.r.files[s.file], Line: int(s.line), Msg: fmt.Sprintf("trace %s: span %016x (%s) starts %s before its parent %016x: the clocks go backwards within the trace",
						a.traceHex(s.trace), s.id, a.r.strs[s.name], fmtNanos(skew), ps.id)}
				}
				a.m.ClockSkews++
			}
		}
		a.entry[i] = p < 0 || sp[p].svc != s.svc
		if s.kind == kindServer || s.kind == kindConsumer || (a.entry[i] && p >= 0) {
			a.serverish[s.file]++
		}
		a.service(s.svc)
		a.insts[s.svc][s.inst] = true
	}
	if c := a.cycle(); c >= 0 {
		s := &sp[c]
		return &Error{File: a.r.files[s.file], Line: int(s.line), Msg: fmt.Sprintf("trace %s: span %016x (%s) is its own ancestor: its parent links go round in a circle", a.traceHex(s.trace), s.id, a.r.strs[s.name])}
	}
	for i := range sp {
		if !a.entry[i] {
			continue
		}
		s := &sp[i]
		o := a.op(s.svc, s.name)
		if a.parent[i] < 0 && s.parent == 0 {
			o.Roots++
			a.m.Roots++
			*first = min(*first, s.start)
			*last = max(*last, s.start)
		}
		if s.kind == kindServer || s.kind == kindConsumer {
			o.Server++
		}
		if s.flags&flagDB != 0 {
			o.Service.DB = true
		}
		if s.flags&flagProxy != 0 {
			o.Service.Proxy = true
		}
		k := [2]uint32{s.svc, s.inst}
		a.busy[k] = append(a.busy[k], s.start, -s.end)
		a.run(sp, int32(i), o)
	}
	return nil
}

// cycle returns a span whose parent links loop back to it, or -1.
func (a *analysis) cycle() int {
	state := make([]uint8, len(a.parent)) // 0 not seen, 1 on the current path, 2 done
	for i := range a.parent {
		var path []int32
		j := int32(i)
		for j >= 0 && state[j] == 0 {
			state[j] = 1
			path = append(path, j)
			j = a.parent[j]
		}
		if j >= 0 && state[j] == 1 {
			return int(j)
		}
		for _, k := range path {
			state[k] = 2
		}
	}
	return -1
}

func (a *analysis) traceHex(t uint32) string {
	for id, i := range a.r.traceID {
		if i == t {
			return fmt.Sprintf("%x", id)
		}
	}
	return "?"
}

// run analyses one run of operation o: entry span e and what it called.
func (a *analysis) run(sp []span, e int32, o *Operation) {
	es := &sp[e]
	var calls []call
	stack := []int32{e}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		xs := &sp[x]
		cross := 0
		for _, c := range a.kids[x] {
			if sp[c].svc != es.svc {
				cross++
			}
		}
		for _, c := range a.kids[x] {
			cs := &sp[c]
			if cs.svc == es.svc {
				stack = append(stack, c)
				continue
			}
			to := a.op(cs.svc, cs.name)
			to.Callers[o.Key()]++
			k := call{start: cs.start, end: cs.end, to: to, failed: cs.flags&flagError != 0, timedOut: cs.flags&flagTimeout != 0,
				hedge: cs.flags&flagHedge != 0, resend: cs.flags&flagResend != 0}
			if xs.kind == kindClient && cross == 1 && x != e {
				k.start, k.end = xs.start, xs.end
				k.failed = k.failed || xs.flags&flagError != 0
				k.timedOut = xs.flags&flagTimeout != 0 || (xs.flags&flagError != 0 && cs.end > xs.end+int64(time.Millisecond))
				k.hedge, k.resend = k.hedge || xs.flags&flagHedge != 0, k.resend || xs.flags&flagResend != 0
				if xs.flags&flagDB != 0 {
					to.Service.DB = true
				}
			}
			calls = append(calls, k)
		}
		if x != e && xs.kind == kindClient && len(a.kids[x]) == 0 {
			if to := a.addrOp[[2]uint32{xs.svc, xs.peer}]; to != nil && xs.flags&flagError != 0 {
				to.Callers[o.Key()]++
				calls = append(calls, call{start: xs.start, end: xs.end, to: to, failed: true,
					timedOut: xs.flags&flagTimeout != 0, hedge: xs.flags&flagHedge != 0, resend: xs.flags&flagResend != 0})
				continue
			}
			if xs.peer == 0 {
				o.ownCalls++
				continue
			}
			to := a.op(xs.peer, xs.name)
			to.Service.Uninstrumented = true
			if xs.flags&flagDB != 0 {
				to.Service.DB = true
			}
			to.Count++
			to.Callers[o.Key()]++
			a.service(xs.peer)
			k := [2]uint32{xs.peer, 0}
			a.busy[k] = append(a.busy[k], xs.start, -xs.end)
			d := float64(xs.end-xs.start) / 1e9
			to.Durations = append(to.Durations, d)
			to.Self = append(to.Self, d)
			calls = append(calls, call{start: xs.start, end: xs.end, to: to, failed: xs.flags&flagError != 0,
				timedOut: xs.flags&flagTimeout != 0, hedge: xs.flags&flagHedge != 0, resend: xs.flags&flagResend != 0})
		}
	}
	slices.SortStableFunc(calls, func(x, y call) int { return cmp.Compare(x.start, y.start) })

	// Retries: a try to the same callee after a failed one (or marked as a
	// resend or a hedge) continues that logical call.
	var logs []logical
	const slack = int64(500 * time.Microsecond)
	for i := range calls {
		k := &calls[i]
		prev := -1
		for j := i - 1; j >= 0; j-- {
			q := &calls[j]
			if q.to != k.to || q.continued {
				continue
			}
			if (q.failed && q.end <= k.start+slack) || k.resend || k.hedge {
				prev = j
			}
			break
		}
		if prev >= 0 {
			q := &calls[prev]
			q.continued = true
			k.logical = q.logical
			l := &logs[k.logical]
			l.tries++
			l.end = max(l.end, k.end)
			l.failed = k.failed
			ed := a.edge(o, k.to)
			if k.hedge {
				l.hedges++
				ed.Hedges++
			} else {
				ed.Retries++
				ed.Gaps = append(ed.Gaps, float64(max(0, k.start-q.end))/1e9)
			}
		} else {
			k.logical = len(logs)
			logs = append(logs, logical{start: k.start, end: k.end, to: k.to, tries: 1, failed: k.failed})
		}
		ed := a.edge(o, k.to)
		ed.Durations = append(ed.Durations, float64(k.end-k.start)/1e9)
		if k.timedOut {
			ed.Timeouts = append(ed.Timeouts, float64(k.end-k.start)/1e9)
		}
	}

	// Own time: the span minus the union of the tries' intervals within it.
	var waited, curS, curE int64
	curS, curE = -1, -1
	failedCall := false
	for i := range calls {
		s, t := max(calls[i].start, es.start), min(calls[i].end, es.end)
		if t <= s {
			continue
		}
		if s > curE {
			if curE > curS {
				waited += curE - curS
			}
			curS, curE = s, t
		} else {
			curE = max(curE, t)
		}
	}
	if curE > curS {
		waited += curE - curS
	}
	dur := es.end - es.start
	o.Count++
	o.Durations = append(o.Durations, float64(dur)/1e9)
	o.Self = append(o.Self, float64(max(0, dur-waited))/1e9)

	// Per callee: calls, tries, failures, order; overlaps.
	seen := map[*Operation]bool{}
	for i := range logs {
		l := &logs[i]
		ed := a.edge(o, l.to)
		ed.Logical++
		for len(ed.Tries) <= l.tries {
			ed.Tries = append(ed.Tries, 0)
		}
		ed.Tries[l.tries]++
		if l.failed {
			ed.Failed++
			failedCall = true
		}
		if !seen[l.to] {
			seen[l.to] = true
			ed.Runs++
			ed.offset += float64(l.start-es.start) / 1e9
		}
		for j := i + 1; j < len(logs); j++ {
			m := &logs[j]
			if m.start >= l.end-slack {
				continue
			}
			if m.to == l.to {
				ed.Overlap++
			} else {
				p := [2]*Operation{l.to, m.to}
				if p[0].Key() > p[1].Key() {
					p[0], p[1] = p[1], p[0]
				}
				o.pairs[p]++
			}
		}
	}
	if es.flags&flagError != 0 && !failedCall {
		o.Errors++
	}
}

func (a *analysis) edge(o, to *Operation) *Edge {
	e := o.edges[to]
	if e == nil {
		e = &Edge{To: to, Tries: []int{0}}
		o.edges[to] = e
		o.Calls = append(o.Calls, e)
	}
	return e
}

// finish sorts everything into a deterministic order and computes what
// needs all the spans: instances, concurrency, call order and groups.
func (a *analysis) finish() {
	m := a.m
	for svc, s := range a.svcs {
		s.Instances = max(1, len(a.insts[svc]))
		if len(a.insts[svc]) == 1 && a.insts[svc][0] {
			s.Instances = 1
		}
		m.Services = append(m.Services, s)
	}
	for k, ev := range a.busy {
		slices.SortFunc(ev, func(x, y int64) int { return cmp.Compare(abs(x), abs(y)) })
		n, most := 0, 0
		for _, t := range ev {
			if t > 0 {
				n++
			} else {
				n--
			}
			most = max(most, n)
		}
		s := a.svcs[k[0]]
		s.MaxConcurrent = max(s.MaxConcurrent, most)
	}
	slices.SortFunc(m.Services, func(x, y *Service) int { return cmp.Compare(x.Name, y.Name) })
	for _, s := range m.Services {
		slices.SortFunc(s.Ops, func(x, y *Operation) int { return cmp.Compare(x.Name, y.Name) })
		m.Ops = append(m.Ops, s.Ops...)
	}
	for _, o := range m.Ops {
		slices.Sort(o.Durations)
		slices.Sort(o.Self)
		slices.SortStableFunc(o.Calls, func(x, y *Edge) int {
			return cmp.Or(cmp.Compare(x.offset/float64(x.Runs), y.offset/float64(y.Runs)), cmp.Compare(x.To.Key(), y.To.Key()))
		})
		for _, e := range o.Calls {
			slices.Sort(e.Timeouts)
			slices.Sort(e.Gaps)
			slices.Sort(e.Durations)
		}
		// A callee whose calls overlapped those to a member of the group
		// before it, in most runs where both were called, joins that
		// parallel group.
		for i, e := range o.Calls {
			if n := len(o.Groups); n > 0 {
				joined := false
				for _, j := range o.Groups[n-1] {
					prev := o.Calls[j]
					p := [2]*Operation{prev.To, e.To}
					if p[0].Key() > p[1].Key() {
						p[0], p[1] = p[1], p[0]
					}
					joined = joined || 2*o.pairs[p] > min(prev.Runs, e.Runs)
				}
				if joined {
					o.Groups[n-1] = append(o.Groups[n-1], i)
					continue
				}
			}
			o.Groups = append(o.Groups, []int{i})
		}
	}
	if m.Traces == 1 {
		m.Notes = append(m.Notes, "one trace is little evidence: every number below comes from a single request; no rate can be measured")
	}
	if m.MissingParents > 0 {
		m.Notes = append(m.Notes, fmt.Sprintf("%d span(s) name a parent that is in none of the files; they are taken as entered from an unknown caller", m.MissingParents))
	}
	if m.ClockSkews > 0 {
		m.Notes = append(m.Notes, fmt.Sprintf("%d span(s) start before their parent (by less than %s): clock skew between hosts", m.ClockSkews, MaxSkew))
	}
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// Quantile is the q-quantile of sorted values, interpolated linearly.
func Quantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	switch {
	case n == 0:
		return math.NaN()
	case n == 1:
		return sorted[0]
	}
	x := q * float64(n-1)
	i := int(x)
	if i >= n-1 {
		return sorted[n-1]
	}
	return sorted[i] + (x-float64(i))*(sorted[i+1]-sorted[i])
}

// Lognormal fits a lognormal to the positive values by moments of their
// logarithms; it returns its median and 99th percentile, and the
// Kolmogorov-Smirnov distance between the fit and the values.
func Lognormal(sorted []float64) (median, p99, ks float64) {
	var sum, sq float64
	n := 0
	for _, v := range sorted {
		if v > 0 {
			l := math.Log(v)
			sum += l
			sq += l * l
			n++
		}
	}
	if n < 2 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	mu := sum / float64(n)
	sigma := math.Sqrt(max(0, sq/float64(n)-mu*mu))
	median, p99 = math.Exp(mu), math.Exp(mu+2.326*sigma)
	for i, v := range sorted {
		var f float64
		if v > 0 && sigma > 0 {
			f = 0.5 * math.Erfc(-(math.Log(v)-mu)/(sigma*math.Sqrt2))
		} else if v >= median {
			f = 1
		}
		ks = max(ks, math.Abs(f-float64(i)/float64(len(sorted))), math.Abs(f-float64(i+1)/float64(len(sorted))))
	}
	return median, p99, ks
}
