package runner

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"regress/demo"
	"regress/steps/browser"
)

// sharedBrowser is the one Chromium of this test binary; every in-process run uses it.
var sharedBrowser *browser.Browser

func TestMain(m *testing.M) {
	sharedBrowser = browser.New(browser.Options{})
	code := m.Run()
	if err := sharedBrowser.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "closing the shared browser:", err)
		code = 1
	}
	os.Exit(code)
}

// cli runs the command line in-process with the given environment and returns the exit code
// and both streams.
func cli(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	app := &App{
		Stdout: &stdout, Stderr: &stderr,
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Browser:   sharedBrowser,
	}
	code := app.Run(context.Background(), args)
	return code, stdout.String(), stderr.String()
}

// runArgs are the flags every run in these tests shares: the shipped config and features and a
// private report directory.
func runArgs(t *testing.T, extra ...string) []string {
	return append([]string{"run", "--config", "../regress.yaml", "--report-dir", t.TempDir()}, append(extra, "../features")...)
}

// TestRunCleanDemoPasses: the whole shipped suite passes against the clean demo and against the
// clean demo run as a read-only preview.
func TestRunCleanDemoPasses(t *testing.T) {
	t.Parallel()
	for _, target := range []string{"demo", "demo-preview"} {
		t.Run(target, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := cli(t, nil, runArgs(t, "--target", target)...)
			if code != ExitPassed {
				t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			if !strings.Contains(out, " 0 failed") || strings.Contains(out, " 0 passed") {
				t.Errorf("summary missing or nothing passed:\n%s", out)
			}
		})
	}
}

func TestRunExitCodes(t *testing.T) {
	t.Parallel()
	closed := closedPort(t)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want []string // fragments of stdout+stderr
	}{
		{"no args", nil, nil, ExitUsage, []string{"usage"}},
		{"unknown command", nil, []string{"rnu"}, ExitUsage, []string{`unknown command "rnu"`}},
		{"unknown flag", nil, []string{"run", "--target", "demo", "--bogus"}, ExitUsage, []string{"bogus"}},
		{"missing target flag", nil, []string{"run", "--config", "../regress.yaml"}, ExitUsage, []string{"--target is required"}},
		{"unknown target", nil, runArgs(t, "--target", "stagin"), ExitUsage, []string{`unknown target "stagin"`, "staging"}},
		{"tags select nothing", nil, runArgs(t, "--target", "demo", "--tags", "@none"), ExitUsage, []string{"no scenario selected"}},
		{"malformed tags", nil, runArgs(t, "--target", "demo", "--tags", "@a && "), ExitUsage, []string{"--tags", "operator"}},
		{"unknown demo bug", nil, runArgs(t, "--target", "demo", "--demo-bugs", "idor,nope"), ExitUsage, []string{`"nope"`, "idor"}},
		{"closed port", nil, runArgs(t, "--target", "demo", "--base-url", closed), ExitUnreachable, []string{"unreachable", closed}},
		{"staging without env", nil, runArgs(t, "--target", "staging"), ExitUsage, []string{"STAGING_BASE_URL", "STAGING_ALICE_PASSWORD", "STAGING_BOB_PASSWORD", "regress.yaml:"}},
		{"missing feature path", nil, []string{"run", "--config", "../regress.yaml", "--target", "demo", "nope.feature"}, ExitUsage, []string{"nope.feature", "no such file"}},
		{"steps catalog", nil, []string{"steps"}, ExitPassed, []string{`^(\w+) is logged in$`, "e.g. Given alice is logged in"}},
		{"help", nil, []string{"help"}, ExitPassed, []string{"exit codes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := cli(t, tt.env, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out+errOut, w) {
					t.Errorf("output lacks %q\nstdout:\n%s\nstderr:\n%s", w, out, errOut)
				}
			}
		})
	}
}

