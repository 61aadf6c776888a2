package main

import (
	"context"
	"fmt"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/failsim/failsim/docs/scenariodoc"
)

func newDocsCmd(io streams) *cobra.Command {
	var dir string
	var check, progress bool
	cmd := &cobra.Command{
		Use:   "docs",
		Short: "Regenerate docs/scenarios: each shipped scenario's page, numbers and dashboards",
		Long: `Run the base and every variant of each shipped scenario and rewrite the generated
sections of docs/scenarios/NAME.md (description, topology as Graphviz DOT, key numbers,
dashboards, commands) and the dashboards in docs/scenarios/images. The narrative between
them is left as written; a scenario without a page gets one whose narrative headings say
what to write. Run it from the repository's root after changing a scenario or the engine.

With --check nothing is written: it lists pages that are missing, stale or unfinished
and exits with status 1 if there is one (the tests run the same check).`,
		Example: `  simulate docs
  simulate docs --check`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			runs, err := scenariodoc.Runs()
			if err != nil {
				return err
			}
			par := counted(inParallel(runtime.GOMAXPROCS(0)), runs, newProgress(io.err, progress))
			if check {
				problems, err := scenariodoc.Check(ctx, dir, par)
				if err != nil {
					return err
				}
				if len(problems) > 0 {
					return fmt.Errorf("%s in %s:\n  %s", count(len(problems)), dir, strings.Join(problems, "\n  "))
				}
				fmt.Fprintf(io.out, "%s is current\n", dir)
				return nil
			}
			todo, err := scenariodoc.Update(ctx, dir, par)
			if err != nil {
				return err
			}
			fmt.Fprintf(io.out, "rewrote the generated sections and dashboards in %s\n", dir)
			for _, p := range todo {
				fmt.Fprintf(io.out, "  %s: write its narrative (the TODO(narrative) lines)\n", p)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "docs/scenarios", "the directory of the pages")
	cmd.Flags().BoolVar(&progress, "progress", false, "show progress on stderr even when it is not a terminal")
	cmd.Flags().BoolVar(&check, "check", false, "write nothing; list the pages that are missing, stale or unfinished")
	return cmd
}

// count counts problems in words: "1 problem", "3 problems".
func count(n int) string {
	if n == 1 {
		return "1 problem"
	}
	return fmt.Sprintf("%d problems", n)
}
