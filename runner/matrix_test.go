package runner

import (
	"regexp"
	"slices"
	"testing"

	"regress/demo"
	"regress/runner/featureset"
	"regress/runner/tagexpr"
)

// detection says which scenarios must catch a demo bug: at least one scenario tagged concern
// fails, and any other failing scenario carries one of the also tags — a bug some other concern
// sees too, with the reason in the comment.
type detection struct {
	concern string
	also    []string
}

// detectionMatrix maps each demo bug the shipped suite covers to the scenarios that catch it.
var detectionMatrix = map[string]detection{
	"idor": {concern: "@isolation"},
	// Every dashboard opened (partial-cookie and preview checks too) lists the orders.
	"list-all":   {concern: "@isolation", also: []string{"@cache", "@preview"}},
	"overbroad":  {concern: "@scoped"},
	"user-param": {concern: "@isolation"},
	// A route that skips the session check also answers a revoked session.
	"unauth": {concern: "@unauth", also: []string{"@session"}},
	// A publicly cached personalised page reaches every later visitor of that URL: other
	// customers, logged-out and revoked sessions, the crawler of public pages.
	"cache-shared":  {concern: "@cache", also: []string{"@session", "@unauth", "@isolation", "@bundle", "@preview"}},
	"cache-headers": {concern: "@cache"},
	// An unauthenticated success page also answers a revoked session.
	"success-leak": {concern: "@cache", also: []string{"@session", "@unauth"}},
	// The partial-cookie check (cache.feature) presents an invalid session too.
	"expired-fallback": {concern: "@session", also: []string{"@cache"}},
	// Every check that opens a dashboard (the partial-cookie and preview checks too) sees the
	// script fetch every customer.
	"client-filter": {concern: "@isolation", also: []string{"@cache", "@preview"}},
	"webhook-nosig": {concern: "@webhook"},
	"webhook-dup":   {concern: "@webhook"},
	"ownership":     {concern: "@webhook"},
	"service-key":   {concern: "@bundle"},
	// Carol's browser login lands on her dashboard, which shows the fallback order.
	"empty-fallback": {concern: "@isolation"},
	// The production widget is on the account page, which the cache and empty-state checks
	// load too.
	"preview-prod": {concern: "@preview", also: []string{"@cache", "@isolation"}},
}

// TestDetectionMatrixCoversEveryBug: a bug of the demo's catalog that the matrix does not name
// would go unproven.
func TestDetectionMatrixCoversEveryBug(t *testing.T) {
	for _, b := range demo.Catalog() {
		d, ok := detectionMatrix[b.Name]
		if !ok {
			t.Errorf("demo bug %q is not in the detection matrix", b.Name)
			continue
		}
		if d.concern != "@"+b.Concern {
			t.Errorf("demo bug %q: the matrix expects %s, the catalog names concern %q", b.Name, d.concern, b.Concern)
		}
	}
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
	for bug, want := range detectionMatrix {
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
			caught := false
			for _, m := range failed {
				tags, ok := tagsOf[m[1]]
				if !ok {
					t.Errorf("failed scenario %s is not in the suite", m[1])
					continue
				}
				switch {
				case slices.Contains(tags, want.concern):
					caught = true
				case !slices.ContainsFunc(want.also, func(tag string) bool { return slices.Contains(tags, tag) }):
					t.Errorf("%s made %s (tags %v) fail; only %s scenarios (or %v) should\n%s", bug, m[1], tags, want.concern, want.also, out)
				}
			}
			if !caught {
				t.Errorf("no %s scenario caught %s\n%s", want.concern, bug, out)
			}
		})
	}
}
