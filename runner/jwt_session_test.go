package runner

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// jwtApp is a small app whose sessions are HS256 JWT cookies; checkExpiry false plants the bug
// of a server that never checks exp.
func jwtApp(secret string, checkExpiry bool) http.Handler {
	users := map[string]string{"alice@jwt.test": "Alice Jwt", "bob@jwt.test": "Bob Jwt"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	mux.HandleFunc("POST /api/login", func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Email, Password string }
		if json.NewDecoder(r.Body).Decode(&body) != nil || users[body.Email] == "" || body.Password != "pw-"+body.Email {
			http.Error(w, `{"error":"bad credentials"}`, http.StatusUnauthorized)
			return
		}
		tok, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": body.Email, "exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(secret))
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: tok, Path: "/", HttpOnly: true})
		fmt.Fprint(w, `{"ok":true}`)
	})
	mux.HandleFunc("GET /api/me", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("sid")
		if err != nil {
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		var opts []jwt.ParserOption
		if !checkExpiry {
			opts = append(opts, jwt.WithoutClaimsValidation())
		}
		claims := jwt.MapClaims{}
		if _, err := jwt.ParseWithClaims(c.Value, claims, func(*jwt.Token) (any, error) { return []byte(secret), nil }, opts...); err != nil {
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		email, _ := claims["sub"].(string)
		fmt.Fprintf(w, `{"email":%q,"name":%q}`, email, users[email])
	})
	return mux
}

const jwtConfig = `targets:
  jwt:
    base_url: %s
    allow_mutations: false
    timeouts: {request: 5s, scenario: 20s}
    routes:
      profile: {path: /api/me}
    session:
      jwt_secret: %s
      expired_token: "%s"
    accounts:
      - name: alice
        username: alice@jwt.test
        password: pw-alice@jwt.test
        login: {strategy: json, path: /api/login, session_cookie: sid}
        fingerprints: {email: alice@jwt.test, name: Alice Jwt}
      - name: bob
        username: bob@jwt.test
        password: pw-bob@jwt.test
        login: {strategy: json, path: /api/login, session_cookie: sid}
        fingerprints: {email: bob@jwt.test, name: Bob Jwt}
`

// TestExpiredJWTSessions: the pre-expired token and the re-signed token with a past exp are
// refused by an app that checks expiry, and catch one that does not.
func TestExpiredJWTSessions(t *testing.T) {
	t.Parallel()
	const secret = "jwt-signing-secret-for-tests"
	expired, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "alice@jwt.test", "exp": time.Now().Add(-time.Hour).Unix()}).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	session, err := os.ReadFile("../features/session.feature")
	if err != nil {
		t.Fatal(err)
	}
	for _, checks := range []bool{true, false} {
		t.Run(fmt.Sprintf("server checks exp %v", checks), func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(jwtApp(secret, checks))
			defer srv.Close()
			dir := t.TempDir()
			cfg := filepath.Join(dir, "regress.yaml")
			feature := filepath.Join(dir, "session.feature")
			if err := os.WriteFile(cfg, fmt.Appendf(nil, jwtConfig, srv.URL, secret, expired), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(feature, session, 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := cli(t, nil, "run", "--config", cfg, "--target", "jwt", "--report-dir", dir, "--tags", "@expired-token,@jwt-expiry", feature)
			want := ExitPassed
			if !checks {
				want = ExitFailed
			}
			if code != want {
				t.Fatalf("exit %d, want %d\n%s%s", code, want, out, errOut)
			}
			if !checks && (!strings.Contains(out, "FAILED") || !strings.Contains(out, "alice saw alice's email")) {
				t.Errorf("the expired sessions were not reported as seeing alice's data:\n%s", out)
			}
		})
	}
}
