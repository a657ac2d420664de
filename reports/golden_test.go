package reports

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"regress/redact"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenRuns are the runs every format is golden-tested with, by test name.
var goldenRuns = map[string]func() *Run{
	"mixed":       mixedRun,
	"interrupted": interruptedRun,
}

// TestGolden writes each format of each fixed run, redacted as WriteAll does, and compares it with
// testdata/golden/<format>/<test><ext>; -update rewrites the files.
func TestGolden(t *testing.T) {
	red := redact.New([]string{fixturePassword})
	for _, format := range Names() {
		ext := filepath.Ext(format)
		dir := filepath.Join("testdata", "golden", strings.TrimSuffix(format, ext))
		t.Run(format, func(t *testing.T) {
			for name, build := range goldenRuns {
				t.Run(name, func(t *testing.T) {
					w, err := Lookup(format)
					if err != nil {
						t.Fatal(err)
					}
					var buf bytes.Buffer
					if err := w.Write(&buf, build().Redacted(red)); err != nil {
						t.Fatal(err)
					}
					golden(t, filepath.Join(dir, name+ext), buf.Bytes())
				})
			}
		})
	}
}

// golden compares got with the file at path, line endings normalised, or rewrites it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	got = bytes.ReplaceAll(got, []byte("\r\n"), []byte("\n"))
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reports -update to create it)", err)
	}
	want = bytes.ReplaceAll(want, []byte("\r\n"), []byte("\n"))
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (go test ./reports -update rewrites it):\n%s", path, firstDiff(string(want), string(got)))
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\nwant: %s\n got: %s", i+1, w, g)
		}
	}
	return "(no line differs)"
}
