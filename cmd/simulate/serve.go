package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/failsim/failsim/cmd/simulate/playground"
	"github.com/failsim/failsim/cmd/simulate/playground/reportpage"
	"github.com/failsim/failsim/scenarios"
	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/sim/results"
)

// serveOptions are the flags of `simulate serve`.
type serveOptions struct {
	dir         string // the scenario folder; "" for the shipped scenarios
	host        string
	port        int
	static      string // write the static build here instead of serving
	maxInFlight int

	ready func(url string) // told the page's address once it is served (tests)
}

func newServeCmd(io streams) *cobra.Command {
	opts := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve [DIR]",
		Short: "Serve the playground: scenarios, live charts, controls and share links in a browser page",
		Long: `Serve the playground on http://127.0.0.1:PORT/: the scenario library (the shipped
scenarios, or the .toml files of DIR and its folders, nothing outside it), an
editor that shows the loader's errors at their line, controls bound to --set
keys, charts drawn while the run goes, the check's findings beside the
topology, two settings side by side and a comparison over seeds, share links
that reproduce a run byte for byte, and its summary.json, timeseries.csv and
report.html to download.

It listens on the loopback address unless --host says otherwise, and answers
only requests addressed to a loopback name then. With --static OUT it serves
nothing: it writes the same page into OUT with the engine compiled to
WebAssembly, for any static web host (run it in the repository: it builds the
engine with the go command). docs/playground.md tells more.`,
		Example: `  simulate serve
  simulate serve --port 9000
  simulate serve my-scenarios/
  simulate serve --static out/playground   # then serve out/playground with any web server`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.dir = args[0]
			}
			if opts.static != "" {
				return writeStatic(opts.static, io)
			}
			ctx, stop := interruptible(io.err, "starting the playground (Ctrl-C stops it)")
			defer stop()
			return runServe(ctx, opts, io)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.host, "host", "127.0.0.1", "address to listen on; the default answers this machine only")
	f.IntVar(&opts.port, "port", 8080, "port to listen on (0 picks a free one)")
	f.StringVar(&opts.static, "static", "", "write the static build (the page with the engine in WebAssembly) into this folder instead of serving")
	f.IntVar(&opts.maxInFlight, "max-in-flight", sim.DefaultMaxInFlight, "stop a diverging run when more calls than this are in flight at once; the page says so")
	return cmd
}

// library is the shipped scenarios, or the folder dir through an os.Root,
// which no path (.., an absolute path, a symbolic link) leaves.
func library(dir string) (*playground.Library, error) {
	if dir == "" {
		return playground.NewLibrary(scenarios.FS, "scenarios/")
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, usagef("scenario folder: %v", err)
	}
	lib, err := playground.NewLibrary(root.FS(), filepath.ToSlash(filepath.Clean(dir))+"/")
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", dir, err)
	}
	if len(lib.Entries()) == 0 {
		return nil, usagef("%s holds no .toml scenario", dir)
	}
	return lib, nil
}

// runServe serves the playground until ctx is done.
func runServe(ctx context.Context, opts *serveOptions, io streams) error {
	if opts.port < 0 || opts.port > 65535 {
		return usagef("--port must be between 0 and 65535, got %d", opts.port)
	}
	if opts.maxInFlight < 1 {
		return usagef("--max-in-flight must be at least 1, got %d", opts.maxInFlight)
	}
	lib, err := library(opts.dir)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(opts.host, strconv.Itoa(opts.port)))
	if err != nil {
		return err
	}
	addr := ln.Addr().(*net.TCPAddr)
	loopback := addr.IP.IsLoopback()
	cfg := &playground.Config{Library: lib, MaxInFlight: opts.maxInFlight, Parallel: inParallel(runtime.GOMAXPROCS(0)), Report: reportpage.Page}
	srv := &http.Server{Handler: playground.Handler(cfg, loopback), ReadHeaderTimeout: 10 * time.Second}
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	url := "http://" + net.JoinHostPort(host, strconv.Itoa(addr.Port)) + "/"
	fmt.Fprintf(io.out, "failsim playground: %s\n", url)
	if !loopback {
		fmt.Fprintf(io.err, "warning: listening on %s, not on a loopback address: anyone who reaches this machine can run simulations on it\n", addr)
	}
	if opts.ready != nil {
		opts.ready(url)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(shut)
		return nil
	}
}

// The static build's files besides the page's own.
const (
	engineModule = "failsim.wasm"
	reportModule = "report.wasm"
	wasmExec     = "wasm_exec.js"
)

// writeStatic writes the playground into dir for a static host: the page
// set to run the engine in a worker, the two modules built with the go
// command for GOOS=js GOARCH=wasm, and Go's wasm_exec.js.
func writeStatic(dir string, io streams) error {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("--static builds the engine with the go command, which is not on PATH: %w", err)
	}
	mod, err := goEnv(goCmd, "GOMOD")
	if err != nil || !strings.HasSuffix(mod, "go.mod") || !strings.Contains(mod, string(filepath.Separator)) {
		return fmt.Errorf("--static builds the engine from its source: run it inside the failsim repository (go env GOMOD says %q)", mod)
	}
	goroot, err := goEnv(goCmd, "GOROOT")
	if err != nil {
		return err
	}
	glue, err := os.ReadFile(filepath.Join(goroot, "lib", "wasm", wasmExec))
	if err != nil {
		return fmt.Errorf("reading Go's %s: %w", wasmExec, err)
	}
	files := map[string][]byte{wasmExec: glue, "index.html": playground.IndexHTML("wasm")}
	err = fs.WalkDir(playground.Assets(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == "index.html" {
			return err
		}
		b, err := fs.ReadFile(playground.Assets(), p)
		files[filepath.FromSlash(p)] = b
		return err
	})
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "failsim-static-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for name, pkg := range map[string]string{engineModule: "engine", reportModule: "report"} {
		fmt.Fprintf(io.err, "building %s (GOOS=js GOARCH=wasm go build)\n", name)
		out := filepath.Join(tmp, name)
		cmd := exec.Command(goCmd, "build", "-trimpath", "-o", out, "github.com/failsim/failsim/cmd/simulate/playground/wasm/"+pkg)
		cmd.Dir = filepath.Dir(mod)
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("building %s: %v\n%s", name, err, stderr.Bytes())
		}
		if files[name], err = os.ReadFile(out); err != nil {
			return err
		}
	}
	paths := map[string][]byte{}
	for name, b := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		paths[p] = b
	}
	if err := results.WriteFilesAtomic(paths); err != nil {
		return err
	}
	fmt.Fprintf(io.out, "wrote the static playground into %s: serve that folder with any web server, e.g. python3 -m http.server -d %s\n", dir, dir)
	return nil
}

func goEnv(goCmd, name string) (string, error) {
	out, err := exec.Command(goCmd, "env", name).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("go env %s: %s", name, ee.Stderr)
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}
