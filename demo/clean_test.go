package demo

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestLoginAPI(t *testing.T) {
	e := newEnv(t)
	c := e.anon()
	res := c.postJSON("/api/login", map[string]string{"email": "alice@example.test", "password": "alice-demo-password"})
	wantStatus(t, "login", res, http.StatusOK)
	body := res.json(t)
	token, _ := body["token"].(string)
	if body["ok"] != true || len(token) < 32 {
		t.Fatalf("login body = %v", body)
	}
	var session, prefs *http.Cookie
	for _, ck := range (&http.Response{Header: res.header}).Cookies() {
		switch ck.Name {
		case "demo_session":
			session = ck
		case "demo_prefs":
			prefs = ck
		}
	}
	if session == nil || session.Value != token || !session.HttpOnly || session.Path != "/" || session.SameSite != http.SameSiteLaxMode {
		t.Errorf("session cookie = %+v, want HttpOnly, Path=/, SameSite=Lax, value = token", session)
	}
	if prefs == nil || prefs.Value != "theme-light" {
		t.Errorf("prefs cookie = %+v, want demo_prefs=theme-light", prefs)
	}

	bearer := e.anon()
	bearer.bearer = token
	if me := bearer.get("/api/me").json(t); me["email"] != "alice@example.test" {
		t.Errorf("bearer /api/me = %v", me)
	}

	for _, bad := range []map[string]string{
		{"email": "alice@example.test", "password": "bob-demo-password"},
		{"email": "nobody@example.test", "password": "x"},
		{"email": "", "password": ""},
	} {
		res := e.anon().postJSON("/api/login", bad)
		wantStatus(t, "bad login", res, http.StatusUnauthorized)
		if res.header.Get("Set-Cookie") != "" {
			t.Errorf("bad login set a cookie: %v", res.header["Set-Cookie"])
		}
	}
	wantStatus(t, "malformed login", e.anon().post("/api/login", "application/json", []byte("{"), nil), http.StatusBadRequest)
}

func TestLoginForm(t *testing.T) {
	e := newEnv(t)
	c := e.anon()
	page := c.get("/login")
	wantStatus(t, "login page", page, http.StatusOK)
	for _, s := range []string{`id="login-form"`, `id="login-submit"`, `name="email"`, `name="password"`, `src="/static/app.js"`} {
		if !strings.Contains(page.body, s) {
			t.Errorf("login page lacks %s", s)
		}
	}
	if l := leaks("", page.body); l != nil {
		t.Errorf("login page shows customer data: %v", l)
	}

	bad := c.postForm("/login", url.Values{"email": {"bob@example.test"}, "password": {"wrong"}})
	wantStatus(t, "bad form login", bad, http.StatusUnauthorized)
	if !strings.Contains(bad.body, `id="login-form"`) || !strings.Contains(bad.body, `id="login-error"`) {
		t.Errorf("bad form login does not show the form with an error")
	}

	ok := c.postForm("/login", url.Values{"email": {"bob@example.test"}, "password": {"bob-demo-password"}})
	wantStatus(t, "form login", ok, http.StatusSeeOther)
	if loc := ok.header.Get("Location"); loc != "/dashboard" {
		t.Errorf("form login redirects to %q, want /dashboard", loc)
	}
	dash := c.get("/dashboard")
	wantStatus(t, "dashboard after form login", dash, http.StatusOK)
	if !strings.Contains(dash.body, "Bob Brennan") {
		t.Errorf("dashboard after form login does not show Bob")
	}
}

