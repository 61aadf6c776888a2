package playground

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"io"
	"strings"
)

// State is what a share link holds: the run on screen (A) and, when the
// page compares, the other side (B). Opening the link runs A again with
// the same scenario text, variant, settings and seed: the same bytes.
type State struct {
	A Spec  `json:"a"`
	B *Spec `json:"b,omitempty"`
}

// linkVersion starts every link, so that a later format can still read
// the links of this one.
const linkVersion = "1."

// MaxLink is the longest link the decoder reads (its encoded form).
const MaxLink = 64 << 10

// EncodeState writes a state for a URL: its JSON, deflated, in base64url.
// A library scenario whose text was not edited is kept by name only.
func EncodeState(st State) (string, error) {
	if err := st.check(); err != nil {
		return "", err
	}
	js, err := json.Marshal(st)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression) // the level is valid
	w.Write(js)
	w.Close()
	link := linkVersion + base64.RawURLEncoding.EncodeToString(b.Bytes())
	if len(link) > MaxLink {
		return "", inputErrorf("the link would be %d KB, more than the limit of %d KB: shorten the scenario", len(link)>>10, MaxLink>>10)
	}
	return link, nil
}

// DecodeState reads what EncodeState wrote. Anything else is an error
// that says what is wrong with the link, never a panic, and a link cannot
// make it inflate more than the limits allow.
func DecodeState(link string) (State, error) {
	link = strings.TrimPrefix(strings.TrimSpace(link), "#")
	if len(link) > MaxLink {
		return State{}, inputErrorf("the link is %d KB, more than the limit of %d KB", len(link)>>10, MaxLink>>10)
	}
	rest, ok := strings.CutPrefix(link, linkVersion)
	if !ok {
		return State{}, inputErrorf("not a playground link: it should start with %q", linkVersion)
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return State{}, inputErrorf("the link is damaged (%v): was it cut short?", err)
	}
	js, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(raw)), MaxBody+1))
	if err != nil {
		return State{}, inputErrorf("the link is damaged: %v", err)
	}
	if len(js) > MaxBody {
		return State{}, inputErrorf("the link holds more than the limit of %d KB", MaxBody>>10)
	}
	var st State
	d := json.NewDecoder(bytes.NewReader(js))
	d.DisallowUnknownFields()
	if err := d.Decode(&st); err != nil {
		return State{}, inputErrorf("the link is damaged: %v", err)
	}
	if d.More() {
		return State{}, inputErrorf("the link is damaged: more than one state")
	}
	if err := st.check(); err != nil {
		return State{}, err
	}
	return st, nil
}

func (st State) check() error {
	for _, s := range []*Spec{&st.A, st.B} {
		switch {
		case s == nil:
		case len(s.Text) > MaxText:
			return inputErrorf("the scenario text is %d KB, more than the playground's limit of %d KB", len(s.Text)>>10, MaxText>>10)
		case len(s.Sets) > MaxSets:
			return inputErrorf("%d settings, more than the playground's limit of %d", len(s.Sets), MaxSets)
		case s.Name == "" && s.Text == "":
			return inputErrorf("the link names no scenario")
		}
	}
	return nil
}
