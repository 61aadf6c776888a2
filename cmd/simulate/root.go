package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/failsim/failsim/topology/scenariofile"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1   // the run could not complete (I/O)
	exitInput   = 2   // bad flags or a bad scenario file; nothing was written
	exitStopped = 130 // interrupted (Ctrl-C), as a shell reports SIGINT; what finished is kept (143 for SIGTERM)
)

// streams is where a command writes; tests substitute buffers.
type streams struct {
	out, err io.Writer
}

func newRootCmd(io streams) *cobra.Command {
	root := &cobra.Command{
		Use:           "simulate",
		Short:         "Simulate timeouts, retries and faults in service architectures",
		Long:          "simulate runs discrete-event failure scenarios: clients, load balancers, services and\ndatabases with timeouts, retries, queues and faults, and shows how load and latency amplify.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(io.out)
	root.SetErr(io.err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err.Error()} })
	root.AddCommand(newRunCmd(io))
	root.AddCommand(newPlotCmd(io))
	root.AddCommand(newCompareCmd(io))
	root.AddCommand(newSweepCmd(io))
	root.AddCommand(newMergeCmd(io))
	root.AddCommand(newCheckCmd(io))
	root.AddCommand(newValidateCmd(io))
	root.AddCommand(newScenariosCmd(io))
	root.AddCommand(newTraceCmd(io))
	root.AddCommand(newDocsCmd(io))
	root.AddCommand(newImportCmd(io))
	root.AddCommand(newDemoCmd(io))
	root.AddCommand(newServeCmd(io))
	return root
}

// run executes the command line and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	io := streams{out: stdout, err: stderr}
	signals.watch(stderr)
	root := newRootCmd(io)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var scenarioErrs scenariofile.Errors
	var usage usageError
	var input badFileError
	switch {
	case errors.As(err, &scenarioErrs):
		fmt.Fprint(stderr, scenarioErrs.Pretty())
		switch n := len(scenarioErrs); {
		case n == 1 && strings.HasPrefix(scenarioErrs[0].Msg, "cannot read the scenario"):
			fmt.Fprintln(stderr, "\nnothing was run or written.")
		case n == 1:
			fmt.Fprintln(stderr, "\n1 problem in the scenario; nothing was run or written.")
		default:
			fmt.Fprintf(stderr, "\n%d problems in the scenario; nothing was run or written.\n", n)
		}
		return exitInput
	case errors.As(err, &input):
		fmt.Fprintf(stderr, "error: %v\n", input.err)
		return exitInput
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "%v\n", err)
		return signals.exitStatus()
	case errors.As(err, &usage) || strings.HasPrefix(err.Error(), "unknown command"):
		fmt.Fprintf(stderr, "error: %v\nRun 'simulate %s --help' for usage.\n", err, commandName(args))
		return exitInput
	default:
		fmt.Fprintf(stderr, "error: %v\n", err)
		return exitFailure
	}
}

// usageError is a mistake on the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

func commandName(args []string) string {
	if len(args) > 0 {
		return args[0]
	}
	return ""
}

// exactArgs is cobra.ExactArgs with the mistake reported as a usage error.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("expected %s, got %d argument(s)", what, len(args))
		}
		return nil
	}
}
