package reports

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"regress/redact"
)

// Secrets of the redaction test. Only the password and the webhook secret are configured: the
// cookie, the Stripe key and the JWT must be caught by the pattern rules alone.
const (
	leakPassword = "Tr0ub4dor&3-horse-staple"
	leakCookie   = "s3ss10n-7f1e9d2c4b8a6035e1f2"
	leakSKLive   = "sk_live_51NzQwErTyUiOpAsDfGhJkL0"
	leakWhsec    = "whsec_Zx8Cv7Bn6Mm5Ll4Kk3Jj2Hh1Gg0"
	leakJWT      = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjdXNfYm9iIiwicm9sZSI6InNlcnZpY2Vfcm9sZSJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"
)

// secretRun spreads the secrets over reasons, step errors, leak evidence, transcripts and a DOM.
func secretRun() *Run {
	run := &Run{Target: "staging", BaseURL: "https://ops:" + leakPassword + "@staging.example.test",
		Started: fixtureStart, Duration: time.Second, Selected: 2}
	run.Add(&Scenario{
		Ref: "features/webhook.feature:4", URI: "features/webhook.feature", Line: 4, Feature: "Stripe webhooks",
		Name: "Unsigned webhooks are refused", Status: Failed,
		Reason: "features/webhook.feature:6: step \"an unsigned event is refused\": signed with " + leakWhsec + " but accepted unsigned\n" +
			"Set-Cookie: session=" + leakCookie + "; Path=/; HttpOnly",
		Steps: []Step{{Keyword: "When ", Text: "bob posts the event", Line: 5, Status: Failed,
			Error: `POST /api/login {"email":"bob@example.test","password":"` + leakPassword + `"} then Authorization: Bearer ` + leakJWT}},
		Leaks: []Leak{{Viewer: "carol", Account: "bob", Fingerprint: "token", Masked: redact.Mask(leakJWT),
			URL: "https://staging.example.test/api/me?session=" + leakCookie, Where: "response body"}},
		Attachments: []Attachment{
			{Name: "screenshot", MediaType: "image/png", Data: tinyPNG},
			{Name: "DOM", MediaType: "text/html", Data: []byte(`<html><script>window.env={"STRIPE_KEY":"` + leakSKLive +
				`","jwt":"` + leakJWT + `"}</script><input type="password" value="` + html.EscapeString(leakPassword) + `"></html>`)},
			{Name: "console", MediaType: "text/plain", Data: []byte("Cookie: session=" + leakCookie + "\nkey " + leakSKLive)},
		},
		Transcript: []Exchange{{
			Session: "bob", Method: "POST", URL: "https://staging.example.test/login?password=" + leakPassword, Status: 200,
			RequestHeader: map[string][]string{
				"Authorization": {"Bearer " + leakJWT},
				"Cookie":        {"session=" + leakCookie + "; theme=dark"},
				"Content-Type":  {"application/x-www-form-urlencoded"},
			},
			RequestBody: "email=bob%40example.test&password=" + strings.ReplaceAll(leakPassword, "&", "%26"),
			ResponseHeader: map[string][]string{
				"Set-Cookie":       {"session=" + leakCookie + "; Path=/; Secure; HttpOnly; SameSite=Strict"},
				"Stripe-Signature": {"t=1700000000,v1=" + leakWhsec},
			},
			ResponseBody: `{"token":"` + leakJWT + `","stripe_secret":"` + leakSKLive + `","webhook":"` + leakWhsec + `"}`,
			Error:        "redirected with cookie session=" + leakCookie,
		}},
		Rerun: "regress run --target staging --base-url https://ops:" + leakPassword + "@staging.example.test features/webhook.feature:4",
	})
	run.Add(&Scenario{
		Ref: "features/bundle.feature:3", URI: "features/bundle.feature", Line: 3, Feature: "Client bundle",
		Name: "No secret key in the bundle", Status: Skipped, Reason: "skipped: key " + leakSKLive + " is configured",
	})
	return run
}

func TestWriteAllRedacts(t *testing.T) {
	dir := t.TempDir()
	summary := filepath.Join(t.TempDir(), "summary")
	red := redact.New([]string{leakPassword, leakWhsec})
	paths, err := WriteAll(dir, secretRun(), red, summary)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 4 {
		t.Fatalf("paths = %q", paths)
	}
	secrets := []string{leakPassword, leakCookie, leakSKLive, leakWhsec, leakJWT}
	check := func(where, text string) {
		for _, s := range secrets {
			for _, form := range []string{s, html.EscapeString(s), strings.ReplaceAll(s, "&", `\u0026`)} {
				if strings.Contains(text, form) {
					t.Errorf("%s contains the secret %q", where, s)
				}
			}
		}
	}
	files := append([]string{summary}, paths...)
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		check(path, string(data))
		check(path+" (unescaped)", html.UnescapeString(string(data)))
	}
	// Embeddings are base64: decode them too.
	data, _ := os.ReadFile(filepath.Join(dir, "cucumber.json"))
	var doc cucumberDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	decoded := 0
	for _, f := range doc {
		for _, el := range f.Elements {
			for _, st := range append(el.Steps, el.After...) {
				check("cucumber.json step "+st.Name, st.Result.ErrorMessage)
				for _, e := range st.Embeddings {
					raw, err := base64.StdEncoding.DecodeString(e.Data)
					if err != nil {
						t.Fatal(err)
					}
					check("cucumber.json embedding "+e.Name, string(raw))
					decoded++
				}
			}
		}
	}
	if decoded != 3 {
		t.Errorf("%d embeddings decoded, want 3", decoded)
	}
	// The reports still show what happened.
	report, _ := os.ReadFile(filepath.Join(dir, "report.html"))
	for _, want := range []string{"Set-Cookie: session=", "HttpOnly", "Unsigned webhooks are refused", "bob@example.test"} {
		if !strings.Contains(html.UnescapeString(string(report)), want) {
			t.Errorf("report.html lost %q", want)
		}
	}
}
