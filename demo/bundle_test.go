package demo

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
)

var (
	jwtPattern       = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`)
	secretKeyPattern = regexp.MustCompile(`sk_live_[A-Za-z0-9]{24,}`)
)

// jwtPayloads returns the payloads of every JWT in text.
func jwtPayloads(t *testing.T, text string) []string {
	t.Helper()
	var out []string
	for _, tok := range jwtPattern.FindAllString(text, -1) {
		payload, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
		if err != nil {
			t.Fatalf("JWT %q payload: %v", tok, err)
		}
		out = append(out, string(payload))
	}
	return out
}

func TestBundleKeys(t *testing.T) {
	clean := newEnv(t).anon().get("/static/app.js").body
	if !strings.Contains(clean, "pk_test_demo51Hx") {
		t.Errorf("clean bundle lacks the publishable key")
	}
	if p := jwtPayloads(t, clean); len(p) != 1 || p[0] != `{"role":"anon","iss":"supabase"}` {
		t.Errorf("clean bundle JWT payloads = %v, want only the anon key", p)
	}
	if strings.Contains(clean, "sk_live_") || strings.Contains(clean, "service_role") {
		t.Errorf("clean bundle carries a server-only key")
	}

	leaky := newEnv(t, "service-key").anon().get("/static/app.js").body
	if !secretKeyPattern.MatchString(leaky) {
		t.Errorf("service-key bundle lacks an sk_live_ key")
	}
	var service bool
	for _, p := range jwtPayloads(t, leaky) {
		service = service || p == `{"role":"service_role","iss":"supabase"}`
	}
	if !service {
		t.Errorf("service-key bundle lacks a service_role JWT")
	}
}

func TestDemoJWTIsVerifiable(t *testing.T) {
	tok := demoJWT(`{"role":"anon","iss":"supabase"}`)
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("JWT %q has %d parts", tok, len(parts))
	}
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || string(header) != `{"alg":"HS256","typ":"JWT"}` {
		t.Errorf("JWT header = %q, %v", header, err)
	}
	mac := hmac.New(sha256.New, []byte(jwtDemoSecret))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if want := base64.RawURLEncoding.EncodeToString(mac.Sum(nil)); parts[2] != want {
		t.Errorf("JWT signature does not verify with the demo secret")
	}
}
