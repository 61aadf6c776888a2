package scenariofile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// Limits on what the loader reads. A scenario file is a few kilobytes, an
// imported service config or Envoy resource too; anything far larger is a
// mistake or an attack on the machine that reads it.
const (
	MaxScenarioSize = 4 << 20 // a scenario file, bytes
	maxImportSize   = 1 << 20 // an imported file, bytes
)

// ReadScenario reads the scenario file at path: a regular file (a named
// pipe would block, a device never end) of at most MaxScenarioSize bytes,
// read no further than one byte past the limit. A symbolic link is
// followed: the user named the file.
func ReadScenario(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := regular(fi); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f, MaxScenarioSize)
}

// DirFS is the folder dir, from which a scenario's imports are read: a path
// inside it, symbolic links included, cannot lead out of it (os.Root).
func DirFS(dir string) fs.FS {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return errFS{err}
	}
	return root.FS()
}

// errFS is a folder that could not be opened: every read fails with why.
type errFS struct{ err error }

func (e errFS) Open(string) (fs.File, error) { return nil, e.err }

// readImport reads the file name of fsys as readScenario reads a scenario:
// a regular file (checked before it is opened, and again once open), at
// most limit bytes.
func readImport(fsys fs.FS, name string, limit int64) ([]byte, error) {
	if sfs, ok := fsys.(fs.StatFS); ok {
		fi, err := sfs.Stat(name)
		if err != nil {
			return nil, err
		}
		if err := regular(fi); err != nil {
			return nil, err
		}
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := regular(fi); err != nil {
		return nil, err
	}
	return readLimited(f, limit)
}

// regular refuses anything but a regular file, saying what it is.
func regular(fi fs.FileInfo) error {
	m := fi.Mode()
	what := ""
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		what = "a folder"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0:
		what = "a device"
	default:
		return errors.New("it is not a regular file")
	}
	return fmt.Errorf("it is %s, not a regular file", what)
}

// readLimited reads r to its end, or fails once it has read one byte more
// than limit.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("it is larger than %d bytes (%d MiB)", limit, limit>>20)
	}
	return b, nil
}

// readError says why a file could not be read, without repeating its path,
// which the message already names.
func readError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	msg := err.Error()
	if strings.Contains(msg, "path escapes from parent") {
		return "it leads outside the scenario's folder (through a symbolic link or ..); imports must stay inside it"
	}
	return msg
}
