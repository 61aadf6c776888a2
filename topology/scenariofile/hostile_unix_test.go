//go:build unix

package scenariofile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The files a scenario names: imports stay inside the scenario's folder,
// symbolic links included, and only regular files of bounded size are
// read, the scenario itself too. A named pipe would block the loader for
// ever, /dev/zero would feed it gigabytes before any size check.
func TestHostileFiles(t *testing.T) {
	const grpc = "[client.c]\ntarget = \"api\"\nrate = 10\ngrpc_service_config = \"c.json\"\ngrpc_method = \"a.B/C\"\n" +
		"[service.api]\nworkers = 1\nservice_time = \"1ms\"\n"
	outside := filepath.Join(t.TempDir(), "secret.json")
	if err := os.WriteFile(outside, []byte(`{"methodConfig": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		scenario string                       // s.toml's text, unless prepare makes it
		prepare  func(t *testing.T, d string) // lays out the scenario's folder d
		want     string
	}{
		{"import through a symbolic link out of the folder", grpc, func(t *testing.T, d string) { symlink(t, outside, d, "c.json") },
			"cannot read " + "DIR/c.json: it leads outside the scenario's folder"},
		{"import through a symbolic link to /dev/zero", grpc, func(t *testing.T, d string) { symlink(t, "/dev/zero", d, "c.json") },
			"DIR/c.json: it leads outside the scenario's folder"},
		{"import through a symbolic link inside the folder", grpc, func(t *testing.T, d string) {
			os.Mkdir(filepath.Join(d, "configs"), 0o755)
			os.WriteFile(filepath.Join(d, "configs", "real.json"), []byte(`{"methodConfig": [}`), 0o644)
			symlink(t, "configs/real.json", d, "c.json")
		}, "DIR/c.json:1:19: invalid JSON"}, // read: the link stays inside
		{"import of a named pipe", grpc, func(t *testing.T, d string) { mkfifo(t, d, "c.json") },
			"DIR/c.json: it is a named pipe, not a regular file"},
		{"import of a folder", grpc, func(t *testing.T, d string) { os.Mkdir(filepath.Join(d, "c.json"), 0o755) },
			"DIR/c.json: it is a folder, not a regular file"},
		{"import one byte too large", grpc, func(t *testing.T, d string) {
			os.WriteFile(filepath.Join(d, "c.json"), make([]byte, maxImportSize+1), 0o644)
		}, "DIR/c.json: it is larger than 1048576 bytes"},
		{"scenario that is a named pipe", "", func(t *testing.T, d string) { mkfifo(t, d, "s.toml") },
			"cannot read the scenario: it is a named pipe, not a regular file"},
		{"scenario that is /dev/zero", "", func(t *testing.T, d string) { symlink(t, "/dev/zero", d, "s.toml") },
			"cannot read the scenario: it is a device, not a regular file"},
		{"scenario one byte too large", "", func(t *testing.T, d string) {
			os.WriteFile(filepath.Join(d, "s.toml"), make([]byte, MaxScenarioSize+1), 0o644)
		}, "cannot read the scenario: it is larger than 4194304 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := t.TempDir()
			if tc.scenario != "" {
				os.WriteFile(filepath.Join(d, "s.toml"), []byte(tc.scenario), 0o644)
			}
			tc.prepare(t, d)
			alloc, took, err := bounded(t, func() error {
				_, err := Load(filepath.Join(d, "s.toml"), "")
				return err
			})
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("got %v, want a scenario error", err)
			}
			want := strings.ReplaceAll(tc.want, "DIR", d)
			if !strings.Contains(errs.Error(), want) {
				t.Errorf("got %v\nwant %q", errs, want)
			}
			if alloc > 3*MaxScenarioSize+(16<<20) {
				t.Errorf("took %v and %d MB to refuse", took, alloc>>20)
			}
		})
	}
}

// Whatever folder the imports come from, only regular files are read:
// os.DirFS follows a link to /dev/zero, readImport does not read it.
func TestImportsReadRegularFilesOnly(t *testing.T) {
	d := t.TempDir()
	symlink(t, "/dev/zero", d, "zero.json")
	_, err := readImport(os.DirFS(d), "zero.json", maxImportSize)
	if err == nil || !strings.Contains(err.Error(), "it is a device") {
		t.Fatalf("got %v, want a refusal of the device", err)
	}
}

func symlink(t *testing.T, target, dir, name string) {
	t.Helper()
	if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
}

func mkfifo(t *testing.T, dir, name string) {
	t.Helper()
	if err := syscall.Mkfifo(filepath.Join(dir, name), 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
}
