package redact

import (
	"strings"
	"testing"
)

// FuzzString checks that String never panics, is idempotent and never lets a configured secret through.
func FuzzString(f *testing.F) {
	for _, seed := range []string{
		"",
		"Authorization: Bearer " + jwt,
		"Set-Cookie: sid=" + cookie + "; Path=/; HttpOnly",
		`{"password":"` + password + `","tokens":["a\"b",`,
		`"{\"token\":\"x\\\"y\"}"`,
		"u=1&password=x&key=" + skLive,
		"postgres://a:b@c/" + whsec,
		"Cookie:Cookie: a=b;;=;",
		"\xff\xfe" + password,
	} {
		f.Add(seed)
	}
	r := New([]string{password, whsec, "p@ss w0rd!"})
	f.Fuzz(func(t *testing.T, s string) {
		once := r.String(s)
		if twice := r.String(once); twice != once {
			t.Fatalf("not idempotent for %q:\n once %q\ntwice %q", s, once, twice)
		}
		if strings.Contains(once, password) {
			t.Fatalf("String(%q) = %q keeps the secret", s, once)
		}
	})
}