func TestSessionEnds(t *testing.T) {
	tests := []struct {
		name string
		end  func(e *testEnv, c *testClient)
	}{
		{"api logout", func(e *testEnv, c *testClient) {
			wantStatus(t, "logout", c.post("/api/logout", "", nil, nil), http.StatusOK)
		}},
		{"form logout", func(e *testEnv, c *testClient) {
			res := c.post("/logout", "application/x-www-form-urlencoded", nil, nil)
			wantStatus(t, "logout", res, http.StatusSeeOther)
			if loc := res.header.Get("Location"); loc != "/login" {
				t.Errorf("logout redirects to %q", loc)
			}
		}},
		{"expiry", func(e *testEnv, c *testClient) { e.clock.Advance(DefaultSessionTTL + time.Second) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.login("alice")
			token := c.sessionCookie()
			wantStatus(t, "me before", c.get("/api/me"), http.StatusOK)
			tt.end(e, c)
			// Present the old token again, as a stolen or stale cookie would be.
			old := e.anon()
			old.setSessionCookie(token)
			res := old.get("/api/me")
			wantStatus(t, "me after", res, http.StatusUnauthorized)
			if res.body != "{\"error\":\"unauthorized\"}\n" {
				t.Errorf("401 body = %q", res.body)
			}
			old.bearer = token
			wantStatus(t, "bearer after", old.get("/api/orders"), http.StatusUnauthorized)
			dash := e.anon()
			dash.setSessionCookie(token)
			dash.hc.Jar.SetCookies(mustURL(t, dash.base), []*http.Cookie{{Name: "demo_prefs", Value: "theme-light", Path: "/"}})
			res = dash.get("/dashboard")
			wantStatus(t, "dashboard after", res, http.StatusFound)
			if loc := res.header.Get("Location"); loc != "/login" {
				t.Errorf("dashboard redirects to %q", loc)
			}
		})
	}

	t.Run("tampered", func(t *testing.T) {
		e := newEnv(t)
		c := e.login("alice")
		token := []byte(c.sessionCookie())
		if token[0] == 'A' {
			token[0] = 'B'
		} else {
			token[0] = 'A'
		}
		c.setSessionCookie(string(token))
		wantStatus(t, "tampered", c.get("/api/me"), http.StatusUnauthorized)
	})
	t.Run("custom ttl", func(t *testing.T) {
		e := newEnvOptions(t, Options{SessionTTL: time.Minute})
		c := e.login("bob")
		e.clock.Advance(59 * time.Second)
		wantStatus(t, "before ttl", c.get("/api/me"), http.StatusOK)
		e.clock.Advance(time.Second)
		wantStatus(t, "at ttl", c.get("/api/me"), http.StatusUnauthorized)
	})
}

