package runner

import (
	"fmt"
	"io"
	"strings"

	"regress/reports"
	"regress/runner/featureset"
)

// printSummary writes the run's counts, then each failing scenario with its file:line, the
// reason and the command that reruns just it.
func (a *App) printSummary(w io.Writer, r *reports.Run, selected []*featureset.Scenario) {
	all := r.Scenarios()
	passed, failed, skipped := r.Count(reports.Passed), r.Count(reports.Failed), r.Count(reports.Skipped)
	fmt.Fprintf(w, "\nregress: target %s: %d scenarios selected, %d passed, %d failed, %d skipped in %s\n",
		r.Target, len(selected), passed, failed, skipped, r.Duration.Round(1e6))
	if r.Interrupted {
		fmt.Fprintf(w, "regress: the run was stopped before it finished (%d of %d scenarios ran)\n", len(all), len(selected))
	}
	for _, s := range all {
		if s.Status == reports.Skipped {
			fmt.Fprintf(w, "SKIPPED %s  %s: %s\n", s.Ref, s.Name, s.Reason)
		}
	}
	for _, s := range all {
		if s.Status != reports.Failed {
			continue
		}
		fmt.Fprintf(w, "\nFAILED %s  %s\n", s.Ref, s.Name)
		for _, line := range strings.Split(s.Reason, "\n") {
			fmt.Fprintf(w, "  %s\n", line)
		}
		fmt.Fprintf(w, "  rerun: %s\n", s.Rerun)
	}
	fmt.Fprintln(w)
}

// rerunCommand is the command line that runs one scenario again with the same target and flags.
func rerunCommand(o *runOptions, ref string) string {
	parts := []string{"regress", "run", "--target", o.target}
	if o.config != "regress.yaml" {
		parts = append(parts, "--config", o.config)
	}
	if o.baseURL != "" {
		parts = append(parts, "--base-url", o.baseURL)
	}
	if o.demoBugs != "" {
		parts = append(parts, "--demo-bugs", o.demoBugs)
	}
	if o.readOnly {
		parts = append(parts, "--read-only")
	}
	return strings.Join(append(parts, ref), " ")
}
