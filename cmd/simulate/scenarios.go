package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/failsim/failsim/scenarios"
	"github.com/failsim/failsim/topology/human"
)

func newScenariosCmd(io streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scenarios",
		Short: "List the scenarios built into simulate, with their variants",
		Long: `List the scenarios built into the binary. Each runs by name, with no file:
'simulate run retry-storm'; compare, sweep and check take names as well.
'simulate scenarios show NAME' prints one's TOML, to copy and edit.`,
		Example: `  simulate scenarios
  simulate scenarios show retry-storm > my-storm.toml`,
		Args: exactArgs(0, "no arguments (did you mean 'simulate scenarios show NAME'?)"),
		RunE: func(*cobra.Command, []string) error { return listScenarios(io) },
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "show NAME",
		Short: "Print a built-in scenario's TOML",
		Args:  exactArgs(1, "one scenario name"),
		RunE: func(_ *cobra.Command, args []string) error {
			src, _, ok := scenarios.Lookup(args[0])
			if !ok {
				if hint := human.DidYouMean(args[0], scenarios.Names()); hint != "" {
					return usagef("no built-in scenario %q%s", args[0], hint)
				}
				return usagef("no built-in scenario %q; 'simulate scenarios' lists them", args[0])
			}
			_, err := io.out.Write(src)
			return err
		},
	})
	return cmd
}

func listScenarios(io streams) error {
	entries, err := scenarios.List()
	if err != nil {
		return err
	}
	width := 0
	for _, e := range entries {
		width = max(width, len(e.Name))
	}
	for i, sec := range scenarios.Sections {
		if i > 0 {
			fmt.Fprintln(io.out)
		}
		fmt.Fprintln(io.out, sec.Title)
		for _, e := range entries {
			if e.Section != sec.Name {
				continue
			}
			fmt.Fprintf(io.out, "  %-*s  %s\n", width, e.Name, e.Description)
			if len(e.Variants) > 0 {
				fmt.Fprintf(io.out, "  %-*s  variants: %s\n", width, "", strings.Join(e.Variants, ", "))
			}
		}
	}
	fmt.Fprintln(io.out, "\nRun one by name: simulate run NAME [--variant V]; print its TOML: simulate scenarios show NAME")
	return nil
}
