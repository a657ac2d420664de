package runner

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNoSecretReachesReportsOrConsole runs the suite against a demo with leaking bugs and known
// secrets (account passwords, session cookies, the webhook signing secret, a sk_live_ key in the
// client bundle) and checks that none of them appears in any report file or on the console.
func TestNoSecretReachesReportsOrConsole(t *testing.T) {
	t.Parallel()
	srv := startDemo(t, "service-key,idor,webhook-nosig")
	resp, err := http.Get(srv.URL + "/static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	bundle, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	stripeKey := regexp.MustCompile(`sk_live_[A-Za-z0-9]+`).FindString(string(bundle))
	if stripeKey == "" {
		t.Fatal("the service-key demo bundle carries no sk_live_ key to check for")
	}
	secrets := []string{"alice-demo-password", "bob-demo-password", "carol-demo-password", "whsec_demo_regress_0123456789abcdef", stripeKey}

	dir := t.TempDir()
	code, out, errOut := cli(t, nil, "run", "--config", "../regress.yaml", "--target", "demo", "--base-url", srv.URL, "--report-dir", dir, "../features")
	if code != ExitFailed {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	texts := map[string]string{"stdout": out, "stderr": errOut}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 4 {
		t.Fatalf("report files = %v, want 4", files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts[filepath.Base(f)] = string(data)
	}
	// Session cookies are random: every value after "demo_session=" must be masked.
	sessionValue := regexp.MustCompile(`demo_session=([^;"\s\\]*)`)
	for name, text := range texts {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s contains the secret %q", name, s[:6]+"...")
			}
		}
		for _, m := range sessionValue.FindAllStringSubmatch(text, -1) {
			if m[1] != "" && !strings.Contains(m[1], "*") {
				t.Errorf("%s contains an unmasked session cookie demo_session=%s...", name, m[1][:min(4, len(m[1]))])
			}
		}
	}
	if !strings.Contains(out, "stripe-secret-key in "+srv.URL+"/static/app.js") {
		t.Errorf("the console does not name the leaked key's rule and bundle URL:\n%s", out)
	}
}
