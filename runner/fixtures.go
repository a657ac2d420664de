package runner

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

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
			if err := checkFixture(path, data); err != nil {
				out = append(out, fmt.Sprintf("%s: step %q: %v", ref, st.Text, err))
			}
		}
	}
	return out
}

// fixtureValue matches a {{placeholder}} of a fixture, as the webhook steps fill them.
var fixtureValue = regexp.MustCompile(`\{\{(\w+)\}\}`)

// checkFixture reports a fixture that is not JSON with its file:line. Placeholders are filled with
// 0, valid both inside a JSON string and as a bare number, as the step's values are.
func checkFixture(path string, data []byte) error {
	filled := fixtureValue.ReplaceAll(data, []byte("0"))
	var v any
	err := json.Unmarshal(filled, &v)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// Filling only shortens the text, and never across a line: lines keep their numbers.
		line := 1 + bytes.Count(filled[:min(int(se.Offset), len(filled))], []byte("\n"))
		return fmt.Errorf("%s:%d: the fixture is not valid JSON: %v", path, line, err)
	}
	return fmt.Errorf("%s: the fixture is not valid JSON: %v", path, err)
}

func pathReason(err error) string {
	if errors.Is(err, os.ErrNotExist) {
		return "no such file"
	}
	return err.Error()
}
