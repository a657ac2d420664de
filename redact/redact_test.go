package redact

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

const (
	password = "correct-horse-battery"
	whsec    = "whsec_demo_regress_0123456789abcdef"
	jwt      = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjdXNfYWxpY2UifQ.Qm9ndXNTaWduYXR1cmVfMTIz"
	skLive   = "sk_live_51H8xYzAbCdEfGhIjKlMnOpQr"
	cookie   = "9f8e7d6c5b4a39281706ffee"
)

// redactCase is one input and, per rule, what must be gone from and what must stay in the output.
type redactCase struct {
	name  string
	in    string
	want  string   // the exact output, when set
	gone  []string // substrings that must not survive
	keeps []string // substrings that must survive
}

func runCases(t *testing.T, r *Redactor, cases []redactCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := r.String(tc.in)
			if tc.want != "" && got != tc.want {
				t.Errorf("String(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			for _, g := range tc.gone {
				if strings.Contains(got, g) {
					t.Errorf("String(%q) = %q still contains %q", tc.in, got, g)
				}
			}
			for _, k := range tc.keeps {
				if !strings.Contains(got, k) {
					t.Errorf("String(%q) = %q lost %q", tc.in, got, k)
				}
			}
			if again := r.String(got); again != got {
				t.Errorf("not idempotent: String(%q) = %q", got, again)
			}
		})
	}
}

func TestSecretValues(t *testing.T) {
	r := New([]string{password, whsec, "", "abc", "p@ss w0rd!"})
	runCases(t, r, []redactCase{
		{name: "plain", in: "login as alice with " + password + " failed",
			want: "login as alice with " + Mask(password) + " failed"},
		{name: "inside a URL", in: "GET https://app.test/login?next=/x&pw=" + password + "#top",
			gone: []string{password}, keeps: []string{"https://app.test/login?next=/x&pw=", "#top"}},
		{name: "URL-encoded", in: "POST /login body: user=alice&pass_phrase=p%40ss+w0rd%21",
			gone: []string{"p%40ss+w0rd%21"}, keeps: []string{"user=alice"}},
		{name: "inside JSON", in: `{"email":"alice@example.test","hint":"` + password + `"}`,
			want: `{"email":"alice@example.test","hint":"` + Mask(password) + `"}`},
		{name: "JSON-escaped", in: `{"note":"p@ss w0rd!"}`, gone: []string{"p@ss w0rd!"}},
		{name: "HTML-escaped", in: `<td>p@ss w0rd!</td>`, gone: []string{"p@ss w0rd!"}},
		{name: "signing secret", in: "signed with " + whsec, gone: []string{whsec}},
		{name: "short values are not secrets", in: "abc is fine", want: "abc is fine"},
		{name: "twice on one line", in: password + "/" + password, want: Mask(password) + "/" + Mask(password)},
	})
}

func TestHeaderLines(t *testing.T) {
	runCases(t, New(nil), []redactCase{
		{name: "authorization keeps the scheme", in: "Authorization: Bearer abcdefghijklmnop",
			want: "Authorization: Bearer " + Mask("abcdefghijklmnop")},
		{name: "basic", in: "> authorization: Basic YWxpY2U6c2VjcmV0", want: "> authorization: Basic " + Mask("YWxpY2U6c2VjcmV0")},
		{name: "proxy", in: "Proxy-Authorization: opaque-token-123", want: "Proxy-Authorization: " + Mask("opaque-token-123")},
		{name: "cookie keeps names", in: "Cookie: sid=" + cookie + "; theme=dark",
			want: "Cookie: sid=" + Mask(cookie) + "; theme=" + Mask("dark")},
		{name: "set-cookie keeps attributes", in: "< Set-Cookie: session=" + cookie + "; Path=/; Domain=app.test; Max-Age=3600; HttpOnly; Secure; SameSite=Lax",
			want: "< Set-Cookie: session=" + Mask(cookie) + "; Path=/; Domain=app.test; Max-Age=3600; HttpOnly; Secure; SameSite=Lax"},
		{name: "set-cookie with expires", in: "Set-Cookie: sid=" + cookie + "; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/",
			gone: []string{cookie}, keeps: []string{"Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/"}},
		{name: "set-cookie joined cookies", in: "Set-Cookie: a=" + cookie + "; Path=/, b=" + password,
			gone: []string{cookie, password}},
		{name: "set-cookie in a sentence", in: `step "x": response header "Set-Cookie: sid=` + cookie + `" is cacheable`,
			gone: []string{cookie}},
		{name: "hyphenated secret header", in: "X-Api-Key: abcdef123456\nStripe-Signature: t=1,v1=deadbeefcafe",
			gone: []string{"abcdef123456", "deadbeefcafe"}},
		{name: "ends at the line", in: "Cookie: sid=" + cookie + "\nContent-Type: text/html",
			gone: []string{cookie}, keeps: []string{"\nContent-Type: text/html"}},
		{name: "set-cookie is not cookie", in: "Set-Cookie: sid=" + cookie, want: "Set-Cookie: sid=" + Mask(cookie)},
		{name: "plain headers and words stay", in: "Content-Type: text/html\nfeatures/x.feature:3: session: expired\nVary: Cookie, Authorization",
			want: "Content-Type: text/html\nfeatures/x.feature:3: session: expired\nVary: Cookie, Authorization"},
	})
}

