package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/failsim/failsim/sim/results"
)

// Ctrl-C (SIGINT) and SIGTERM, as Kubernetes sends before it kills a pod,
// stop every command within a second, whatever it is doing:
//
//   - while runs are in progress (interruptible), the first one stops them
//     within milliseconds and the command writes what is complete: a run's
//     results so far, marked incomplete; a sweep's finished runs;
//   - at any other time (loading, checking, setting up, writing), and at
//     the second one, the process ends at once: writes not yet moved into
//     place are abandoned (results.Abandon), so every output folder holds
//     its previous contents or a complete new one.
//
// The exit status is 128 plus the signal's number, as a shell reports a
// process a signal ended: 130 for SIGINT, 143 for SIGTERM.
var signals = &signalState{}

type signalState struct {
	once    sync.Once
	mu      sync.Mutex
	errw    io.Writer
	got     os.Signal      // the first signal, nil before
	cancels map[int]func() // the running phases that stop gracefully, by id
	next    int
}

// watch starts handling signals for the command that writes to errw; it
// is called once per command, the handler lives as long as the process.
func (s *signalState) watch(errw io.Writer) {
	s.mu.Lock()
	s.errw = errw
	s.mu.Unlock()
	s.once.Do(func() {
		ch := make(chan os.Signal, 2)
		signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
		go func() {
			for sig := range ch {
				s.handle(sig)
			}
		}()
	})
}

func (s *signalState) handle(sig os.Signal) {
	s.mu.Lock()
	first := s.got == nil
	if first {
		s.got = sig
	}
	cancels := s.cancels
	s.cancels = nil
	errw := s.errw
	s.mu.Unlock()
	if first && len(cancels) > 0 {
		fmt.Fprintln(errw, "\ninterrupted: stopping and writing what is complete (interrupt again to quit at once)")
		for _, cancel := range cancels {
			cancel()
		}
		return
	}
	results.Abandon()
	fmt.Fprintln(errw, "\ninterrupted: stopped at once; no output folder was left half-written")
	os.Exit(exitCode(sig))
}

// exitStatus is the status of a command that a signal stopped gracefully.
func (s *signalState) exitStatus() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.got == nil {
		return exitStopped
	}
	return exitCode(s.got)
}

func exitCode(sig os.Signal) int {
	if n, ok := sig.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return exitStopped
}

// interruptible returns a context that the first Ctrl-C (or SIGTERM)
// cancels: no run starts after it, the runs in progress stop, and what is
// complete is written. A second one ends the process at once. It announces
// the work on stderr. Call the returned function as soon as the runs are
// over: from then on a signal ends the process at once.
func interruptible(errw io.Writer, format string, args ...any) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	s := signals
	s.mu.Lock()
	if s.cancels == nil {
		s.cancels = map[int]func(){}
	}
	id := s.next
	s.next++
	s.cancels[id] = cancel
	s.mu.Unlock()
	fmt.Fprintf(errw, format+"\n", args...)
	return ctx, func() {
		s.mu.Lock()
		delete(s.cancels, id)
		s.mu.Unlock()
		cancel()
	}
}

// onPhase is called as a command enters each phase ("loading", "set-up",
// "running", "writing"). It does nothing; the tests that send signals to
// a real process make it pause there (see TestMain).
var onPhase = func(phase string) {}
