package demo

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// bugCases shows, for each bug, the deviation from the clean behaviour tested elsewhere.
func bugCases() map[string]func(t *testing.T, e *testEnv) {
	return map[string]func(t *testing.T, e *testEnv){
		"idor": func(t *testing.T, e *testEnv) {
			res := e.login("alice").get("/api/orders/ord_bob_2001")
			wantStatus(t, "alice reads bob's order", res, http.StatusOK)
			if !strings.Contains(res.body, "bob@example.test") {
				t.Errorf("joined order lacks bob's email: %s", res.body)
			}
			wantStatus(t, "unknown order", e.login("alice").get("/api/orders/ord_nope"), http.StatusNotFound)
		},
		"list-all": func(t *testing.T, e *testEnv) {
			res := e.login("carol").get("/api/orders")
			for _, s := range []string{"ord_alice_1001", "ord_bob_2001", "alice@example.test", "bob@example.test"} {
				if !strings.Contains(res.body, s) {
					t.Errorf("carol's orders lack %s: %s", s, res.body)
				}
			}
		},
		"overbroad": func(t *testing.T, e *testEnv) {
			me := e.login("alice").get("/api/me")
			body := me.json(t)
			if body["password_hash"] != hashPassword("alice-demo-password") || body["internal_notes"] != "VIP since 2024" ||
				body["referral_code"] == nil || body["created_at"] == nil {
				t.Errorf("/api/me = %s, want the whole row", me.body)
			}
			if l := leaks("alice", me.body); l != nil {
				t.Errorf("overbroad row carries other customers' data: %v", l)
			}
		},
		"user-param": func(t *testing.T, e *testEnv) {
			alice := e.login("alice")
			if got := alice.get("/api/customer?user_id=usr_bob").json(t); got["email"] != "bob@example.test" {
				t.Errorf("user_id=usr_bob answered %v", got)
			}
			if got := alice.get("/api/customer").json(t); got["email"] != "alice@example.test" {
				t.Errorf("without user_id answered %v", got)
			}
			wantStatus(t, "unknown id", alice.get("/api/customer?user_id=usr_nobody"), http.StatusNotFound)
			wantStatus(t, "anonymous", e.anon().get("/api/customer?user_id=usr_bob"), http.StatusUnauthorized)
		},
		"unauth": func(t *testing.T, e *testEnv) {
			res := e.anon().get("/api/orders")
			wantStatus(t, "anonymous orders", res, http.StatusOK)
			if !strings.Contains(res.body, "ord_bob_2001") || !strings.Contains(res.body, "alice@example.test") || strings.Contains(res.body, `"amount"`) {
				t.Errorf("anonymous orders = %s, want id, product and customer email only", res.body)
			}
			wantStatus(t, "anonymous me", e.anon().get("/api/me"), http.StatusUnauthorized)
			if l := leaks("alice", e.login("alice").get("/api/orders").body); l != nil {
				t.Errorf("a session still gets only its own orders, got %v", l)
			}
		},
		"client-filter": func(t *testing.T, e *testEnv) {
			alice := e.login("alice")
			if js := alice.get("/static/dashboard.js").body; !strings.Contains(js, `fetch("/api/customers"`) || strings.Contains(js, `fetch("/api/orders"`) {
				t.Errorf("dashboard script does not read /api/customers")
			}
			res := alice.get("/api/customers")
			wantStatus(t, "customers", res, http.StatusOK)
			if !strings.Contains(res.body, "ord_bob_2001") || !strings.Contains(res.body, "carol@example.test") {
				t.Errorf("/api/customers = %s, want every customer", res.body)
			}
			if l := leaks("alice", alice.get("/dashboard").body); l != nil {
				t.Errorf("the page itself should look right, shows %v", l)
			}
			wantStatus(t, "anonymous customers", e.anon().get("/api/customers"), http.StatusUnauthorized)
		},
		"cache-shared": func(t *testing.T, e *testEnv) {
			first := e.login("alice").get("/dashboard")
			if cc := first.header.Get("Cache-Control"); cc != "public, s-maxage=300" || first.header.Get("Vary") != "" {
				t.Errorf("dashboard Cache-Control %q Vary %q", cc, first.header.Get("Vary"))
			}
			res := e.anon().get("/dashboard")
			wantStatus(t, "anonymous dashboard", res, http.StatusOK)
			if res.header.Get("X-Cache") != "HIT" || !strings.Contains(res.body, "Alice Andersen") {
				t.Errorf("anonymous visitor did not get alice's cached dashboard")
			}
			e.login("alice").get("/account")
			if acc := e.login("bob").get("/account"); !strings.Contains(acc.body, "alice@example.test") {
				t.Errorf("bob did not get alice's cached account page")
			}
		},
		"cache-headers": func(t *testing.T, e *testEnv) {
			alice := e.login("alice")
			for _, path := range []string{"/dashboard", "/account"} {
				res := alice.get(path)
				if cc := res.header.Get("Cache-Control"); cc != "max-age=300" || res.header.Get("Vary") != "" {
					t.Errorf("%s Cache-Control %q Vary %q", path, cc, res.header.Get("Vary"))
				}
				if x := alice.get(path).header.Get("X-Cache"); x != "MISS" {
					t.Errorf("%s was stored by the shared cache (X-Cache %q)", path, x)
				}
			}
			wantStatus(t, "anonymous dashboard", e.anon().get("/dashboard"), http.StatusFound)
		},
		"expired-fallback": func(t *testing.T, e *testEnv) {
			alice := e.login("alice")
			alice.get("/dashboard")
			token := alice.sessionCookie()
			alice.post("/api/logout", "", nil, nil)
			old := e.anon()
			old.setSessionCookie(token)
			res := old.get("/dashboard")
			wantStatus(t, "revoked session dashboard", res, http.StatusOK)
			if !strings.Contains(res.body, "Alice Andersen") {
				t.Errorf("revoked session did not get the stale dashboard")
			}
			wantStatus(t, "revoked session API", old.get("/api/me"), http.StatusUnauthorized)
			wantStatus(t, "no cookie", e.anon().get("/dashboard"), http.StatusFound)
			stranger := e.anon()
			stranger.setSessionCookie("garbage")
			if res := stranger.get("/dashboard"); !strings.Contains(res.body, "alice@example.test") {
				t.Errorf("an invalid cookie did not get the stale dashboard")
			}
			// The browser suite deletes only the session cookie; the prefs cookie still marks a
			// returning visitor.
			prefsOnly := e.anon()
			prefsOnly.hc.Jar.SetCookies(mustURL(t, prefsOnly.base), []*http.Cookie{{Name: "demo_prefs", Value: "theme-light", Path: "/"}})
			if res := prefsOnly.get("/dashboard"); res.status != http.StatusOK || !strings.Contains(res.body, "Alice Andersen") {
				t.Errorf("a visitor with only the prefs cookie got %d, want the stale dashboard", res.status)
			}
			bob := e.login("bob")
			e.clock.Advance(time.Hour) // bob's session expires
			if res := bob.get("/dashboard"); res.status != http.StatusOK {
				t.Errorf("expired session dashboard status %d, want the stale 200", res.status)
			}
		},
		"success-leak": func(t *testing.T, e *testEnv) {
			path := "/checkout/success?session_id=cs_demo_alice"
			res := e.anon().get(path)
			wantStatus(t, "anonymous success page", res, http.StatusOK)
			if !strings.Contains(res.body, "Alice Andersen") || !strings.Contains(res.body, "alice@example.test") {
				t.Errorf("success page does not show alice")
			}
			if cc := res.header.Get("Cache-Control"); cc != "public, max-age=600" {
				t.Errorf("success page Cache-Control %q", cc)
			}
			if x := e.login("bob").get(path).header.Get("X-Cache"); x != "HIT" {
				t.Errorf("success page not served from the shared cache (X-Cache %q)", x)
			}
			wantStatus(t, "unknown checkout", e.anon().get("/checkout/success?session_id=cs_nope"), http.StatusNotFound)
		},
		"webhook-nosig": func(t *testing.T, e *testEnv) {
			res := e.anon().post("/api/stripe/webhook", "application/json", checkout(t, "evt_forged", "cus_DemoCarol03", "pro"), nil)
			wantStatus(t, "unsigned event", res, http.StatusOK)
			if plan, ents := e.entitlements("carol"); plan != "pro" || len(ents) != 1 {
				t.Errorf("forged event not applied: plan %q entitlements %v", plan, ents)
			}
		},
		"webhook-dup": func(t *testing.T, e *testEnv) {
			payload := checkout(t, "evt_dup", "cus_DemoAlice01", "pro")
			e.deliverSigned(payload)
			e.deliverSigned(payload)
			if _, ents := e.entitlements("alice"); len(ents) != 2 {
				t.Errorf("replay gave entitlements %v, want a duplicate", ents)
			}
			wantStatus(t, "unsigned still refused", e.anon().post("/api/stripe/webhook", "application/json", payload, nil), http.StatusBadRequest)
		},
		"ownership": func(t *testing.T, e *testEnv) {
			wantStatus(t, "event", e.deliverSigned(checkout(t, "evt_own", "cus_DemoAlice01", "free")), http.StatusOK)
			if _, ents := e.entitlements("alice"); len(ents) != 0 {
				t.Errorf("alice got %v", ents)
			}
			if plan, ents := e.entitlements("bob"); plan != "free" || len(ents) != 1 {
				t.Errorf("bob has plan %q entitlements %v, want alice's event applied to him", plan, ents)
			}
		},
		"service-key": func(t *testing.T, e *testEnv) {
			if js := e.anon().get("/static/app.js").body; !secretKeyPattern.MatchString(js) || !strings.Contains(js, "supabaseServiceRoleKey") {
				t.Errorf("bundle lacks the server-only keys")
			}
		},
		"empty-fallback": func(t *testing.T, e *testEnv) {
			carol := e.login("carol")
			if res := carol.get("/api/orders"); !strings.Contains(res.body, "ord_bob_2001") {
				t.Errorf("carol's orders = %s, want the latest order of anyone", res.body)
			}
			if acc := carol.get("/account"); !strings.Contains(acc.body, "ord_bob_2001") || strings.Contains(acc.body, "empty-orders") {
				t.Errorf("carol's account page does not show the fallback order")
			}
			if res := e.login("alice").get("/api/orders"); strings.Contains(res.body, "ord_bob_2001") {
				t.Errorf("a customer with orders got the fallback")
			}
		},
		"preview-prod": func(t *testing.T, e *testEnv) {
			if acc := e.login("alice").get("/account"); !strings.Contains(acc.body, ProductionCanaryEmail) {
				t.Errorf("the account page does not show the production record")
			}
			for _, path := range []string{"/static/app.js", "/static/dashboard.js"} {
				if js := e.anon().get(path).body; !strings.Contains(js, ProductionAPIHost) {
					t.Errorf("%s does not name the production host", path)
				}
			}
		},
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestEachBug(t *testing.T) {
	cases := bugCases()
	for _, info := range Catalog() {
		t.Run(info.Name, func(t *testing.T) {
			check, ok := cases[info.Name]
			if !ok {
				t.Fatalf("no test shows bug %q", info.Name)
			}
			check(t, newEnv(t, info.Name))
		})
	}
	if len(cases) != len(Catalog()) {
		t.Errorf("%d bug cases for %d catalogued bugs", len(cases), len(Catalog()))
	}
}
