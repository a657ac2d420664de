package runner

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

const sentinelConfig = `targets:
  t:
    base_url: %s
    timeouts: {request: 5s, scenario: 20s}
    routes:
      profile: {path: /api/me}
    accounts:
      - name: alice
        username: alice@s.test
        password: pw-alice
        login: {strategy: json, path: /api/login, session_cookie: sid}
        fingerprints: {email: alice@s.test}
      - name: bob
        username: bob@s.test
        password: pw-bob
        login: {strategy: json, path: /api/login, session_cookie: sid}
        fingerprints: {email: bob@s.test}
`

// TestSentinelSeesLoginAnswersAndRetriedAttempts: the leak sentinel checks every response a
// session gets, not only the ones a request step asserts on — a login answer and a 503 that was
// retried included.
func TestSentinelSeesLoginAnswersAndRetriedAttempts(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		app  func(hits *atomic.Int64) http.Handler
		want string
	}{
		{"login answer", func(*atomic.Int64) http.Handler {
			mux := http.NewServeMux()
			mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {})
			mux.HandleFunc("POST /api/login", func(w http.ResponseWriter, r *http.Request) {
				http.SetCookie(w, &http.Cookie{Name: "sid", Value: "s-123456", Path: "/"})
				fmt.Fprint(w, `{"ok":true,"recent_logins":["bob@s.test"]}`)
			})
			mux.HandleFunc("GET /api/me", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"email":"alice@s.test"}`) })
			return mux
		}, "logging alice in: leak: alice saw bob's email"},
		{"retried attempt", func(hits *atomic.Int64) http.Handler {
			mux := http.NewServeMux()
			mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {})
			mux.HandleFunc("POST /api/login", func(w http.ResponseWriter, r *http.Request) {
				http.SetCookie(w, &http.Cookie{Name: "sid", Value: "s-123456", Path: "/"})
			})
			mux.HandleFunc("GET /api/me", func(w http.ResponseWriter, r *http.Request) {
				if hits.Add(1) == 1 {
					w.WriteHeader(http.StatusServiceUnavailable)
					fmt.Fprint(w, `{"error":"overloaded","debug_user":"bob@s.test"}`)
					return
				}
				fmt.Fprint(w, `{"email":"alice@s.test"}`)
			})
			return mux
		}, "leak: alice saw bob's email"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int64
			srv := httptest.NewServer(tt.app(&hits))
			defer srv.Close()
			dir := t.TempDir()
			cfg := filepath.Join(dir, "regress.yaml")
			feature := filepath.Join(dir, "x.feature")
			if err := os.WriteFile(cfg, fmt.Appendf(nil, sentinelConfig, srv.URL), 0o644); err != nil {
				t.Fatal(err)
			}
			f := "Feature: f\n  Scenario: s\n    Given alice is logged in\n    When alice requests the \"profile\" route\n    Then the response status is 200\n"
			if err := os.WriteFile(feature, []byte(f), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := cli(t, nil, "run", "--config", cfg, "--target", "t", "--report-dir", dir, feature)
			if code != ExitFailed || !strings.Contains(out, tt.want) {
				t.Fatalf("exit %d, want 1 and %q\n%s%s", code, tt.want, out, errOut)
			}
		})
	}
}