func TestCleanAPIOwnDataOnly(t *testing.T) {
	customers := []struct {
		name, id, email, fullName, plan, stripeID string
		orders                                    []string
	}{
		{"alice", "usr_alice", "alice@example.test", "Alice Andersen", "pro", "cus_DemoAlice01", []string{"ord_alice_1001", "ord_alice_1002"}},
		{"bob", "usr_bob", "bob@example.test", "Bob Brennan", "starter", "cus_DemoBob02", []string{"ord_bob_2001"}},
		{"carol", "usr_carol", "carol@example.test", "Carol Castillo", "free", "cus_DemoCarol03", nil},
	}
	allOrders := []string{"ord_alice_1001", "ord_alice_1002", "ord_bob_2001"}
	e := newEnv(t)
	for _, cu := range customers {
		t.Run(cu.name, func(t *testing.T) {
			c := e.login(cu.name)
			wantProfile := map[string]any{"id": cu.id, "email": cu.email, "name": cu.fullName, "plan": cu.plan, "customer_id": cu.stripeID}
			for _, path := range []string{"/api/me", "/api/customer", "/api/customer?user_id=usr_bob", "/api/customer?user_id=usr_alice"} {
				res := c.get(path)
				wantStatus(t, path, res, http.StatusOK)
				got := res.json(t)
				if len(got) != len(wantProfile) {
					t.Errorf("%s has fields %v, want exactly %v", path, keys(got), keys(wantProfile))
				}
				for k, v := range wantProfile {
					if got[k] != v {
						t.Errorf("%s %s = %v, want %v", path, k, got[k], v)
					}
				}
			}

			res := c.get("/api/orders")
			wantStatus(t, "orders", res, http.StatusOK)
			if cu.orders == nil && !strings.Contains(res.body, `"orders":[]`) {
				t.Errorf("orders of a customer without any = %s, want an empty array", res.body)
			}
			var ids []string
			for _, o := range res.json(t)["orders"].([]any) {
				om := o.(map[string]any)
				ids = append(ids, om["id"].(string))
				if len(om) != 4 || om["product"] == nil || om["amount"] == nil || om["status"] != "paid" {
					t.Errorf("order = %v, want id, product, amount, status", om)
				}
			}
			if strings.Join(ids, ",") != strings.Join(cu.orders, ",") {
				t.Errorf("orders = %v, want %v", ids, cu.orders)
			}

			for _, id := range allOrders {
				res := c.get("/api/orders/" + id)
				own := strings.Contains(strings.Join(cu.orders, ","), id)
				if own {
					wantStatus(t, id, res, http.StatusOK)
					if res.json(t)["id"] != id {
						t.Errorf("order %s body = %s", id, res.body)
					}
					continue
				}
				wantStatus(t, id, res, http.StatusNotFound)
				if strings.Contains(res.body, id) || res.body != "{\"error\":\"not found\"}\n" {
					t.Errorf("404 for %s = %q, want {\"error\":\"not found\"} without the id", id, res.body)
				}
			}
			wantStatus(t, "unknown order", c.get("/api/orders/ord_nope_1"), http.StatusNotFound)
			wantStatus(t, "customers", c.get("/api/customers"), http.StatusForbidden)

			ents := c.get("/api/entitlements")
			wantStatus(t, "entitlements", ents, http.StatusOK)
			if !strings.Contains(ents.body, `"entitlements":[]`) || !strings.Contains(ents.body, `"plan":"`+cu.plan+`"`) {
				t.Errorf("entitlements = %s", ents.body)
			}
		})
	}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestCleanAPIRequiresSession(t *testing.T) {
	e := newEnv(t)
	c := e.anon()
	for _, path := range []string{"/api/me", "/api/orders", "/api/orders/ord_alice_1001", "/api/customer?user_id=usr_alice", "/api/entitlements"} {
		res := c.get(path)
		wantStatus(t, path, res, http.StatusUnauthorized)
		if res.body != "{\"error\":\"unauthorized\"}\n" {
			t.Errorf("%s body = %q", path, res.body)
		}
	}
	wantStatus(t, "checkout", c.postJSON("/api/checkout", map[string]string{}), http.StatusUnauthorized)
	wantStatus(t, "customers", c.get("/api/customers"), http.StatusForbidden)
	wantStatus(t, "unknown api", c.get("/api/nope"), http.StatusNotFound)
	h := c.get("/healthz")
	wantStatus(t, "healthz", h, http.StatusOK)
	if h.body != "ok" {
		t.Errorf("healthz body = %q", h.body)
	}
}

func TestCleanPersonalPages(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/dashboard", "/account", "/checkout/success?session_id=cs_demo_alice"} {
		res := e.anon().get(path)
		wantStatus(t, "anonymous "+path, res, http.StatusFound)
		if loc := res.header.Get("Location"); loc != "/login" {
			t.Errorf("anonymous %s redirects to %q", path, loc)
		}
	}
	e.login("alice").get("/dashboard") // something a faulty fallback could serve
	prefsOnly := e.anon()
	prefsOnly.hc.Jar.SetCookies(mustURL(t, prefsOnly.base), []*http.Cookie{{Name: "demo_prefs", Value: "theme-light", Path: "/"}})
	wantStatus(t, "prefs cookie only", prefsOnly.get("/dashboard"), http.StatusFound)
	for _, who := range []string{"alice", "bob", "carol"} {
		t.Run(who, func(t *testing.T) {
			c := e.login(who)
			pages := []string{"/dashboard", "/account"}
			if who != "carol" {
				pages = append(pages, "/checkout/success?session_id=cs_demo_"+who)
			}
			for _, path := range pages {
				res := c.get(path)
				wantStatus(t, path, res, http.StatusOK)
				if cc := res.header.Get("Cache-Control"); cc != "private, no-store" {
					t.Errorf("%s Cache-Control = %q", path, cc)
				}
				if v := res.header.Get("Vary"); v != "Cookie" {
					t.Errorf("%s Vary = %q", path, v)
				}
				if x := res.header.Get("X-Cache"); x != "MISS" {
					t.Errorf("%s X-Cache = %q", path, x)
				}
				for _, fp := range fingerprints[who][1:3] { // email, name
					if !strings.Contains(res.body, fp) {
						t.Errorf("%s does not show %q", path, fp)
					}
				}
				if l := leaks(who, res.body); l != nil {
					t.Errorf("%s shows others' data: %v", path, l)
				}
			}
			dash := c.get("/dashboard")
			for _, s := range []string{`<ul id="orders"`, `src="/static/dashboard.js"`} {
				if !strings.Contains(dash.body, s) {
					t.Errorf("dashboard lacks %s", s)
				}
			}
			account := c.get("/account")
			if hasEmpty := strings.Contains(account.body, `id="empty-orders"`); hasEmpty != (who == "carol") {
				t.Errorf("account empty state shown = %v", hasEmpty)
			}
			for _, other := range []string{"cs_demo_alice", "cs_demo_bob", "cs_unknown"} {
				if other == "cs_demo_"+who {
					continue
				}
				res := c.get("/checkout/success?session_id=" + other)
				wantStatus(t, "foreign success page "+other, res, http.StatusFound)
			}
		})
	}
}