func TestTokenPatterns(t *testing.T) {
	runCases(t, New(nil), []redactCase{
		{name: "jwt", in: "token " + jwt + " in body", want: "token " + Mask(jwt) + " in body"},
		{name: "jwt without signature", in: "alg none: eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", gone: []string{"eyJzdWIiOiIxIn0"}},
		{name: "sk_live", in: "bundle main.js carries " + skLive, want: "bundle main.js carries " + Mask(skLive)},
		{name: "sk_test", in: "key=sk_test_abcdefgh12345678 ok", gone: []string{"abcdefgh12345678"}},
		{name: "restricted key", in: "rk_live_abcdefgh12345678 and rk_test_abcdefgh12345678",
			gone: []string{"rk_live_abcdefgh12345678", "rk_test_abcdefgh12345678"}},
		{name: "whsec", in: "endpoint secret whsec_AbCdEf0123456789xyz", gone: []string{"whsec_AbCdEf0123456789xyz"}},
		{name: "publishable key is not secret", in: "Stripe(pk_live_51H8xYzAbCdEfGhIjKlMnOpQr) and /v1/pk_test_abcdefgh1234",
			want: "Stripe(pk_live_51H8xYzAbCdEfGhIjKlMnOpQr) and /v1/pk_test_abcdefgh1234"},
		{name: "bearer in prose", in: "sent bearer abc123def456ghi to /api", want: "sent bearer " + Mask("abc123def456ghi") + " to /api"},
		{name: "password in a URL", in: "dial postgres://admin:s3cr3tpass@db.test:5432/app",
			want: "dial postgres://admin:" + Mask("s3cr3tpass") + "@db.test:5432/app"},
	})
}

func TestFields(t *testing.T) {
	runCases(t, New(nil), []redactCase{
		{name: "json password", in: `{"email":"a@b.test","password":"hunter2hunter2"}`,
			want: `{"email":"a@b.test","password":"` + Mask("hunter2hunter2") + `"}`},
		{name: "json names", in: `{"access_token": "t-1234567", "apiKey":"k-1234567", "client_secret":"c-1234567", "session_id":"s-1234567", "Authorization":"Basic xyz12345", "cookie":"a=b1234"}`,
			gone: []string{"t-1234567", "k-1234567", "c-1234567", "s-1234567", "xyz12345", "b1234"}},
		{name: "json key word only", in: `{"monkey":"banana12","keyword":"banana34","key":"banana56"}`,
			want: `{"monkey":"banana12","keyword":"banana34","key":"` + Mask("banana56") + `"}`},
		{name: "json with escapes", in: `{"password":"a\"b\\c-long-enough"}`, gone: []string{`b\\c-long-enough`}, keeps: []string{`{"password":"`, `"}`}},
		{name: "json inside a quoted string", in: `error: "{\"password\":\"hunter2hunter\",\"x\":1}"`,
			want: `error: "{\"password\":\"` + Mask("hunter2hunter") + `\",\"x\":1}"`},
		{name: "json array", in: `{"tokens": ["aaaa1111", "bbbb2222"], "n": 2}`, gone: []string{"aaaa1111", "bbbb2222"}, keeps: []string{`"n": 2`}},
		{name: "json cut body", in: `{"password":"hunter2hunt`, gone: []string{"hunter2hunt"}},
		{name: "json non-string kept", in: `{"token_count": 3, "session": null}`, want: `{"token_count": 3, "session": null}`},
		{name: "form body", in: "username=bob&password=hunter2x&remember=1",
			want: "username=bob&password=" + Mask("hunter2x") + "&remember=1"},
		{name: "query string", in: "GET /reset?token=abc123def456&next=/ -> 200", want: "GET /reset?token=" + Mask("abc123def456") + "&next=/ -> 200"},
		{name: "bracketed form name", in: "user[password]=hunter2x&user[email]=b@c.test", gone: []string{"hunter2x"}, keeps: []string{"user[email]=b@c.test"}},
		{name: "quoted attribute", in: `<div data-token="abcdefgh12345">`, want: `<div data-token="` + Mask("abcdefgh12345") + `">`},
		{name: "ordinary pairs stay", in: "page=2&sort=name&q=monkey", want: "page=2&sort=name&q=monkey"},
	})
}

func TestMixedIsIdempotent(t *testing.T) {
	r := New([]string{password, whsec})
	in := "Authorization: Bearer " + jwt + "\n" +
		`{"password":"` + password + `","stripe":"` + skLive + `"}` + "\n" +
		"Cookie: session=" + cookie + "; csrf_token=" + jwt + "\n" +
		"https://u:" + password + "@app.test/?key=" + whsec
	once := r.String(in)
	for _, v := range []string{password, whsec, jwt, skLive, cookie} {
		if strings.Contains(once, v) {
			t.Errorf("String left %q in\n%s", v, once)
		}
	}
	if twice := r.String(once); twice != once {
		t.Errorf("String is not idempotent:\n%s\n---\n%s", once, twice)
	}
}

