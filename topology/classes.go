package topology

// Class is a request class: an operation a client sends as a weighted part
// of its mix (browse, search, checkout), with its own entry point and call
// policy, its own path through the services, and a criticality that goes
// with every call made for it.
type Class struct {
	Name        string
	Weight      float64 // relative to the client's other classes; more than zero
	Criticality Criticality
	Explicit    bool       // the criticality is written in the file (else the default, CRITICAL)
	Target      int        // the component its requests go to: the client's target unless it says otherwise
	Call        CallPolicy // the client's policy, with the keys the class sets of its own
	Paths       []ClassPath
	Pos         Pos
}

// ClassPath is what a class changes at one server (every instance of a
// replicated service has its own): which of its calls the class makes and
// how long its work takes.
type ClassPath struct {
	Server int
	Calls  []bool // by call index: the class makes it; nil for every call the server makes
	Work   *Dist  // the class's service (query) time there; nil for the server's own
}

// Criticality is Google's request criticality (the SRE book, "Handling
// Overload"): it propagates to every call made for a request, and an
// overloaded server rejects the lowest levels first.
type Criticality uint8

// The levels, lowest first. CRITICAL is the default, as in Google's RPC
// system.
const (
	Sheddable     Criticality = iota // SHEDDABLE: may see frequent partial unavailability
	SheddablePlus                    // SHEDDABLE_PLUS: batch work that can be retried later
	Critical                         // CRITICAL: the default for production requests
	CriticalPlus                     // CRITICAL_PLUS: the most critical, whose rejection users see
)

// CriticalityNames are the names scenario files give criticalities, indexed
// by value; Google writes them in capitals (CRITICAL_PLUS).
var CriticalityNames = []string{"sheddable", "sheddable_plus", "critical", "critical_plus"}

func (c Criticality) String() string { return CriticalityNames[c] }

// Retried reports whether a call of this criticality that was refused may
// be retried: a sheddable request refused by an overloaded server should not
// be (the SRE book: such retries only add to the overload).
func (c Criticality) Retried() bool { return c >= Critical }

// Classes lists every client's request classes in the order of the
// clients, then of each client's operations: the order the engine numbers
// them in.
func (sc *Scenario) Classes() []*Class {
	var out []*Class
	for i := range sc.Components {
		if cl := sc.Components[i].Client; cl != nil {
			for j := range cl.Classes {
				out = append(out, &cl.Classes[j])
			}
		}
	}
	return out
}
