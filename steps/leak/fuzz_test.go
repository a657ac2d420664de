package leak

import (
	"net/http"
	"strings"
	"testing"

	"regress/redact"
)

// FuzzScan: whatever a response holds (body, a header, what the viewer sent) and whatever bob's
// fingerprint is, Scan never panics, reports only accounts foreign to the viewer, masks every
// value in its evidence, and finds bob's value wherever it stands verbatim in a header or the body.
func FuzzScan(f *testing.F) {
	for _, s := range []struct{ body, header, sent, value string }{
		{`{"orders":[{"id":"ord_bob_2001","email":"bob@example.test"}]}`, "", "", "ord_bob_2001"},
		{"<p>Hello bob&#64;example.test</p>\n<p>line 2</p>", "", "", "bob@example.test"},
		{`{"requested":"ord_bob_2001"}`, "", "GET /api/orders/ord_bob_2001", "ord_bob_2001"},
		{"", "bob@example.test", "", "bob@example.test"},
		{`{"a":[[[[[[[[[[{"b":"x"}]]]]]]]]]]}`, "", "", "xxxx"},
		{`{"amount": 20010, "n": 1e21}`, "", "", "2001"},
		{"\xff\xfe\x00bob", "", "", "\x00bob"},
		{"&amp;&lt;&#x2F;&#0;&#xFFFFFFFF;", "", "", "&lt;&"},
		{`{"é":"ünïcødé ✓"}`, "ünïcødé", "", "ünïcødé"},
		{strings.Repeat("{\"a\":", 200) + "1" + strings.Repeat("}", 200), "", "", "aaaa"},
	} {
		f.Add([]byte(s.body), s.header, s.sent, s.value)
	}
	f.Fuzz(func(t *testing.T, body []byte, header, sent, value string) {
		fps := []Fingerprint{
			{Account: "alice", Name: "email", Value: "alice@example.test"},
			{Account: "bob", Name: "email", Value: "bob@example.test"},
			{Account: "bob", Name: "fuzzed", Value: value},
		}
		c := Content{URL: "GET http://127.0.0.1/x", Header: http.Header{"X-Fuzz": {header}}, Body: body, Sent: sent}
		findings := NewDetector(fps).Scan("alice", func(a string) bool { return a != "alice" }, c)
		found := false
		for _, fd := range findings {
			if fd.Viewer != "alice" || fd.Account == "alice" {
				t.Fatalf("finding %+v: alice's own values are not foreign to her", fd)
			}
			if fd.Account == "bob" {
				found = true
			}
			want := ""
			for _, fp := range fps {
				if fp.Account == fd.Account && fp.Name == fd.Fingerprint {
					want = fp.Value
				}
			}
			if fd.Masked != redact.Mask(want) || fd.Where == "" || fd.URL != c.URL {
				t.Fatalf("finding %+v: want the masked value %q, a place and the URL", fd, redact.Mask(want))
			}
		}
		// Completeness, where it is unambiguous: bob's value verbatim in a header, or in a body
		// that is neither JSON nor holds an HTML entity, and not sent by alice herself.
		if len([]rune(value)) < 4 || strings.TrimSpace(value) == "" || strings.Contains(sent, value) {
			return
		}
		verbatim := strings.Contains(header, value) ||
			strings.Contains(string(body), value) && !strings.Contains(string(body), "&")
		if verbatim && !found {
			t.Fatalf("bob's value %q stands verbatim in the response and was not found (header %q, body %q)", value, header, body)
		}
	})
}