func TestNilRedactor(t *testing.T) {
	var r *Redactor
	if got := r.String("x " + skLive); got != "x "+Mask(skLive) {
		t.Errorf("nil Redactor: %q", got)
	}
}

func TestInvalidUTF8(t *testing.T) {
	r := New([]string{password})
	got := r.String("a\xff" + password + "\xfe")
	if got != "a\uFFFD"+Mask(password)+"\uFFFD" {
		t.Errorf("got %q", got)
	}
}

func TestHeader(t *testing.T) {
	r := New([]string{password})
	in := map[string][]string{
		"Authorization":       {"Bearer " + jwt},
		"Proxy-Authorization": {"Basic YWxpY2U6c2VjcmV0"},
		"Cookie":              {"sid=" + cookie + "; theme=dark"},
		"Set-Cookie":          {"sid=" + cookie + "; Path=/; HttpOnly", "flash=" + password + "; Max-Age=0"},
		"X-Csrf-Token":        {"tok123456789"},
		"Location":            {"/login?pw=" + password},
		"Content-Type":        {"text/html; charset=utf-8"},
	}
	want := map[string][]string{
		"Authorization":       {"Bearer " + Mask(jwt)},
		"Proxy-Authorization": {"Basic " + Mask("YWxpY2U6c2VjcmV0")},
		"Cookie":              {"sid=" + Mask(cookie) + "; theme=" + Mask("dark")},
		"Set-Cookie":          {"sid=" + Mask(cookie) + "; Path=/; HttpOnly", "flash=" + Mask(password) + "; Max-Age=0"},
		"X-Csrf-Token":        {Mask("tok123456789")},
		"Location":            {"/login?pw=" + Mask(password)},
		"Content-Type":        {"text/html; charset=utf-8"},
	}
	got := r.Header(in)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Header\n got %q\nwant %q", got, want)
	}
	if in["Cookie"][0] != "sid="+cookie+"; theme=dark" {
		t.Error("Header changed its argument")
	}
	if !reflect.DeepEqual(r.Header(got), got) {
		t.Error("Header is not idempotent")
	}
	if r.Header(nil) != nil {
		t.Error("Header(nil) != nil")
	}
}

func TestWriterSplitsLines(t *testing.T) {
	r := New([]string{password})
	var out bytes.Buffer
	w := r.Writer(&out)
	// The secret and a cookie header arrive split across writes; the last line has no newline.
	for _, chunk := range []string{"step 1 ok\nlogin with cor", "rect-horse-", "battery done\nCook", "ie: sid=" + cookie[:5], cookie[5:] + "\r\n", "tail " + password[:4], password[4:]} {
		n, err := w.Write([]byte(chunk))
		if err != nil || n != len(chunk) {
			t.Fatalf("Write(%q) = %d, %v", chunk, n, err)
		}
	}
	if strings.Contains(out.String(), "tail") {
		t.Errorf("an unterminated line was written before Close: %q", out.String())
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := "step 1 ok\nlogin with " + Mask(password) + " done\nCookie: sid=" + Mask(cookie) + "\r\ntail " + Mask(password)
	if out.String() != want {
		t.Errorf("Writer wrote\n%q\nwant\n%q", out.String(), want)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterReportsErrors(t *testing.T) {
	w := New(nil).Writer(failingWriter{})
	if _, err := w.Write([]byte("line\n")); err == nil {
		t.Error("Write hid the error")
	}
	if _, err := w.Write([]byte("rest")); err != nil {
		t.Errorf("buffered Write failed: %v", err)
	}
	if err := w.Close(); err == nil {
		t.Error("Close hid the error")
	}
}

func TestWriterFlushesOnCarriageReturn(t *testing.T) {
	var out strings.Builder
	w := New([]string{"hunter2-secret"}).Writer(&out)
	if _, err := w.Write([]byte("\r[1/3] progress with hunter2-secret")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("\r")); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.HasPrefix(got, "\r[1/3] progress with ") || strings.Contains(got, "hunter2-secret") || !strings.HasSuffix(got, "\r") {
		t.Errorf("written %q, want the redacted progress line flushed at its carriage return", got)
	}
}

func TestAddMasksRuntimeSecrets(t *testing.T) {
	r := New(nil)
	const token = "opaque-session-token-4f9a2c"
	if got := r.String("seen: " + token); !strings.Contains(got, token) {
		t.Fatalf("before Add no rule knows the opaque value, yet %q", got)
	}
	r.Add(token)
	if got := r.String(`{"value":"` + token + `"}`); strings.Contains(got, token) {
		t.Errorf("after Add, %q still holds the token", got)
	}
}