// closedPort returns the URL of a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// startDemo serves the demo with the named bugs on a loopback port until the test ends.
func startDemo(t *testing.T, bugList string) *demo.Server {
	t.Helper()
	bugs, err := demo.ParseBugs(bugList)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := demo.Start("127.0.0.1:0", demo.Options{Bugs: bugs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func TestRunAgainstStandaloneDemoWithBug(t *testing.T) {
	t.Parallel()
	srv := startDemo(t, "idor")
	code, out, errOut := cli(t, nil, runArgs(t, "--target", "demo", "--base-url", srv.URL, "--tags", "@isolation")...)
	if code != ExitFailed {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "leak: alice saw bob's") {
		t.Errorf("no leak evidence in the output:\n%s", out)
	}
}

func TestRunWritesReports(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out, _ := cli(t, nil, "run", "--config", "../regress.yaml", "--target", "demo", "--report-dir", dir, "--tags", "@smoke", "../features")
	if code != ExitPassed {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, name := range []string{"junit.xml", "cucumber.json"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || len(data) == 0 {
			t.Errorf("%s: %v (%d bytes)", name, err, len(data))
		}
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	feature := "Feature: broken\n\n  Scenario: typos\n    Given alcie is logged in\n    When alice requests the \"profle\" route\n    Then the response stauts is 200\n    When alice sends POST \"/api/checkout\" with JSON:\n"
	if err := os.WriteFile(filepath.Join(dir, "broken.feature"), []byte(feature), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, nil, "check", "--config", "../regress.yaml", "--target", "demo", dir)
	if code != ExitUsage {
		t.Fatalf("exit %d, want 2\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"broken.feature:4: unknown account \"alcie\"",
		"broken.feature:5: unknown route \"profle\"",
		"broken.feature:6: undefined step \"the response stauts is 200\"; did you mean \"the response status is 200\"?",
		"broken.feature:7: step \"alice sends POST \\\"/api/checkout\\\" with JSON:\" needs a doc string",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	code, out, errOut = cli(t, nil, "check", "--config", "../regress.yaml", "--target", "demo", "../features")
	if code != ExitPassed {
		t.Fatalf("check of the shipped suite: exit %d\n%s%s", code, out, errOut)
	}
	// Mutating scenarios aimed at a read-only target are reported with their lines.
	code, out, _ = cli(t, nil, "check", "--config", "../regress.yaml", "--target", "demo-preview", "../features")
	if code != ExitUsage || !strings.Contains(out, "webhook.feature:11: scenario") || !strings.Contains(out, "read-only") {
		t.Errorf("check against a read-only target: exit %d, want 2 naming the @mutating scenarios\n%s", code, out)
	}
	if code, out, _ = cli(t, nil, "check", "--config", "../regress.yaml", "--target", "demo-preview", "--tags", "~@mutating", "../features"); code != ExitPassed {
		t.Errorf("check with --tags '~@mutating' against a read-only target: exit %d\n%s", code, out)
	}
}

// TestReadOnlySkipsMutatingScenarios: with --read-only the suite passes against the clean demo,
// the webhook scenarios are reported as skipped, and the demo receives no webhook request.
func TestReadOnlySkipsMutatingScenarios(t *testing.T) {
	t.Parallel()
	var webhookRequests atomic.Int64
	app := demo.New(demo.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "webhook") {
			webhookRequests.Add(1)
		}
		app.ServeHTTP(w, r)
	}))
	defer srv.Close()
	code, out, errOut := cli(t, nil, runArgs(t, "--target", "demo", "--base-url", srv.URL, "--read-only")...)
	if code != ExitPassed {
		t.Fatalf("exit %d, want 0\n%s%s", code, out, errOut)
	}
	if n := webhookRequests.Load(); n != 0 {
		t.Errorf("the demo received %d webhook requests on a read-only run", n)
	}
	if !regexp.MustCompile(`\d+ passed, 0 failed, [1-9]\d* skipped`).MatchString(out) || !strings.Contains(out, "webhook.feature:11  A valid event") {
		t.Errorf("webhook scenarios not reported as skipped:\n%s", out)
	}
	code, out, errOut = cli(t, nil, runArgs(t, "--target", "demo", "--base-url", srv.URL, "--read-only", "--tags", "@webhook")...)
	if code != ExitUsage || !strings.Contains(errOut, "nothing was verified") {
		t.Errorf("every selected scenario skipped: exit %d, want 2 saying nothing was verified\n%s%s", code, out, errOut)
	}
}

// TestBrowserUnavailableIsExit3: with no usable Chromium, a browser scenario ends the run with
// exit 3 and says how to install or point to one; API scenarios still ran.
func TestBrowserUnavailableIsExit3(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	env := map[string]string{"CHROME_PATH": filepath.Join(t.TempDir(), "no-chromium-here")}
	app := &App{Stdout: &stdout, Stderr: &stderr, LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	code := app.Run(context.Background(), runArgs(t, "--target", "demo", "--tags", "@isolation"))
	if code != ExitUnreachable {
		t.Fatalf("exit %d, want 3\n%s%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stderr.String(), "apt-get install chromium") || !strings.Contains(stderr.String(), "CHROME_PATH") {
		t.Errorf("the message does not say how to get a browser:\n%s", stderr.String())
	}
}

// TestFailingBrowserScenarioAttachesScreenshot: a browser scenario that catches a leak carries a
// screenshot, the DOM and the network calls into cucumber.json.
func TestFailingBrowserScenarioAttachesScreenshot(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out, errOut := cli(t, nil, "run", "--config", "../regress.yaml", "--target", "demo", "--demo-bugs", "client-filter",
		"--report-dir", dir, "../features/isolation.feature")
	if code != ExitFailed {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "network GET") || !strings.Contains(out, "/api/customers (Fetch)") {
		t.Errorf("the leak is not named as a network call:\n%s", out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "cucumber.json"))
	if err != nil {
		t.Fatal(err)
	}
	var features []struct {
		Elements []struct {
			Name  string
			Steps []struct {
				Embeddings []struct {
					MimeType string `json:"mime_type"`
					Data     string
				}
			}
		}
	}
	if err := json.Unmarshal(data, &features); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, f := range features {
		for _, e := range f.Elements {
			for _, s := range e.Steps {
				for _, em := range s.Embeddings {
					if png, err := base64.StdEncoding.DecodeString(em.Data); err == nil && em.MimeType == "image/png" && bytes.HasPrefix(png, []byte("\x89PNG")) {
						kinds["png"] = true
					}
					kinds[em.MimeType] = true
				}
			}
		}
	}
	if !kinds["png"] || !kinds["text/html"] || !kinds["text/plain"] {
		t.Errorf("embeddings %v, want a PNG screenshot, the DOM and the network calls", kinds)
	}
}

// TestOutlineRowSelection: "file:N" selects one Examples row by its line, or every row by the
// outline's keyword line, and exactly those run.
func TestOutlineRowSelection(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		path string
		want string
	}{
		{"../features/webhook.feature:25", "1 scenarios selected, 1 passed"},
		{"../features/webhook.feature:17", "4 scenarios selected, 4 passed"},
		{"../features/webhook.feature:11", "1 scenarios selected, 1 passed"},
	} {
		code, out, errOut := cli(t, nil, "run", "--config", "../regress.yaml", "--target", "demo", "--report-dir", t.TempDir(), tt.path)
		if code != ExitPassed || !strings.Contains(out, tt.want) {
			t.Errorf("%s: exit %d, want 0 and %q\n%s%s", tt.path, code, tt.want, out, errOut)
		}
	}
}
