package config

import (
	"os"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile(shipped); err == nil {
		f.Add(data)
	}
	f.Add([]byte(lines(valid...)))
	for _, s := range []string{
		"",
		"# comment\n",
		"targets:\n  a: {base_url: '${X:-http://h}', accounts: [{name: a, fingerprints: {e: '${Y'}}]}\n",
		"targets: &a {b: *a}\n",
		"targets:\n  t: &t\n    routes: {r: {<<: [*t, *t]}}\n",
		"a: &a [*a, *a]\ntargets: {x: {accounts: *a}}\n",
		"targets: {t: {rate_limit: 1e400, max_body_bytes: 99999999999999999999, timeouts: {request: -1s}}}\n",
		"targets:\n  t:\n    routes: {r: {path: '/{a}/{'}}\n",
		"---\n---\n",
		"targets: {? [a]: b}\n",
	} {
		f.Add([]byte(s))
	}
	lookup := func(name string) (string, bool) {
		if strings.HasPrefix(name, "U") {
			return "", false
		}
		return "v-" + name, true
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz.yaml", data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			if _, ok := AsErrors(err); !ok {
				t.Fatalf("error %T carries no *Error", err)
			}
			return
		}
		for _, name := range file.TargetNames() {
			tg, err := file.Target(name, lookup)
			if err == nil && tg == nil {
				t.Fatal("nil target without an error")
			}
			_ = file.MissingVars(name, nil)
		}
	})
}

func FuzzInterpolate(f *testing.F) {
	for _, s := range []string{"", "plain", "${A}", "${A:-b}", "$$", "$${A}", "${", "${}", "${A:-${B}}", "a$", "${A}${B:-}$"} {
		f.Add(s)
	}
	lookup := func(name string) (string, bool) { return "<" + name + ">", len(name)%2 == 0 }
	f.Fuzz(func(t *testing.T, s string) {
		out, err := Interpolate(s, lookup)
		if !strings.Contains(s, "$") && (err != nil || out != s) {
			t.Fatalf("Interpolate(%q) = %q, %v; text without $ must pass unchanged", s, out, err)
		}
	})
}
