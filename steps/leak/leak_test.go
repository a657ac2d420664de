package leak

import (
	"net/http"
	"strings"
	"testing"
)

func detector() *Detector {
	return NewDetector([]Fingerprint{
		{Account: "alice", Name: "email", Value: "alice@example.test"},
		{Account: "bob", Name: "email", Value: "bob@example.test"},
		{Account: "bob", Name: "order_1", Value: "ord_bob_2001"},
	})
}

func notOwner(owner string) func(string) bool {
	return func(a string) bool { return a != owner }
}

func TestScanFindsOtherAccountsValuesWithEvidence(t *testing.T) {
	body := []byte(`{"orders":[{"id":"ord_alice_1001"},{"id":"ord_bob_2001","email":"bob@example.test"}]}`)
	got := detector().Scan("alice", notOwner("alice"), Content{URL: "GET http://127.0.0.1/api/orders", Body: body})
	if len(got) != 2 {
		t.Fatalf("findings = %v, want bob's email and order", got)
	}
	byName := map[string]Finding{}
	for _, f := range got {
		byName[f.Fingerprint] = f
	}
	if f := byName["email"]; f.Account != "bob" || f.Where != "body at $.orders[1].email" || f.Masked == "bob@example.test" {
		t.Errorf("email finding = %+v", f)
	}
	if f := byName["order_1"]; f.Where != "body at $.orders[1].id" {
		t.Errorf("order finding = %+v", f)
	}
	for _, f := range got {
		if strings.Contains(f.String(), "bob@example.test") {
			t.Errorf("finding repeats the value: %s", f)
		}
	}
}

func TestScanIgnoresOwnDataAndEchoedValues(t *testing.T) {
	body := []byte(`{"email":"alice@example.test","requested":"ord_bob_2001"}`)
	got := detector().Scan("alice", notOwner("alice"), Content{URL: "u", Body: body, Sent: "http://x/api/orders/ord_bob_2001"})
	if len(got) != 0 {
		t.Fatalf("findings = %v, want none (own email; order id the viewer sent itself)", got)
	}
}

func TestScanAnonymousSeesEveryAccountAsForeign(t *testing.T) {
	got := detector().Scan("anonymous", func(string) bool { return true }, Content{URL: "u", Body: []byte("<p>Hello alice&#64;example.test</p>\n")})
	if len(got) != 1 || got[0].Account != "alice" || got[0].Where != "body line 1 (HTML-escaped)" {
		t.Fatalf("findings = %+v, want alice's email at body line 1 (HTML entities decoded)", got)
	}
}

func TestScanHeaders(t *testing.T) {
	h := http.Header{"X-Customer": {"bob@example.test"}}
	got := detector().Scan("alice", notOwner("alice"), Content{URL: "u", Header: h})
	if len(got) != 1 || got[0].Where != `header "X-Customer"` {
		t.Fatalf("findings = %+v", got)
	}
}

func TestScanRawTextThatLooksLikeAnEntity(t *testing.T) {
	d := NewDetector([]Fingerprint{{Account: "bob", Name: "name", Value: "Tom&notes"}})
	got := d.Scan("alice", notOwner("alice"), Content{URL: "u", Body: []byte("plain text: Tom&notes\n")})
	if len(got) != 1 || got[0].Where != "body line 1" {
		t.Fatalf("findings = %+v, want the raw value found", got)
	}
}

func TestScanMasksAValueThatIsAJSONKey(t *testing.T) {
	got := detector().Scan("alice", notOwner("alice"), Content{URL: "u", Body: []byte(`{"by_email":{"bob@example.test":{"n":1}}}`)})
	if len(got) != 1 || strings.Contains(got[0].Where, "bob@example.test") || !strings.Contains(got[0].Where, "(a key)") {
		t.Fatalf("findings = %+v, want the key found and masked", got)
	}
}

func TestScanFindsURLEncodedAndOtherCaseEmails(t *testing.T) {
	for body, where := range map[string]string{
		`<a href="/u?e=bob%40example.test">me</a>`: "body line 1 (URL-encoded)",
		`<p>BOB@EXAMPLE.TEST</p>`:                  "body line 1 (other case)",
	} {
		got := detector().Scan("alice", notOwner("alice"), Content{URL: "u", Body: []byte(body)})
		if len(got) != 1 || got[0].Where != where {
			t.Errorf("Scan(%q) = %+v, want bob's email at %q", body, got, where)
		}
	}
	got := detector().Scan("alice", notOwner("alice"), Content{URL: "u", Header: http.Header{"Location": {"/welcome?email=bob%40example.test"}}})
	if len(got) != 1 || got[0].Where != `header "Location"` {
		t.Errorf("a URL-encoded email in a Location header: %+v", got)
	}
}
