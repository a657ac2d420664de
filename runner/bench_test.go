package runner

import (
	"bytes"
	"context"
	"testing"
)

// BenchmarkSuite runs the whole shipped suite against the embedded clean demo, and its API and
// browser halves apart, with the test binary's one Chromium (already started, as in a run after
// its first browser step). `go test ./runner -run '^$' -bench Suite -benchtime 5x`.
func BenchmarkSuite(b *testing.B) {
	for _, bench := range []struct{ name, tags string }{
		{"all", ""},
		{"api", "~@browser"},
		{"browser", "@browser"},
	} {
		b.Run(bench.name, func(b *testing.B) {
			dir := b.TempDir()
			args := []string{"run", "--config", "../regress.yaml", "--target", "demo", "--report-dir", dir}
			if bench.tags != "" {
				args = append(args, "--tags", bench.tags)
			}
			args = append(args, "../features")
			for b.Loop() {
				var out bytes.Buffer
				app := &App{Stdout: &out, Stderr: &out, LookupEnv: func(string) (string, bool) { return "", false }, Browser: sharedBrowser}
				if code := app.Run(context.Background(), args); code != ExitPassed {
					b.Fatalf("exit %d:\n%s", code, out.String())
				}
			}
		})
	}
}
