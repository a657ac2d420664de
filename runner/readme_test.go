package runner

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeExamplePasses runs the QA guide's example feature from the README against the demo,
// so the documented example keeps working.
func TestReadmeExamplePasses(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```gherkin\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("the README has no gherkin example")
	}
	var lines []string
	for _, l := range strings.Split(string(m[1]), "\n") {
		lines = append(lines, strings.TrimPrefix(l, "   "))
	}
	path := filepath.Join(t.TempDir(), "my-check.feature")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, nil, "run", "--config", "../regress.yaml", "--target", "demo", "--report-dir", t.TempDir(), path)
	if code != ExitPassed || !strings.Contains(out, "2 passed") {
		t.Fatalf("the README example: exit %d\n%s%s", code, out, errOut)
	}
}
