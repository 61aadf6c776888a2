package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
)

// Config is one run of the system.
type Config struct {
	Rate     float64       // requests per second, Poisson
	Duration time.Duration // how long the load generator sends
	Seed     uint64        // the load generator's and the store's draws

	GatewayTimeout  time.Duration // per try, gateway to api
	GatewayAttempts int           // tries, the first included; retries go at once
	APIWork         time.Duration // the api's own work before it calls the store

	StoreWorkers   int           // calls the store serves at once
	StoreMedian    time.Duration // the store's service time: lognormal with this median
	StoreP99       time.Duration // and this 99th percentile
	StoreErrorRate float64       // chance that a store call fails after its work

	Fault Fault // the store slows down; zero for none

	Traces io.Writer // OTLP/JSON lines; nil for none
}

// Fault makes the store Factor times slower for work that starts in
// [At, At+For) after the load starts.
type Fault struct {
	At, For time.Duration
	Factor  float64
}

// Defaults is the configuration docs/calibration.md uses.
func Defaults() Config {
	return Config{
		Rate: 100, Duration: 30 * time.Second, Seed: 1,
		GatewayTimeout: 250 * time.Millisecond, GatewayAttempts: 3, APIWork: time.Millisecond,
		StoreWorkers: 8, StoreMedian: 10 * time.Millisecond, StoreP99: 40 * time.Millisecond, StoreErrorRate: 0.02,
	}
}

// Result is what the load generator and the store saw.
type Result struct {
	Requests   int             // sent by the load generator
	Succeeded  int             // answered 200
	StoreCalls int64           // calls that reached the store (amplification: StoreCalls / Requests)
	Latencies  []time.Duration // of every request at the load generator, sorted
}

// SuccessRatio is Succeeded / Requests.
func (r *Result) SuccessRatio() float64 { return float64(r.Succeeded) / float64(r.Requests) }

// Amplification is store calls per request.
func (r *Result) Amplification() float64 { return float64(r.StoreCalls) / float64(r.Requests) }

// Quantile is the q-quantile of the latencies.
func (r *Result) Quantile(q float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	return r.Latencies[min(len(r.Latencies)-1, int(q*float64(len(r.Latencies))))]
}

type system struct {
	cfg     Config
	start   time.Time
	prop    propagation.TextMapPropagator
	tps     []*sdktrace.TracerProvider
	servers []*http.Server
	mu      sync.Mutex // guards the trace writer
	storeN  atomic.Int64
	sem     chan struct{}
	rmu     sync.Mutex
	rng     *rand.Rand
}

func (s *system) provider(name string) *sdktrace.TracerProvider {
	res := resource.NewSchemaless(semconv.ServiceName(name), semconv.ServiceInstanceID(name+"-1"))
	opts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res), sdktrace.WithSampler(sdktrace.AlwaysSample())}
	if s.cfg.Traces != nil {
		opts = append(opts, sdktrace.WithBatcher(&lineExporter{mu: &s.mu, w: s.cfg.Traces}, sdktrace.WithMaxExportBatchSize(512), sdktrace.WithBatchTimeout(time.Second)))
	}
	tp := sdktrace.NewTracerProvider(opts...)
	s.tps = append(s.tps, tp)
	return tp
}

func (s *system) client(tp *sdktrace.TracerProvider) *http.Client {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.MaxIdleConnsPerHost = 512
	return &http.Client{Transport: otelhttp.NewTransport(base, otelhttp.WithTracerProvider(tp), otelhttp.WithPropagators(s.prop))}
}

// serve starts a service on a loopback port and returns its URL.
func (s *system) serve(name string, h http.HandlerFunc, tp *sdktrace.TracerProvider) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: otelhttp.NewHandler(h, "GET /"+name, otelhttp.WithTracerProvider(tp), otelhttp.WithPropagators(s.prop)), ReadHeaderTimeout: 10 * time.Second}
	s.servers = append(s.servers, srv)
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/", nil
}

func (s *system) draw() (float64, float64) {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	return s.rng.NormFloat64(), s.rng.Float64()
}

