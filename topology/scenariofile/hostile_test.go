package scenariofile

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// A scenario file is code a reviewer may run from a pull request. Each
// input below was found to take the loader gigabytes or minutes, or to
// lead it out of the output folder; each must now be refused at once, with
// a message that says where and what, in bounded memory.
func TestHostileScenarios(t *testing.T) {
	deep := func(open, close string, n int) string { return strings.Repeat(open, n) + strings.Repeat(close, n) }
	const lb = "[client.c]\ntarget = \"lb\"\nrate = 10\n[load_balancer.lb]\ntargets = [\"api\"]\nenvoy_route = \"r.yaml\"\n" +
		"[service.api]\nworkers = 1\nservice_time = \"1ms\"\n"
	const grpc = "[client.c]\ntarget = \"api\"\nrate = 10\ngrpc_service_config = \"c.json\"\ngrpc_method = \"a.B/C\"\n" +
		"[service.api]\nworkers = 1\nservice_time = \"1ms\"\n"
	longKey := strings.Repeat("k", 1100)
	for _, tc := range []struct {
		name    string
		src     string
		files   map[string]string // imported files
		sets    []Setting
		variant string
		want    string
	}{
		// Nesting: the TOML library's cost grows with the square of the depth.
		{name: "arrays 100,000 deep", src: "a = " + deep("[", "]", 100_000), want: "f.toml:1:37: nested more than 32 levels deep"},
		{name: "inline tables 50,000 deep", src: "a = " + deep("{b = ", "}", 50_000), want: "f.toml:1:165: nested more than 32 levels deep"},
		{name: "dotted key 50,000 parts", src: strings.Repeat("b.", 50_000) + "c = 1", want: "f.toml:1:66: nested more than 32 levels deep"},
		{name: "table header 50,000 parts", src: "[" + strings.Repeat("b.", 50_000) + "c]", want: "f.toml:1:65: nested more than 32 levels deep"},
		{name: "nesting in a --set", src: tiny, sets: []Setting{{Key: "client.c.rate", Value: deep("[", "]", 100_000)}}, want: "nested more than 32 levels deep"},
		{name: "gRPC config 50,000 deep", src: grpc, files: map[string]string{"c.json": `{"methodConfig": ` + deep("[", "]", 50_000) + "}"},
			want: "c.json:1:50: nested more than 32 levels deep"},
		{name: "Envoy route 9,000 deep", src: lb, files: map[string]string{"r.yaml": "virtual_hosts: " + deep("[", "]", 9_000)},
			want: "r.yaml:1:48: nested more than 32 levels deep"},
		// Size: every node keeps its path; a long name and many keys below it
		// would take gigabytes.
		{name: "long table name, many keys", src: "[" + longKey + "]\n" + manyKeys(1000),
			want: "key path longer than 1024 characters"},
		{name: "too many values", src: "a = [" + strings.Repeat("1,", MaxValues) + "1]", want: "more than 100000 values"},
		// Names lead out of the output folder.
		{name: "name with ../", src: `name = "../../escape1"` + "\n" + tiny, want: `f.toml:1:8: name "../../escape1": use letters`},
		{name: "--set name", src: tiny, sets: []Setting{{Key: "name", Value: "../../x"}}, want: `--set name=../../x: name "../../x"`},
		{name: "variant name with ../", src: tiny + "[variant.\"../../../vv\"]\ndescription = \"x\"\n", variant: "../../../vv",
			want: `variant name "../../../vv": use letters`},
		// Buckets: a run keeps one value per metric per bucket, whatever set
		// the duration and the bucket.
		{name: "a long duration in default buckets", src: `duration = "2562047h"` + "\n" + tiny,
			want: "f.toml:1:12: duration: 2562047h in buckets of 1s is 9223369200 buckets; a run keeps at most 1000000"},
		{name: "a long duration in a --set", src: tiny, sets: []Setting{{Key: "duration", Value: "2562047h"}},
			want: "--set duration=2562047h: duration: 2562047h in buckets of 1s"},
		{name: "a short bucket in a --set", src: `duration = "2h"` + "\n" + tiny, sets: []Setting{{Key: "metrics.bucket", Value: "1ms"}},
			want: "--set metrics.bucket=1ms: metrics: bucket: 2h in buckets of 1ms is 7200000 buckets"},
		{name: "a short bucket in the file", src: "duration = \"2h\"\n[metrics]\nbucket = \"1ms\"\n" + tiny,
			want: "f.toml:3:10: metrics: bucket: 2h in buckets of 1ms is 7200000 buckets"},
		// Nothing to run.
		{name: "empty file", src: "", want: "the scenario defines no components"},
		{name: "no client", src: "[service.api]\nworkers = 1\nservice_time = \"1ms\"\n", want: "the scenario has no client"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, text := range tc.files {
				fsys[name] = &fstest.MapFile{Data: []byte(text)}
			}
			alloc, took, err := bounded(t, func() error {
				_, err := ParseFS(fsys, "f.toml", []byte(tc.src), tc.variant, tc.sets...)
				return err
			})
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("got %v, want a scenario error", err)
			}
			if !strings.Contains(errs.Error(), tc.want) {
				t.Errorf("got %v\nwant %q", errs, tc.want)
			}
			if alloc > 128<<20 || took > 2*time.Second {
				t.Errorf("took %v and %d MB to refuse", took, alloc>>20)
			}
		})
	}
}

// manyKeys is n lines k0 = 1, k1 = 1...
func manyKeys(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "k%d = 1\n", i)
	}
	return b.String()
}

// tiny is a scenario that runs.
const tiny = `[client.c]
target = "s"
rate = 10
[service.s]
workers = 1
service_time = "1ms"
`
