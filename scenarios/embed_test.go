package scenarios

import (
	"io/fs"
	"reflect"
	"testing"

	"github.com/failsim/failsim/topology/scenariofile"
)

// A shipped scenario that imports configurations reads them from the
// embedded files as it does from the disk, so that the binary carries them.
func TestEmbeddedImports(t *testing.T) {
	src, err := FS.ReadFile("grpc-config.toml")
	if err != nil {
		t.Fatal(err)
	}
	sub, err := fs.Sub(FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, variant := range []string{"", "throttled"} {
		embedded, err := scenariofile.ParseFS(sub, "grpc-config.toml", src, variant)
		if err != nil {
			t.Fatal(err)
		}
		disk, err := scenariofile.Load("grpc-config.toml", variant)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(embedded.Components, disk.Components) {
			t.Errorf("variant %q: the embedded scenario differs from the one on disk", variant)
		}
		if embedded.Components[0].Client.Call.Retry.MaxAttempts != 3 {
			t.Errorf("variant %q: the client's retry policy was not imported: %+v", variant, embedded.Components[0].Client.Call.Retry)
		}
	}
}
