package bundle

import (
	"slices"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"regress/redact"
)

// Sample secrets are assembled from pieces so that this file itself never holds a string that a
// repository secret scanner would flag.
var (
	sampleStripeLive       = "sk_" + "live_" + "51HxQyZ2eZvKYlo2C0abcdEFGHijkl"
	sampleStripeTest       = "sk_" + "test_" + "4eC39HqLyjWDarjtT1zdp7dc"
	sampleStripePub        = "pk_" + "live_" + "51HxQyZ2eZvKYlo2CpublishableKey"
	sampleRestricted       = "rk_" + "live_" + "51HxQyZ2eZvKYlo2Crestricted0"
	sampleWebhook          = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	sampleSupabaseSecret   = "sb_" + "secret_" + "N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz"
	sampleSupabasePub      = "sb_" + "publishable_" + "ZuA5ix6UW8YI4kN8Zxnj3w_XfCDrcVr"
	sampleAWS              = "AKIA" + "Z7QW3RT5YU8IOP2L"
	sampleAWSExample       = "AKIA" + "IOSFODNN7EXAMPLE"
	samplePrivateKeyHeader = "-----BEGIN " + "RSA PRIVATE KEY-----"
)

func signJWT(t testing.TB, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte("test-signing-key-for-bundle"))
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

func supabaseJWT(t testing.TB, role string) string {
	return signJWT(t, jwt.MapClaims{"iss": "supabase", "ref": "abcdefghijklmnopqrst", "role": role, "iat": 1700000000, "exp": 2000000000})
}

func rulesFound(fs []Finding) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.Rule)
	}
	return ids
}

