package playground

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/sim/experiment"
	"github.com/failsim/failsim/topology"
)

// Config is one playground: its library and how it runs. The server and
// the WebAssembly build each make one and answer the page with Call.
type Config struct {
	Library *Library

	// MaxInFlight is the runaway guard of every run (sim.Options): a run
	// with more calls in flight stops, and the page says why. 0 means
	// sim.DefaultMaxInFlight.
	MaxInFlight int

	// Parallel runs a comparison's runs; nil runs them one at a time.
	Parallel experiment.Parallel

	// Report draws report.html from a run's summary.json and
	// timeseries.csv and the scenario it ran (reportpage.Page); nil where
	// it cannot be drawn (the engine's WebAssembly module leaves it to a
	// second one, which links the plotting library).
	Report func(sc *topology.Scenario, summary, timeseries []byte) ([]byte, error)

	// Yield, when set, is called about every Interval of wall time while a
	// run goes, and after each run of a comparison: in the browser it lets
	// the worker hear "stop" between two stretches of work.
	Yield func()

	mu   sync.Mutex
	runs map[string]context.CancelFunc
}

// Interval is how often a run in progress sends what it has: often enough
// for the charts to redraw ten times a second, rarely enough to cost
// nothing.
const Interval = 50 * time.Millisecond

// Emit sends one message to the page: a JSON object on one line.
type Emit func(line []byte) error

// Methods the page calls, with their argument and what they send.
//
//	library            {}                           {"type":"library","scenarios":[Entry]}
//	scenario           {"name"}                     {"type":"scenario","name","text"}
//	inspect            Spec                         {"type":"inspection",...} (Inspection)
//	run                Spec                         start, points..., done (see Stream)
//	stop               {"id"}                       {"type":"stopped"}
//	files              Spec                         {"type":"files","files":{name: text}}
//	report             Spec                         {"type":"report","html"}
//	compare            {"a":Spec,"b":Spec,"seeds"}  progress..., {"type":"compare","result"}
//	share              State                        {"type":"share","link"}
//	unshare            {"link"}                     {"type":"state","state":State}
//
// Any of them may send {"type":"error","problems":[Problem]} instead.
var Methods = []string{"library", "scenario", "inspect", "run", "stop", "files", "report", "compare", "share", "unshare"}

// Call answers one call of the page. A problem with the input is sent as
// an error message, not returned: what Call returns is a failure to send.
func (c *Config) Call(ctx context.Context, method string, arg []byte, emit Emit) error {
	if len(arg) > MaxBody {
		return sendError(emit, inputErrorf("the request is %d KB, more than the playground's limit of %d KB", len(arg)>>10, MaxBody>>10))
	}
	var err error
	switch method {
	case "library":
		err = send(emit, map[string]any{"type": "library", "scenarios": c.Library.Entries()})
	case "scenario":
		var a struct{ Name string }
		if err = decode(arg, &a); err == nil {
			err = c.scenario(a.Name, emit)
		}
	case "inspect":
		var spec Spec
		if err = decode(arg, &spec); err == nil {
			var in *Inspection
			if in, err = c.Inspect(spec); err == nil {
				err = send(emit, in)
			}
		}
	case "run":
		var spec Spec
		if err = decode(arg, &spec); err == nil {
			err = c.Stream(ctx, spec, emit)
		}
	case "stop":
		var a struct{ ID string }
		if err = decode(arg, &a); err == nil {
			c.stop(a.ID)
			err = send(emit, map[string]string{"type": "stopped"})
		}
	case "files":
		var spec Spec
		if err = decode(arg, &spec); err == nil {
			var files map[string]string
			if files, err = c.Files(ctx, spec); err == nil {
				err = send(emit, map[string]any{"type": "files", "files": files})
			}
		}
	case "report":
		var spec Spec
		if err = decode(arg, &spec); err == nil {
			err = c.report(ctx, spec, emit)
		}
	case "compare":
		var a CompareRequest
		if err = decode(arg, &a); err == nil {
			err = c.Compare(ctx, a, emit)
		}
	case "share":
		var st State
		if err = decode(arg, &st); err == nil {
			var link string
			if link, err = EncodeState(st); err == nil {
				err = send(emit, map[string]string{"type": "share", "link": link})
			}
		}
	case "unshare":
		var a struct{ Link string }
		if err = decode(arg, &a); err == nil {
			var st State
			if st, err = DecodeState(a.Link); err == nil {
				err = send(emit, map[string]any{"type": "state", "state": st})
			}
		}
	default:
		err = inputErrorf("no method %q", method)
	}
	var ie *InputError
	if errors.As(err, &ie) {
		return sendError(emit, ie)
	}
	if err != nil && !errors.Is(err, errSend) {
		return sendError(emit, &InputError{Problems: []Problem{{Msg: err.Error(), Text: err.Error()}}})
	}
	return err
}

func (c *Config) scenario(name string, emit Emit) error {
	e, ok := c.Library.Lookup(name)
	if !ok {
		_, err := c.source(Spec{Name: name})
		return err
	}
	text, err := c.Library.Text(e)
	if err != nil {
		return err
	}
	return send(emit, map[string]string{"type": "scenario", "name": name, "text": string(text)})
}

// report runs spec again and draws its report.html.
func (c *Config) report(ctx context.Context, spec Spec, emit Emit) error {
	if c.Report == nil {
		return inputErrorf("report.html is not drawn here")
	}
	sc, _, sum, csv, err := c.files(ctx, spec)
	if err != nil {
		return err
	}
	html, err := c.Report(sc, sum, csv)
	if err != nil {
		return err
	}
	return send(emit, map[string]string{"type": "report", "html": string(html)})
}

// decode reads a call's argument, refusing fields it does not know.
func decode(arg []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(arg))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return inputErrorf("a bad request: %v", err)
	}
	return nil
}

// errSend marks a message that could not be sent: the page went away.
var errSend = errors.New("the page went away")

func send(emit Emit, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := emit(b); err != nil {
		return fmt.Errorf("%w: %v", errSend, err)
	}
	return nil
}

func sendError(emit Emit, e *InputError) error {
	return send(emit, map[string]any{"type": "error", "problems": e.Problems})
}

// register makes a run stoppable by id.
func (c *Config) register(cancel context.CancelFunc) string {
	var b [8]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.runs == nil {
		c.runs = map[string]context.CancelFunc{}
	}
	c.runs[id] = cancel
	return id
}

func (c *Config) unregister(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.runs, id)
}

func (c *Config) stop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cancel := c.runs[id]; cancel != nil {
		cancel()
	}
}

func (c *Config) maxInFlight() int {
	if c.MaxInFlight > 0 {
		return c.MaxInFlight
	}
	return sim.DefaultMaxInFlight
}

// nums is a series as JSON: a missing value (NaN) is null.
type nums []float64

func (n nums) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 8*len(n)+2)
	b = append(b, '[')
	for i, x := range n {
		if i > 0 {
			b = append(b, ',')
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendFloat(b, x, 'g', -1, 64)
		}
	}
	return append(b, ']'), nil
}
