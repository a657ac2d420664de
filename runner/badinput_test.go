package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBadInputIsExit2 feeds the CLI broken configs, flags, features and fixtures: each is a clear
// error naming where the problem is, exit 2, never a panic, and nothing is sent to the target.
func TestBadInputIsExit2(t *testing.T) {
	t.Parallel()
	srv := newFaultServer(t, false)
	good := writeConfig(t, faultTarget{baseURL: srv.URL})
	okFeature := writeFeature(t, `When alice requests the "ok" route`, `Then the response status is 200`)
	dir := t.TempDir()
	file := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	goodYAML, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	// A config like the good one with one line replaced.
	variant := func(name, old, new string) string {
		if !strings.Contains(string(goodYAML), old) {
			t.Fatalf("the fault config has no %q", old)
		}
		return file(name, strings.Replace(string(goodYAML), old, new, 1))
	}
	run := func(cfg string, args ...string) []string {
		return append([]string{"run", "--config", cfg, "--target", "faulty", "--report-dir", t.TempDir()}, args...)
	}
	// Line 6 is neither a step nor a keyword line (its keyword lacks the colon).
	syntax := file("syntax.feature", "Feature: broken\n\n  Scenario: one\n    Given alice is logged in\n    | a | table |\n  Scenario Outline without colon\n")
	stripe := func(name, fixture string) string {
		return file(name, "Feature: webhooks\n\n  Scenario: a bad fixture\n    Given a Stripe event \"x\" from \""+fixture+"\" for alice\n")
	}
	file("fixtures/bad.json", "{\n  \"id\": \"{{event_id}}\",\n  \"created\": {{created}},\n  \"data\": {\"object\": {\"customer\": \"{{customer}}\",}}\n}\n")
	file("fixtures/good.json", "{\n  \"id\": \"{{event_id}}\",\n  \"created\": {{created}}\n}\n")
	badFixture := stripe("bad-fixture.feature", "fixtures/bad.json")
	missingFixture := stripe("missing-fixture.feature", "fixtures/nope.json")

	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"malformed YAML", run(file("malformed.yaml", "targets:\n  faulty:\n    base_url: [http://x\n    timeouts: {\n"), okFeature),
			[]string{"malformed.yaml:"}},
		{"wrong type", run(variant("wrongtype.yaml", "allow_mutations: true", "allow_mutations: sometimes"), okFeature),
			[]string{"wrongtype.yaml:4:", "allow_mutations"}},
		{"wrong duration", run(variant("duration.yaml", "request: 1s", "request: soon"), okFeature),
			[]string{"duration.yaml:7:", "timeouts.request"}},
		{"unknown field", run(variant("unknown.yaml", "insecure_tls:", "insecure_tsl:"), okFeature),
			[]string{"unknown.yaml:5:", "insecure_tsl", "insecure_tls"}},
		{"empty config", run(file("empty.yaml", ""), okFeature),
			[]string{"empty.yaml"}},
		{"config of comments only", run(file("comments.yaml", "# nothing here\n"), okFeature),
			[]string{"comments.yaml"}},
		{"missing config", run(filepath.Join(dir, "nope.yaml"), okFeature),
			[]string{"nope.yaml"}},
		{"unknown flag", run(good, "--bogus", okFeature),
			[]string{"bogus"}},
		{"bad tag expression", run(good, "--tags", "@a && ", okFeature),
			[]string{"--tags"}},
		{"bad --timeout", run(good, "--timeout", "soon", okFeature),
			[]string{"timeout"}},
		{"negative --timeout", run(good, "--timeout", "-1s", okFeature),
			[]string{"--timeout -1s: must not be negative"}},
		{"zero --concurrency", run(good, "--concurrency", "0", okFeature),
			[]string{"--concurrency 0"}},
		{"feature syntax error", run(good, syntax),
			[]string{"syntax.feature:6:", "syntax error"}},
		{"undefined step", run(good, writeFeature(t, "When alice frobnicates")),
			[]string{"fault.feature:4: undefined step"}},
		{"Stripe fixture that is not JSON", run(good, badFixture),
			[]string{"bad-fixture.feature:4:", "bad.json:4: the fixture is not valid JSON"}},
		{"Stripe fixture that does not exist", run(good, missingFixture),
			[]string{"missing-fixture.feature:4:", "nope.json: no such file"}},
		{"check: Stripe fixture that is not JSON", []string{"check", "--config", good, "--target", "faulty", badFixture},
			[]string{"bad-fixture.feature:4:", "bad.json:4: the fixture is not valid JSON"}},
		{"unknown demo bug", []string{"run", "--config", "../regress.yaml", "--target", "demo", "--demo-bugs", "idor,nope", "--report-dir", t.TempDir(), "../features"},
			[]string{`"nope"`, "idor"}},
		{"unknown target", run(good, "--target", "faulti", okFeature),
			[]string{`unknown target "faulti"`, "faulty"}},
		{"missing feature file", run(good, filepath.Join(dir, "nope.feature")),
			[]string{"nope.feature", "no such file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			code, out, errOut := cli(t, nil, tt.args...)
			all := out + errOut
			t.Logf("exit %d in %v\n%s", code, time.Since(start).Round(time.Millisecond), all)
			if code != ExitUsage {
				t.Errorf("exit %d, want %d", code, ExitUsage)
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q", w)
				}
			}
			for _, never := range []string{"panic", "goroutine "} {
				if strings.Contains(all, never) {
					t.Errorf("output contains %q", never)
				}
			}
		})
	}
	t.Cleanup(func() { // after the parallel subtests
		srv.mu.Lock()
		defer srv.mu.Unlock()
		if len(srv.hits) != 0 {
			t.Errorf("bad input reached the target: %v", srv.hits)
		}
	})
}
