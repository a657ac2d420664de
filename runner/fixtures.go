package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"regress/runner/featureset"
	"regress/steps"
)

// fixtureProblems checks, before any request, the Stripe fixtures the scenarios' steps name
// (`a Stripe event "x" from "fixtures/....json" for alice`): a fixture that cannot be read or is
// not JSON once its {{placeholders}} are filled is bad input (exit 2), not a failed scenario.
// Each problem names the step's file:line and, for JSON, the fixture's file:line.
func fixtureProblems(scenarios []*featureset.Scenario) []string {
	m := steps.NewMatcher()
	var out []string
	seen := map[string]bool{}
	for _, sc := range scenarios {
		for _, st := range sc.Steps {
			def, args, ok := m.Match(st.Text)
			if !ok {
				continue
			}
			fixture := ""
			for i, kind := range def.Args {
				if kind == steps.ArgFixture && i < len(args) {
					fixture = args[i]
				}
			}
			if fixture == "" {
				continue
			}
			ref := fmt.Sprintf("%s:%d", sc.URI, st.Line)
			if seen[ref] {
				continue // a Background step appears in every scenario
			}
			seen[ref] = true
			path := filepath.Join(filepath.Dir(sc.URI), fixture)
			data, err := os.ReadFile(path)
			if err != nil {
				out = append(out, fmt.Sprintf("%s: step %q: fixture %s: %s", ref, st.Text, path, pathReason(err)))
				continue
			}
			if err := steps.CheckFixture(path, data); err != nil {
				out = append(out, fmt.Sprintf("%s: step %q: %v", ref, st.Text, err))
			}
		}
	}
	return out
}

func pathReason(err error) string {
	if errors.Is(err, os.ErrNotExist) {
		return "no such file"
	}
	return err.Error()
}
