package runner

import (
	"regexp"
	"strings"
	"testing"

	"regress/runner/featureset"
	"regress/runner/tagexpr"
)

// detectionMatrix maps each demo bug the shipped suite covers to the concern tag of the
// scenarios that must catch it.
var detectionMatrix = map[string]string{
	"idor":       "@isolation",
	"list-all":   "@isolation",
	"overbroad":  "@scoped",
	"user-param": "@isolation",
	"unauth":     "@unauth",
	// Stripe webhooks
	"webhook-nosig": "@webhook",
	"webhook-dup":   "@webhook",
	"ownership":     "@webhook",
}

var failedLine = regexp.MustCompile(`(?m)^FAILED (\S+)`)

// TestDetectionMatrix runs the whole shipped suite against the demo with each bug switched on:
// the run must fail, and every failing scenario must be one of the bug's concern.
func TestDetectionMatrix(t *testing.T) {
	t.Parallel()
	set, err := featureset.Load([]string{"../features"})
	if err != nil {
		t.Fatal(err)
	}
	all, _ := tagexpr.Parse("")
	tagsOf := map[string][]string{}
	for _, sc := range set.Select(all) {
		tagsOf[sc.Ref()] = sc.Tags
	}
	for bug, concern := range detectionMatrix {
		t.Run(bug, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := cli(t, nil, runArgs(t, "--target", "demo", "--demo-bugs", bug)...)
			if code != ExitFailed {
				t.Fatalf("exit %d, want 1: the suite did not catch %s\nstdout:\n%s\nstderr:\n%s", code, bug, out, errOut)
			}
			failed := failedLine.FindAllStringSubmatch(out, -1)
			if len(failed) == 0 {
				t.Fatalf("exit 1 but no FAILED scenario in the summary:\n%s", out)
			}
			for _, m := range failed {
				tags, ok := tagsOf[m[1]]
				if !ok {
					t.Errorf("failed scenario %s is not in the suite", m[1])
					continue
				}
				if !strings.Contains(strings.Join(tags, " "), concern) {
					t.Errorf("%s failed scenario %s tagged %v, want only %s scenarios to fail\n%s", bug, m[1], tags, concern, out)
				}
			}
		})
	}
}