// store waits for a worker (leaving if its caller gives up), works for a
// lognormal time (slower in the fault's window), and fails with the error
// rate. Work once started is not interrupted.
func (s *system) store(w http.ResponseWriter, r *http.Request) {
	s.storeN.Add(1)
	select {
	case s.sem <- struct{}{}:
	case <-r.Context().Done():
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	defer func() { <-s.sem }()
	z, u := s.draw()
	sigma := math.Log(float64(s.cfg.StoreP99)/float64(s.cfg.StoreMedian)) / 2.326
	work := time.Duration(float64(s.cfg.StoreMedian) * math.Exp(sigma*z))
	if f := s.cfg.Fault; f.Factor > 0 {
		if t := time.Since(s.start); t >= f.At && t < f.At+f.For {
			work = time.Duration(float64(work) * f.Factor)
		}
	}
	time.Sleep(work)
	if u < s.cfg.StoreErrorRate {
		http.Error(w, "store failed", http.StatusInternalServerError)
		return
	}
	w.Write([]byte("ok"))
}

// Run runs the system for cfg.Duration under load and returns what it saw;
// the traces, if asked for, are all written when it returns.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Rate <= 0 || cfg.Duration <= 0 || cfg.StoreWorkers < 1 || cfg.GatewayAttempts < 1 || cfg.StoreP99 <= cfg.StoreMedian {
		return nil, errors.New("demo: rate, duration, store workers and gateway attempts must be positive, and the store's p99 above its median")
	}
	s := &system{cfg: cfg, prop: propagation.TraceContext{}, sem: make(chan struct{}, cfg.StoreWorkers), rng: rand.New(rand.NewPCG(cfg.Seed, 2))}
	defer func() {
		for _, srv := range s.servers {
			srv.Close()
		}
	}()
	storeURL, err := s.serve("store", s.store, s.provider("store"))
	if err != nil {
		return nil, err
	}
	apiTP := s.provider("api")
	apiClient := s.client(apiTP)
	apiURL, err := s.serve("api", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(cfg.APIWork)
		req, _ := http.NewRequestWithContext(r.Context(), "GET", storeURL, nil)
		resp, err := apiClient.Do(req)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
	}, apiTP)
	if err != nil {
		return nil, err
	}
	gwTP := s.provider("gateway")
	gwClient := s.client(gwTP)
	gwURL, err := s.serve("gateway", func(w http.ResponseWriter, r *http.Request) {
		for try := 1; try <= cfg.GatewayAttempts; try++ {
			tctx, cancel := context.WithTimeout(r.Context(), cfg.GatewayTimeout)
			req, _ := http.NewRequestWithContext(tctx, "GET", apiURL, nil)
			resp, err := gwClient.Do(req)
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			cancel()
			if err == nil && resp.StatusCode == http.StatusOK {
				w.Write([]byte("ok"))
				return
			}
			if r.Context().Err() != nil {
				return
			}
		}
		w.WriteHeader(http.StatusBadGateway)
	}, gwTP)
	if err != nil {
		return nil, err
	}
	lgClient := s.client(s.provider("loadgen"))
	lgClient.Timeout = 30 * time.Second

	res := &Result{}
	var wg sync.WaitGroup
	var mu sync.Mutex
	arrivals := rand.New(rand.NewPCG(cfg.Seed, 1))
	s.start = time.Now()
	next := time.Duration(0)
	for {
		next += time.Duration(arrivals.ExpFloat64() / cfg.Rate * float64(time.Second))
		if next >= cfg.Duration {
			break
		}
		if d := time.Until(s.start.Add(next)); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				wg.Wait()
				return nil, ctx.Err()
			}
		}
		res.Requests++
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			req, _ := http.NewRequestWithContext(ctx, "GET", gwURL, nil)
			resp, err := lgClient.Do(req)
			ok := false
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				ok = resp.StatusCode == http.StatusOK
			}
			mu.Lock()
			res.Latencies = append(res.Latencies, time.Since(t0))
			if ok {
				res.Succeeded++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	time.Sleep(50 * time.Millisecond) // let abandoned store work finish and its spans end
	for len(s.sem) > 0 {
		time.Sleep(10 * time.Millisecond)
	}
	for _, tp := range s.tps {
		if err := tp.Shutdown(context.Background()); err != nil {
			return nil, fmt.Errorf("demo: flushing spans: %w", err)
		}
	}
	res.StoreCalls = s.storeN.Load()
	slices.Sort(res.Latencies)
	return res, nil
}
