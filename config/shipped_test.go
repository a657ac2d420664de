package config

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const shipped = "../regress.yaml"

func TestShippedDemo(t *testing.T) {
	f, err := Load(shipped)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.TargetNames(); !slices.Equal(got, []string{"demo", "demo-preview", "staging", "production", "preview"}) {
		t.Errorf("TargetNames = %q", got)
	}
	tg, err := f.Target("demo", env(nil))
	if err != nil {
		t.Fatalf("demo with an empty environment: %v", err)
	}
	if !tg.Embedded || !tg.AllowMutations || tg.BaseURL != "" || tg.RateLimit != 0 || tg.LoginPage != "/login" ||
		tg.Timeouts.Request.String() != "5s" || tg.Timeouts.Scenario.String() != "30s" {
		t.Errorf("demo = %+v", tg)
	}
	if got := tg.AccountNames(); !slices.Equal(got, []string{"alice", "bob", "carol"}) {
		t.Errorf("accounts = %q", got)
	}
	if got := tg.RouteNames(); !slices.Equal(got, []string{"profile", "orders", "order", "customer_by_id", "dashboard", "account_page", "entitlements", "checkout_success"}) {
		t.Errorf("routes = %q", got)
	}
	fp := map[string]map[string]string{
		"alice": {"email": "alice@example.test", "name": "Alice Andersen", "customer_id": "cus_DemoAlice01",
			"user_id": "usr_alice", "order_1": "ord_alice_1001", "order_2": "ord_alice_1002", "checkout_session": "cs_demo_alice"},
		"bob": {"email": "bob@example.test", "name": "Bob Brennan", "customer_id": "cus_DemoBob02",
			"user_id": "usr_bob", "order_1": "ord_bob_2001", "checkout_session": "cs_demo_bob"},
		"carol": {"email": "carol@example.test", "name": "Carol Castillo", "customer_id": "cus_DemoCarol03", "user_id": "usr_carol"},
	}
	for name, want := range fp {
		a, _ := tg.Account(name)
		if a.Username != name+"@example.test" || a.Password != name+"-demo-password" {
			t.Errorf("%s credentials = %q %q", name, a.Username, a.Password)
		}
		l := a.Login
		wantLogin := Login{Strategy: StrategyJSON, Path: "/api/login", UsernameField: "email", PasswordField: "password", SessionCookie: "demo_session"}
		if name == "carol" { // logs in through the browser form
			wantLogin = Login{Strategy: StrategyBrowser, Path: "/login", UsernameField: "email", PasswordField: "password", SessionCookie: "demo_session", Submit: "#login-submit"}
		}
		if l != wantLogin {
			t.Errorf("%s login = %+v, want %+v", name, l, wantLogin)
		}
		if len(a.Fingerprints) != len(want) {
			t.Errorf("%s has %d fingerprints, want %d", name, len(a.Fingerprints), len(want))
		}
		for k, v := range want {
			if got, _ := a.Fingerprint(k); got != v {
				t.Errorf("%s fingerprint %s = %q, want %q", name, k, got, v)
			}
		}
	}
	profile, _ := tg.Route("profile")
	if profile.Path != "/api/me" || profile.Kind != KindAPI || !profile.Protected ||
		!slices.Equal(profile.AllowedFields, []string{"id", "email", "name", "plan", "customer_id"}) {
		t.Errorf("profile = %+v", profile)
	}
	for _, name := range []string{"dashboard", "account_page"} {
		if r, _ := tg.Route(name); r.Kind != KindPage || !r.Personalised {
			t.Errorf("%s = %+v", name, r)
		}
	}
	order, _ := tg.Route("order")
	alice, _ := tg.Account("alice")
	carol, _ := tg.Account("carol")
	if p, err := order.Expand(alice); err != nil || p != "/api/orders/ord_alice_1001" {
		t.Errorf("order for alice = %q, %v", p, err)
	}
	if _, err := order.Expand(carol); err == nil {
		t.Error("carol has no order_1, yet the order route expanded")
	}
	if got := tg.Secrets(); !slices.Equal(got, []string{"alice-demo-password", "bob-demo-password", "carol-demo-password", "whsec_demo_regress_0123456789abcdef", "demo-expired-session-7f3c9a41d2e8b6"}) {
		t.Errorf("Secrets = %q", got)
	}
}

// Each other target with an empty environment lists every one of its variables, each at its line.
func TestShippedTemplatesNeedTheirVariables(t *testing.T) {
	data, err := os.ReadFile(shipped)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(shipped, data)
	if err != nil {
		t.Fatal(err)
	}
	ref := regexp.MustCompile(`\$\{([A-Z0-9_]+)\}`)
	for _, tc := range []struct{ target, prefix string }{
		{"staging", "STAGING_"}, {"production", "PROD_"}, {"preview", "PREVIEW_"},
	} {
		// Where each of the target's variables is first used, read from the file itself.
		firstLine := map[string]int{}
		var order []string
		for i, line := range strings.Split(string(data), "\n") {
			for _, m := range ref.FindAllStringSubmatch(line, -1) {
				if strings.HasPrefix(m[1], tc.prefix) {
					if _, ok := firstLine[m[1]]; !ok {
						firstLine[m[1]] = i + 1
						order = append(order, m[1])
					}
				}
			}
		}
		if len(order) < 11 {
			t.Fatalf("%s: only %d variables found in the file", tc.target, len(order))
		}
		_, err := f.Target(tc.target, env(nil))
		list, ok := AsErrors(err)
		if !ok {
			t.Fatalf("%s with an empty environment: %v", tc.target, err)
		}
		if len(list) != len(order) {
			t.Errorf("%s: %d problems, want one per variable (%d):\n%v", tc.target, len(list), len(order), err)
		}
		for _, name := range order {
			want := shipped + ":" + strconv.Itoa(firstLine[name]) + ": environment variable " + name + " is not set ("
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: missing %q in:\n%v", tc.target, want, err)
			}
		}
		if got := f.MissingVars(tc.target, env(nil)); len(got) != len(order) {
			t.Errorf("%s: MissingVars lists %d, want %d", tc.target, len(got), len(order))
		}

		// With every variable set to a distinct value, the target resolves.
		full := map[string]string{}
		for _, name := range order {
			full[name] = "value-of-" + strings.ToLower(name)
		}
		full[tc.prefix+"BASE_URL"] = "https://" + strings.ToLower(tc.target) + ".example.com/"
		tg, err := f.Target(tc.target, env(full))
		if err != nil {
			t.Fatalf("%s with every variable set: %v", tc.target, err)
		}
		if tg.AllowMutations != (tc.target == "staging") {
			t.Errorf("%s allow_mutations = %v", tc.target, tg.AllowMutations)
		}
		if tc.target == "production" && tg.RateLimit != 5 {
			t.Errorf("production rate_limit = %v", tg.RateLimit)
		}
		for _, want := range []string{"profile", "orders", "order", "customer_by_id", "dashboard", "account_page"} {
			if !slices.Contains(tg.RouteNames(), want) {
				t.Errorf("%s routes = %q, missing %q", tc.target, tg.RouteNames(), want)
			}
		}
		wantSecrets := len(tg.Accounts) + len(tg.Production.Secrets) // a password each
		if tg.Webhook.Secret != "" {
			wantSecrets++
		}
		if len(tg.Secrets()) != wantSecrets {
			t.Errorf("%s secrets = %d, want %d", tc.target, len(tg.Secrets()), wantSecrets)
		}
	}
}
