package config

import (
	"slices"
	"strings"
	"testing"
)

func TestPlaceholders(t *testing.T) {
	tests := []struct {
		path string
		want []string
	}{
		{"/api/me", nil},
		{"/api/orders/{order_1}", []string{"order_1"}},
		{"/api/customer?user_id={user_id}&o={order_1}", []string{"user_id", "order_1"}},
		{"/a/{x}/{y}/{x}", []string{"x", "y", "x"}},
		{"/broken/{x", nil},
		{"/empty/{}/{ok}", []string{"ok"}},
		{"/stray}/{ok}", []string{"ok"}},
	}
	for _, tt := range tests {
		if got := Placeholders(tt.path); !slices.Equal(got, tt.want) {
			t.Errorf("Placeholders(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestExpand(t *testing.T) {
	a := &Account{Name: "alice", Fingerprints: []Fingerprint{
		{Name: "order_1", Value: "ord_alice_1001"},
		{Name: "email", Value: "alice+x@example.test"},
		{Name: "slash", Value: "a/b c"},
	}}
	tests := []struct {
		path, want, err string
	}{
		{"/api/me", "/api/me", ""},
		{"/api/orders/{order_1}", "/api/orders/ord_alice_1001", ""},
		{"/api/customer?email={email}", "/api/customer?email=alice%2Bx%40example.test", ""},
		{"/files/{slash}?q={slash}", "/files/a%2Fb%20c?q=a%2Fb+c", ""},
		{"/api/orders/{order_2}", "", `route "r" needs fingerprint "order_2" for {order_2}, and account "alice" has none`},
		{"/api/orders/{order_1", "", `unclosed "{"`},
	}
	for _, tt := range tests {
		r := &Route{Name: "r", Path: tt.path}
		got, err := r.Expand(a)
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Expand(%q): error %v, want %q", tt.path, err, tt.err)
			}
		case err != nil || got != tt.want:
			t.Errorf("Expand(%q) = %q, %v; want %q", tt.path, got, err, tt.want)
		}
	}
}

func TestLookupsAndSecrets(t *testing.T) {
	tg := &Target{
		Routes: []Route{{Name: "profile"}, {Name: "order"}},
		Accounts: []Account{
			{Name: "alice", Password: "pw-a", Login: Login{Token: "tok"}, Fingerprints: []Fingerprint{{Name: "email", Value: "a@example.test"}}},
			{Name: "bob", Password: "pw-a"},
			{Name: "carol", Login: Login{Token: "tok-c"}},
		},
	}
	if got := tg.Secrets(); !slices.Equal(got, []string{"pw-a", "tok", "tok-c"}) {
		t.Errorf("Secrets = %q", got)
	}
	if a, ok := tg.Account("bob"); !ok || a.Name != "bob" {
		t.Error("Account(bob)")
	}
	if _, ok := tg.Account("dave"); ok {
		t.Error("Account(dave) found")
	}
	if r, ok := tg.Route("order"); !ok || r.Name != "order" {
		t.Error("Route(order)")
	}
	if _, ok := tg.Route("nope"); ok {
		t.Error("Route(nope) found")
	}
	if v, ok := tg.Accounts[0].Fingerprint("email"); !ok || v != "a@example.test" {
		t.Error("Fingerprint(email)")
	}
	if _, ok := tg.Accounts[1].Fingerprint("email"); ok {
		t.Error("bob has no email fingerprint")
	}
	if got := tg.RouteNames(); !slices.Equal(got, []string{"profile", "order"}) {
		t.Errorf("RouteNames = %q", got)
	}
}

func TestNormalizeBaseURL(t *testing.T) {
	good := map[string]string{
		"https://staging.example.com":        "https://staging.example.com",
		"https://staging.example.com/":       "https://staging.example.com",
		"http://127.0.0.1:8080//":            "http://127.0.0.1:8080",
		"https://example.com/app/":           "https://example.com/app",
		"HTTPS://Staging.Example.com/prefix": "https://Staging.Example.com/prefix",
	}
	for in, want := range good {
		if got, err := NormalizeBaseURL(in); err != nil || got != want {
			t.Errorf("NormalizeBaseURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "example.com", "/path", "ftp://example.com", "https://", "https://:80",
		"https://u:p@example.com", "https://example.com/?x=1", "https://example.com/#f", "mailto:a@b", "https://exa mple.com"} {
		if got, err := NormalizeBaseURL(in); err == nil {
			t.Errorf("NormalizeBaseURL(%q) = %q, want an error", in, got)
		}
	}
}
