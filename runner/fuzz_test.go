package runner

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"regress/runner/featureset"
	"regress/runner/tagexpr"
	"regress/steps"
)

// FuzzFeatureLoad: any feature file content either loads, with every scenario and step at a real
// line of that file, or is refused with errors that each start with the file's path — never a
// panic.
func FuzzFeatureLoad(f *testing.F) {
	shipped, _ := filepath.Glob("../features/*.feature")
	for _, p := range shipped {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"",
		"# only a comment\n",
		"Feature:\n",
		"Feature: f\n  Scenario:\n",
		"Feature: f\n  Background:\n    Given alice is logged in\n  Rule: r\n    Background:\n      Given bob is logged in\n    Scenario: s\n      Then the response status is 200\n",
		"@a @b\nFeature: f\n  @c\n  Scenario Outline: o <x>\n    Given <x> is logged in\n    Examples:\n      | x |\n      | alice |\n    @d\n    Examples:\n      | x |\n",
		"Feature: f\n  Scenario: s\n    Given a doc\n      \"\"\"json\n      {\"a\": 1}\n      \"\"\"\n    And a table\n      | a | b |\n      | 1 |\n",
		"# language: fr\nFonctionnalité: f\n  Scénario: s\n    Soit alice is logged in\n",
		"# language: xx\nFeature: f\n",
		"Feature: f\n  Scenario: s\n    Given x\n  Scenario Outline without colon\n",
		"Feature: a\nFeature: b\n",
		"Feature: f\n  Scenario: s\n    Given \"\"\"\n",
		"\ufeffFeature: bom\n\r\n  Scenario: crlf\r\n    Given x\r\n",
		"Feature: f\n  Examples:\n    | a |\n",
		"Feature: f\n  Scenario: s\n    * star step\n    \"\"\"\n    unclosed\n",
	} {
		f.Add([]byte(s))
	}
	all, err := tagexpr.Parse("")
	if err != nil {
		f.Fatal(err)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.feature")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		lines := 1 + strings.Count(string(data), "\n")
		set, err := featureset.Load([]string{path})
		if err != nil {
			msg := err.Error()
			if msg == "" {
				t.Fatal("empty error message")
			}
			for _, line := range strings.Split(msg, "\n") {
				if !strings.HasPrefix(line, path) {
					t.Fatalf("error line does not name the file: %q", line)
				}
			}
			return
		}
		for _, sc := range set.Scenarios {
			if sc.URI != path || sc.Line < 1 || sc.Line > lines {
				t.Fatalf("scenario %q at %s:%d; the file has %d lines", sc.Name, sc.URI, sc.Line, lines)
			}
			for _, st := range sc.Steps {
				if st.Line < 1 || st.Line > lines {
					t.Fatalf("step %q at line %d; the file has %d lines", st.Text, st.Line, lines)
				}
			}
		}
		if got := len(set.Select(all)); got != len(set.Scenarios) {
			t.Fatalf("the empty tag expression selects %d of %d scenarios", got, len(set.Scenarios))
		}
		// What the runner checks before any request must not panic either.
		_ = fixtureProblems(set.Scenarios)
		_ = undefinedSteps(set.Scenarios)
	})
}

// FuzzCheckFixture: a Stripe fixture is accepted only when it is JSON once its {{placeholders}}
// are filled, and refused with its path (and a line within the file), never a panic.
func FuzzCheckFixture(f *testing.F) {
	shipped, _ := filepath.Glob("../features/fixtures/stripe/*.json")
	for _, p := range shipped {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"",
		"{}",
		`{"id": "{{event_id}}", "created": {{created}}, "customer": "{{customer}}"}`,
		"{\n  \"a\": {{x}},\n  \"b\": [1, 2,]\n}\n",
		"{{a}}",
		"{{}}",
		"{{{{x}}}}",
		`{"a": "{{x}}"`,
		"[1, 2]\n\n\n}",
		"\xff\xfe",
		`{"a": 1e999}`,
	} {
		f.Add([]byte(s))
	}
	const path = "fixtures/fuzz.json"
	// The test's own copy of the placeholder syntax, to check CheckFixture against json.Valid.
	fixtureValue := regexp.MustCompile(`\{\{(\w+)\}\}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		err := steps.CheckFixture(path, data)
		filled := fixtureValue.ReplaceAll(data, []byte("0"))
		// Like the webhook step, CheckFixture decodes the JSON: a number out of float64's range
		// is valid JSON that neither accepts.
		if valid := json.Valid(filled); valid != (err == nil) && !(valid && strings.Contains(err.Error(), "cannot unmarshal number")) {
			t.Fatalf("json.Valid says %v, CheckFixture says %v", valid, err)
		}
		if err == nil {
			return
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, path+":") {
			t.Fatalf("the error does not start with the fixture's path: %q", msg)
		}
		// "path:LINE: ..." when the decoder said where; LINE is within the file.
		if num, _, ok := strings.Cut(strings.TrimPrefix(msg, path+":"), ":"); ok {
			if line, err := strconv.Atoi(num); err == nil {
				if lines := 1 + strings.Count(string(data), "\n"); line < 1 || line > lines {
					t.Fatalf("line %d of a %d-line fixture: %q", line, lines, msg)
				}
			}
		}
	})
}