func TestRulesFixedOrder(t *testing.T) {
	want := []string{
		"stripe-secret-key", "stripe-restricted-key", "stripe-webhook-secret", "supabase-secret-key",
		"supabase-service-role-jwt", "aws-access-key", "private-key", "config-secret",
	}
	var got []string
	for _, r := range Rules() {
		if r.Description == "" {
			t.Errorf("rule %s has no description", r.ID)
		}
		got = append(got, r.ID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Rules() = %v, want %v", got, want)
	}
}

func TestScanRules(t *testing.T) {
	serviceRole := supabaseJWT(t, "service_role")
	anon := supabaseJWT(t, "anon")
	authenticated := supabaseJWT(t, "authenticated")
	parts := strings.Split(serviceRole, ".")

	tests := []struct {
		name string
		text string
		want []string // rule IDs, in order; nil means nothing is found
	}{
		{"stripe live secret key", `const k="` + sampleStripeLive + `";`, []string{"stripe-secret-key"}},
		{"stripe test secret key", `key:'` + sampleStripeTest + `'`, []string{"stripe-secret-key"}},
		{"stripe publishable key is allowed", `Stripe("` + sampleStripePub + `")`, nil},
		{"stripe publishable test key is allowed", `Stripe("pk_test_TYooMQauvdEDq54NiTphI7jx")`, nil},
		{"stripe secret key too short", `"sk_live_abc123"`, nil},
		{"stripe secret key inside an identifier", `var task_live_abcdefghijklmnop=1,disk_test_ABCDEFGHIJKLMNOP=2`, nil},
		{"stripe secret key after underscore", `x_sk_live_abcdefghijklmnop`, nil},
		{"stripe restricted key", `"` + sampleRestricted + `"`, []string{"stripe-restricted-key"}},
		{"stripe restricted test key", `rk_test_abcdefghijKLMNOP`, []string{"stripe-restricted-key"}},
		{"stripe restricted key inside an identifier", `park_live_abcdefghijKLMNOP`, nil},
		{"stripe webhook secret", `STRIPE_WEBHOOK_SECRET:"` + sampleWebhook + `"`, []string{"stripe-webhook-secret"}},
		{"stripe webhook secret too short", `"whsec_abc"`, nil},
		{"stripe webhook secret inside an identifier", `mywhsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw`, nil},
		{"supabase secret key", `createClient(u,"` + sampleSupabaseSecret + `")`, []string{"supabase-secret-key"}},
		{"supabase publishable key is allowed", `createClient(u,"` + sampleSupabasePub + `")`, nil},
		{"supabase secret key too short", `"sb_secret_abc"`, nil},
		{"service role JWT", `const SUPABASE_KEY="` + serviceRole + `";`, []string{"supabase-service-role-jwt"}},
		{"service role JWT in JSON", `{"key":"` + serviceRole + `"}`, []string{"supabase-service-role-jwt"}},
		{"anon JWT is allowed", `const SUPABASE_ANON_KEY="` + anon + `";`, nil},
		{"authenticated JWT is allowed", `Authorization:"Bearer ` + authenticated + `"`, nil},
		{"other JWT is allowed", `t="` + signJWT(t, jwt.MapClaims{"sub": "42"}) + `"`, nil},
		{"JWT-shaped but not decodable", `"eyJhbGciOi.notbase64!.x" "eyJ!!!.@@@.###" "eyJabc.def.ghi"`, nil},
		{"service role payload with broken header", `"eyJhbGciOiJIUzI1NiIsInR5cCI6.` + parts[1] + `.` + parts[2] + `"`, nil},
		{"aws access key", `accessKeyId:"` + sampleAWS + `"`, []string{"aws-access-key"}},
		{"aws session key", `"ASIA` + "Z7QW3RT5YU8IOP2L" + `"`, []string{"aws-access-key"}},
		{"aws documentation example is allowed", `"` + sampleAWSExample + `"`, nil},
		{"aws key not word-bounded", `XAKIA` + "Z7QW3RT5YU8IOP2L" + ` AKIA` + "Z7QW3RT5YU8IOP2L9", nil},
		{"aws key lower case", `akia` + "z7qw3rt5yu8iop2l", nil},
		{"rsa private key", samplePrivateKeyHeader + "\nMIIEowIBAAKCAQEA7bq\n-----END RSA PRIVATE KEY-----", []string{"private-key"}},
		{"escaped private key", `k="-----BEGIN ` + `PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----"`, []string{"private-key"}},
		{"openssh private key", "-----BEGIN " + "OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk", []string{"private-key"}},
		{"encrypted private key", "-----BEGIN " + "ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0w", []string{"private-key"}},
		{"ec private key", "-----BEGIN " + "EC PRIVATE KEY-----", []string{"private-key"}},
		{"public key is allowed", "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A", nil},
		{"certificate is allowed", "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa", nil},
		{"several in order", sampleAWS + "\n" + sampleStripeLive + " " + sampleWebhook, []string{"aws-access-key", "stripe-secret-key", "stripe-webhook-secret"}},
		{"same value twice is one finding", sampleStripeLive + "\n" + sampleStripeLive, []string{"stripe-secret-key"}},
		{"two values of one rule are two findings", sampleStripeLive + "\n" + sampleStripeTest, []string{"stripe-secret-key", "stripe-secret-key"}},
		{"plain minified code", `!function(e){var t={};function n(r){if(t[r])return t[r].exports}}([]);`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := Scan(Asset{URL: "https://shop.test/app.js", Kind: KindScript, Body: []byte(tt.text)}, nil)
			if got := rulesFound(fs); !slices.Equal(got, tt.want) {
				t.Fatalf("rules = %v, want %v (findings %v)", got, tt.want, fs)
			}
		})
	}
}

func TestScanConfigSecrets(t *testing.T) {
	password := "correct-horse-battery"
	quoted := `pa"ss\word-123`
	text := "line one\nconst p = '" + password + "';\nx=\"" + `pa\"ss\\word-123` + "\"\nshort1 " + password
	fs := Scan(Asset{URL: "https://shop.test/app.js", Kind: KindScript, Body: []byte(text)},
		[]string{password, "short1", "", quoted, password, "not-in-the-text"})
	want := []Finding{
		{Rule: "config-secret", URL: "https://shop.test/app.js", Line: 2, Masked: redact.Mask(password)},
		{Rule: "config-secret", URL: "https://shop.test/app.js", Line: 3, Masked: redact.Mask(quoted)},
	}
	if !slices.Equal(fs, want) {
		t.Fatalf("findings = %v, want %v", fs, want)
	}
}

func TestScanLinesAndURL(t *testing.T) {
	text := "a\nb\n\nvar s='" + sampleSupabaseSecret + "'\n"
	url := "https://shop.test/ (inline script 2)"
	fs := Scan(Asset{URL: url, Kind: KindInlineScript, Body: []byte(text)}, nil)
	if len(fs) != 1 || fs[0].Line != 4 || fs[0].URL != url || fs[0].Rule != "supabase-secret-key" {
		t.Fatalf("findings = %v", fs)
	}
	want := "supabase-secret-key in https://shop.test/ (inline script 2) line 4: " + redact.Mask(sampleSupabaseSecret)
	if got := fs[0].String(); got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
}

