package demo

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestSharedCachePublicPages(t *testing.T) {
	e := newEnv(t)
	c := e.anon()
	for _, path := range []string{"/", "/pricing", "/static/app.js", "/static/dashboard.js"} {
		first := c.get(path)
		if x := first.header.Get("X-Cache"); x != "MISS" {
			t.Errorf("%s first X-Cache = %q, want MISS", path, x)
		}
		e.clock.Advance(2 * time.Second)
		second := e.login("bob").get(path)
		if x := second.header.Get("X-Cache"); x != "HIT" {
			t.Errorf("%s second X-Cache = %q, want HIT", path, x)
		}
		if age, err := strconv.Atoi(second.header.Get("Age")); err != nil || age < 2 {
			t.Errorf("%s Age = %q, want >= 2", path, second.header.Get("Age"))
		}
		if second.body != first.body || second.header.Get("Content-Type") != first.header.Get("Content-Type") {
			t.Errorf("%s hit differs from the stored response", path)
		}
	}
	// A hit at the same instant still says Age >= 1.
	c.get("/pricing?x=1")
	if age := c.get("/pricing?x=1").header.Get("Age"); age != "1" {
		t.Errorf("immediate hit Age = %q, want 1", age)
	}
	// max-age=60 expires.
	e.clock.Advance(61 * time.Second)
	if x := c.get("/").header.Get("X-Cache"); x != "MISS" {
		t.Errorf("after expiry X-Cache = %q, want MISS", x)
	}
}

func TestSharedCacheNeverStoresPersonalResponses(t *testing.T) {
	e := newEnv(t)
	alice := e.login("alice")
	for _, path := range []string{"/dashboard", "/account", "/checkout/success?session_id=cs_demo_alice", "/api/me", "/api/orders", "/login", "/healthz"} {
		alice.get(path)
		res := alice.get(path)
		if x := res.header.Get("X-Cache"); x != "MISS" {
			t.Errorf("%s repeated: X-Cache = %q, want MISS", path, x)
		}
	}
	if res := e.anon().get("/dashboard"); res.status != http.StatusFound {
		t.Errorf("anonymous dashboard after alice's: status %d, want 302", res.status)
	}
}

func TestSharedTTL(t *testing.T) {
	tests := []struct {
		cc     string
		status int
		cookie bool
		want   time.Duration
	}{
		{"public, max-age=60", 200, false, time.Minute},
		{"public, s-maxage=300", 200, false, 5 * time.Minute},
		{"public, max-age=10, s-maxage=300", 200, false, 5 * time.Minute},
		{"max-age=300", 200, false, 0},
		{"public, max-age=0", 200, false, 0},
		{"public, no-store, max-age=60", 200, false, 0},
		{"private, max-age=60", 200, false, 0},
		{"public, max-age=60", 302, false, 0},
		{"public, max-age=60", 200, true, 0},
		{"", 200, false, 0},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.cc != "" {
			h.Set("Cache-Control", tt.cc)
		}
		if tt.cookie {
			h.Set("Set-Cookie", "a=b")
		}
		if got := sharedTTL(tt.status, h); got != tt.want {
			t.Errorf("sharedTTL(%d, %q, cookie=%v) = %v, want %v", tt.status, tt.cc, tt.cookie, got, tt.want)
		}
	}
}
