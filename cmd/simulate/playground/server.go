package playground

import (
	"bytes"
	"embed"
	"io"
	"io/fs"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strings"
)

//go:embed assets
var assets embed.FS

// Assets is the page and everything it loads: index.html, app.js,
// worker.js, style.css and the vendored chart library. Nothing comes from
// the network.
func Assets() fs.FS {
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err) // the folder is embedded
	}
	return sub
}

// Engine markers of index.html: the served page calls the server, the
// static build the WebAssembly worker.
const (
	engineServer = `<meta name="failsim-engine" content="server">`
	engineWasm   = `<meta name="failsim-engine" content="wasm">`
)

// IndexHTML is the page for the given engine: "server" or "wasm".
func IndexHTML(engine string) []byte {
	page, err := fs.ReadFile(Assets(), "index.html")
	if err != nil {
		panic(err) // embedded
	}
	if engine == "wasm" {
		page = bytes.Replace(page, []byte(engineServer), []byte(engineWasm), 1)
	}
	return page
}

// security is what every answer says: the page loads only its own files
// (WebAssembly allowed to compile, for the static build), nothing may
// frame it, and files are what their type says.
const security = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; worker-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

// Handler serves the page and answers its calls: GET / and its files,
// POST /api/METHOD with the method's JSON argument (at most MaxBody bytes),
// answered with lines of JSON as they come. With loopback set, a request
// whose Host is not a loopback name is refused, so that a web page
// elsewhere cannot reach the server through a name it controls (DNS
// rebinding). Runs share as many slots as the machine has cores.
func Handler(cfg *Config, loopback bool) http.Handler {
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	files := http.FileServerFS(Assets())
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(IndexHTML("server"))
	})
	mux.HandleFunc("GET /index.html", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "./", http.StatusMovedPermanently)
	})
	mux.Handle("GET /", files)
	mux.HandleFunc("POST /api/{method}", func(w http.ResponseWriter, r *http.Request) {
		method := r.PathValue("method")
		if !slices.Contains(Methods, method) {
			http.Error(w, "no such method", http.StatusNotFound)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
		if err != nil {
			http.Error(w, "the request is larger than the playground's limit", http.StatusRequestEntityTooLarge)
			return
		}
		if method == "run" || method == "compare" || method == "files" {
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		flusher, _ := w.(http.Flusher)
		cfg.Call(r.Context(), method, body, func(line []byte) error {
			if _, err := w.Write(append(line, '\n')); err != nil {
				return err
			}
			if flusher != nil {
				flusher.Flush()
			}
			return nil
		})
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if loopback && !loopbackHost(r.Host) {
			http.Error(w, "this playground answers on a loopback address only", http.StatusForbidden)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", security)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		mux.ServeHTTP(w, r)
	})
}

// loopbackHost reports whether a Host header names this machine.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
