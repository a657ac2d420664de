package runner

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"regress/steps"
)

var update = flag.Bool("update", false, "rewrite docs/STEPS.md from the step catalog")

// TestStepsDocInSync keeps docs/STEPS.md equal to `regress steps --format markdown`;
// `go test ./runner -run StepsDoc -update` rewrites it.
func TestStepsDocInSync(t *testing.T) {
	var want bytes.Buffer
	WriteCatalogMarkdown(&want, steps.Catalog())
	const path = "../docs/STEPS.md"
	if *update {
		if err := os.WriteFile(path, want.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("%s is out of date with the step catalog; run `go test ./runner -run StepsDoc -update`", path)
	}
}