func TestCheckoutCreatesOwnSession(t *testing.T) {
	e := newEnv(t)
	carol := e.login("carol")
	res := carol.postJSON("/api/checkout", map[string]string{"plan": "starter"})
	wantStatus(t, "checkout", res, http.StatusOK)
	body := res.json(t)
	id, _ := body["checkout_session_id"].(string)
	if !strings.HasPrefix(id, "cs_") || body["url"] != "/checkout/success?session_id="+id {
		t.Fatalf("checkout = %v", body)
	}
	page := carol.get(body["url"].(string))
	wantStatus(t, "own success page", page, http.StatusOK)
	if !strings.Contains(page.body, "Carol Castillo") || !strings.Contains(page.body, "Starter plan") {
		t.Errorf("success page does not confirm carol's starter checkout")
	}
	wantStatus(t, "alice on carol's page", e.login("alice").get(body["url"].(string)), http.StatusFound)
	wantStatus(t, "unknown plan", carol.postJSON("/api/checkout", map[string]string{"plan": "gold"}), http.StatusBadRequest)
	wantStatus(t, "default plan", carol.post("/api/checkout", "", nil, nil), http.StatusOK)
}

func TestPublicPages(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice") // a session must not change public pages
	for _, path := range []string{"/", "/pricing", "/static/app.js", "/static/dashboard.js"} {
		res := c.get(path)
		wantStatus(t, path, res, http.StatusOK)
		if cc := res.header.Get("Cache-Control"); cc != "public, max-age=60" {
			t.Errorf("%s Cache-Control = %q", path, cc)
		}
		if l := leaks("", res.body); l != nil {
			t.Errorf("%s shows customer data: %v", path, l)
		}
	}
	landing := c.get("/")
	for _, s := range []string{`href="/pricing"`, `href="/login"`, `<script src="/static/app.js">`} {
		if !strings.Contains(landing.body, s) {
			t.Errorf("landing page lacks %s", s)
		}
	}
}

// TestCleanNoCrossCustomerData visits every GET route as each customer and as an anonymous visitor,
// in an order that would expose cache and fallback leaks, and finds no other customer's data.
func TestCleanNoCrossCustomerData(t *testing.T) {
	e := newEnv(t)
	paths := []string{
		"/", "/pricing", "/login", "/dashboard", "/account", "/static/app.js", "/static/dashboard.js",
		"/api/me", "/api/orders", "/api/orders/ord_alice_1001", "/api/orders/ord_alice_1002", "/api/orders/ord_bob_2001",
		"/api/customer?user_id=usr_alice", "/api/customer?user_id=usr_bob", "/api/customer?user_id=usr_carol",
		"/api/customers", "/api/entitlements", "/checkout/success?session_id=cs_demo_alice", "/checkout/success?session_id=cs_demo_bob",
	}
	visitors := []struct {
		who string
		c   *testClient
	}{{"alice", e.login("alice")}, {"bob", e.login("bob")}, {"carol", e.login("carol")}, {"", e.anon()}}
	for _, v := range visitors {
		for _, p := range paths {
			res := v.c.get(p)
			self := v.who
			if self == "" {
				self = "nobody"
			}
			if l := leaks(self, res.body); l != nil {
				t.Errorf("%s GET %s sees %v", self, p, l)
			}
		}
	}
	// An expired session sees nothing either.
	e.clock.Advance(time.Hour)
	for _, p := range paths {
		if l := leaks("nobody", visitors[0].c.get(p).body); l != nil {
			t.Errorf("expired session GET %s sees %v", p, l)
		}
	}
}

// TestExpiredSessionTokenIsRefused: the seeded expired session gets nothing.
func TestExpiredSessionTokenIsRefused(t *testing.T) {
	e := newEnv(t)
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+"/api/me", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+ExpiredSessionToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("GET /api/me with the expired token: %d, want 401", resp.StatusCode)
	}
}
