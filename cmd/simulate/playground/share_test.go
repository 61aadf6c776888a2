package playground_test

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"reflect"
	"strings"
	"testing"

	"github.com/failsim/failsim/cmd/simulate/playground"
)

func seed(n uint64) *uint64 { return &n }

// A link holds the whole state: opened, it gives back what was shared.
func TestALinkGivesBackWhatWasShared(t *testing.T) {
	for _, st := range []playground.State{
		{A: playground.Spec{Name: "retry-storm"}},
		{A: playground.Spec{Name: "retry-storm", Variant: "retry-budget", Sets: []playground.Set{{Key: "client.users.retry.max_attempts", Value: "5"}}, Seed: seed(0)},
			B: &playground.Spec{Name: "retry-storm", Text: "# edited\n", Seed: seed(7)}},
		{A: playground.Spec{Text: "name = \"<script>alert(1)</script>\"\n"}},
	} {
		link, err := playground.EncodeState(st)
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(link, "+/=#&?% ") {
			t.Errorf("link %q needs escaping in a URL", link)
		}
		got, err := playground.DecodeState("#" + link)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, st) {
			t.Errorf("shared %+v, opened %+v", st, got)
		}
	}
}

func deflated(s string) string {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	w.Write([]byte(s))
	w.Close()
	return "1." + base64.RawURLEncoding.EncodeToString(b.Bytes())
}

// A link that is not one says what is wrong with it.
func TestABadLinkSaysWhatIsWrong(t *testing.T) {
	bomb := deflated(`{"a":{"name":"x","text":"` + strings.Repeat("a", playground.MaxBody) + `"}}`)
	for _, tc := range []struct{ link, want string }{
		{"", "not a playground link"},
		{"2.abc", "not a playground link"},
		{"1.%%%", "damaged"},
		{"1." + base64.RawURLEncoding.EncodeToString([]byte("not deflate")), "damaged"},
		{deflated(`{"a":{"name":"x"},"c":1}`), "unknown field"},
		{deflated(`{"a":{}}`), "names no scenario"},
		{deflated(`{"a":{"name":"x"}}{}`), "more than one"},
		{bomb, "more than the limit"},
	} {
		_, err := playground.DecodeState(tc.link)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%.40q: %v, want an error saying %q", tc.link, err, tc.want)
		}
	}
}

// Whatever a link holds, decoding it never panics, and what it accepts
// encodes back to a link that opens the same.
func FuzzDecodeState(f *testing.F) {
	for _, s := range []string{"", "1.", deflated(`{"a":{"name":"retry-storm","sets":[{"key":"k","value":"v"}],"seed":3}}`),
		deflated(`{"a":{"text":"x"},"b":{"name":"y"}}`), deflated(`{"a":{"name":"x","seed":-1}}`)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, link string) {
		st, err := playground.DecodeState(link)
		if err != nil {
			return
		}
		again, err := playground.EncodeState(st)
		if err != nil {
			t.Fatalf("decoded %+v but cannot encode it: %v", st, err)
		}
		back, err := playground.DecodeState(again)
		if err != nil || !reflect.DeepEqual(back, st) {
			t.Fatalf("%+v encodes to a link that opens as %+v, %v", st, back, err)
		}
	})
}