func TestScanSourceMap(t *testing.T) {
	body := `{"version":3,"sources":["webpack://app/lib/a.ts","webpack://app/lib/stripe.ts"],` +
		`"sourcesContent":["export const a = 1;\n","import Stripe from 'stripe';\n\nconst s = new Stripe('` + sampleStripeLive + `');\nconst pk = '-----BEGIN ` + `PRIVATE KEY-----\\nMIIEvQIBADANBg';\n"],` +
		`"names":[],"mappings":"AAAA","x_extra":"` + sampleAWS + `"}`
	fs := Scan(Asset{URL: "https://shop.test/_next/static/chunks/main.js.map", Kind: KindSourceMap, Body: []byte(body)}, nil)
	want := []Finding{
		{Rule: "stripe-secret-key", URL: "https://shop.test/_next/static/chunks/main.js.map (source webpack://app/lib/stripe.ts)", Line: 3, Masked: redact.Mask(sampleStripeLive)},
		{Rule: "private-key", URL: "https://shop.test/_next/static/chunks/main.js.map (source webpack://app/lib/stripe.ts)", Line: 4},
		{Rule: "aws-access-key", URL: "https://shop.test/_next/static/chunks/main.js.map", Line: 1, Masked: redact.Mask(sampleAWS)},
	}
	if len(fs) != len(want) {
		t.Fatalf("findings = %v, want %d", fs, len(want))
	}
	for i := range want {
		if fs[i].Rule != want[i].Rule || fs[i].URL != want[i].URL || fs[i].Line != want[i].Line {
			t.Errorf("finding %d = %v, want %v", i, fs[i], want[i])
		}
	}

	// A map that does not parse is scanned as text.
	broken := Scan(Asset{URL: "m.map", Kind: KindSourceMap, Body: []byte(`{"sourcesContent":["` + sampleStripeLive)}, nil)
	if got := rulesFound(broken); !slices.Equal(got, []string{"stripe-secret-key"}) {
		t.Fatalf("broken map findings = %v", broken)
	}
}

func TestScanCrawlDropsPageDuplicates(t *testing.T) {
	page := "<html><script>var k='" + sampleStripeLive + "'</script><p>" + sampleAWS + "</p></html>"
	c := &Crawl{Assets: []Asset{
		{URL: "https://shop.test/", Kind: KindPage, Body: []byte(page)},
		{URL: "https://shop.test/ (inline script 1)", Kind: KindInlineScript, Body: []byte("var k='" + sampleStripeLive + "'")},
	}}
	fs := ScanCrawl(c, nil)
	var got []string
	for _, f := range fs {
		got = append(got, f.Rule+"@"+f.URL)
	}
	want := []string{"aws-access-key@https://shop.test/", "stripe-secret-key@https://shop.test/ (inline script 1)"}
	if !slices.Equal(got, want) {
		t.Fatalf("findings = %v, want %v", got, want)
	}
	if ScanCrawl(nil, nil) != nil {
		t.Fatal("ScanCrawl(nil) found something")
	}
}

func TestFindingsNeverHoldTheValue(t *testing.T) {
	serviceRole := supabaseJWT(t, "service_role")
	values := []string{sampleStripeLive, sampleStripeTest, sampleRestricted, sampleWebhook, sampleSupabaseSecret, serviceRole, sampleAWS, "hunter2-but-longer"}
	text := strings.Join(values, "\n") + "\n" + samplePrivateKeyHeader + "\nMIIEowIBAAKCAQEA7bq\n"
	fs := Scan(Asset{URL: "https://shop.test/app.js", Kind: KindScript, Body: []byte(text)}, []string{"hunter2-but-longer"})
	if len(fs) != len(values)+1 {
		t.Fatalf("found %d, want %d: %v", len(fs), len(values)+1, fs)
	}
	for _, f := range fs {
		for _, v := range values {
			if strings.Contains(f.Masked, v) || strings.Contains(f.String(), v) {
				t.Errorf("finding %v holds the value %q", f, v)
			}
			// Not even the middle of a value survives.
			if mid := v[4 : len(v)-4]; strings.Contains(f.String(), mid) {
				t.Errorf("finding %v holds the middle of %q", f, v)
			}
		}
		if !strings.Contains(f.Masked, "*") {
			t.Errorf("finding %v is not masked", f)
		}
	}
}
